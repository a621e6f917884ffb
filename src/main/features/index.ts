import type { ChannelMap } from '../../shared/channel';
import type { Contract } from '../../shared/contract';
import type { Feature, HandlerMap } from '../core/feature';
import { appFeature } from './app/feature';
import { datasetFeature } from './dataset/feature';
import { diskFeature } from './disk/feature';
import { evaluationFeature } from './evaluation/feature';
import { exportFeature } from './export/feature';
import { jobsFeature } from './jobs/feature';
import { projectsFeature } from './projects/feature';
import { reviewFeature } from './review/feature';
import { studentFeature } from './student/feature';
import { teacherFeature } from './teacher/feature';
import { teamFeature } from './team/feature';

/** Every capability, in start-up order. A new feature is added here and its contract in src/shared/contract.ts. */
export const FEATURES = [
  appFeature,
  projectsFeature,
  jobsFeature,
  datasetFeature,
  teacherFeature,
  reviewFeature,
  studentFeature,
  evaluationFeature,
  exportFeature,
  diskFeature,
  teamFeature,
] as unknown as ReadonlyArray<Feature<ChannelMap>>;

/** The whole contract's handlers: a missing channel is a compile error here. */
export const HANDLERS: HandlerMap<Contract> = {
  ...appFeature.handlers,
  ...projectsFeature.handlers,
  ...jobsFeature.handlers,
  ...datasetFeature.handlers,
  ...teacherFeature.handlers,
  ...reviewFeature.handlers,
  ...studentFeature.handlers,
  ...evaluationFeature.handlers,
  ...exportFeature.handlers,
  ...diskFeature.handlers,
  ...teamFeature.handlers,
};
