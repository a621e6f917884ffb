import type { Project } from '../../../shared/projects';

/** What every wizard step receives. */
export interface StepProps {
  readonly project: Project;
  /** Tell the frame that the project's counts changed (after an import, a label change...). */
  readonly onProjectChanged: () => void;
}
