import type { WizardStep } from '../../../shared/projects';
import { DataStep } from '../features/dataset/DataStep';
import { EvaluateStep } from '../features/evaluation/EvaluateStep';
import { ExportStep } from '../features/export/ExportStep';
import { ReviewStep } from '../features/review/ReviewStep';
import { TrainStep } from '../features/student/TrainStep';
import { TeacherStep } from '../features/teacher/TeacherStep';
import type { StepProps } from './types';

export const STEP_COMPONENTS: Record<WizardStep, (props: StepProps) => React.JSX.Element> = {
  data: DataStep,
  teacher: TeacherStep,
  review: ReviewStep,
  train: TrainStep,
  evaluate: EvaluateStep,
  export: ExportStep,
};
