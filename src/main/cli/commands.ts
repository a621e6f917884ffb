import { backupCommands } from '../features/backup/cli';
import { datasetCommands } from '../features/dataset/cli';
import { diskCommands } from '../features/disk/cli';
import { evaluationCommands } from '../features/evaluation/cli';
import { exportCommands } from '../features/export/cli';
import { reviewCommands } from '../features/review/cli';
import { studentCommands } from '../features/student/cli';
import { promptCommands, teacherCommands } from '../features/teacher/cli';
import { teamCommands } from '../features/team/cli';
import { jobCommands, projectCommands } from './builtin';
import { serveCommand } from './serve';
import type { CliCommand } from './types';

/** Every CLI command: one group per feature, each driving the same core as the UI. */
export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  ...projectCommands,
  ...jobCommands,
  ...datasetCommands,
  ...teacherCommands,
  ...promptCommands,
  ...reviewCommands,
  ...studentCommands,
  ...evaluationCommands,
  ...exportCommands,
  ...backupCommands,
  ...diskCommands,
  ...teamCommands,
];
