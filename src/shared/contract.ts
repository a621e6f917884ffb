import { appContract } from './app';
import type { InputOf, OutputOf } from './channel';
import { datasetContract } from './dataset';
import { diskContract } from './disk';
import { evaluationContract } from './evaluation';
import { exportContract } from './export';
import { jobsContract } from './jobs';
import { projectsContract } from './projects';
import { reviewContract } from './review';
import { studentContract } from './student';
import { teacherContract } from './teacher';
import { teamContract } from './team';

/**
 * The one IPC contract: channel -> zod request schema -> response type.
 * Electron's ipcMain handlers, the preload `api`, the browser-mode HTTP server and the CLI are all derived from it.
 * Each feature declares its channels in its own `src/shared/<feature>.ts` and is merged here.
 */
export const contract = {
  ...appContract,
  ...projectsContract,
  ...jobsContract,
  ...datasetContract,
  ...teacherContract,
  ...reviewContract,
  ...studentContract,
  ...evaluationContract,
  ...exportContract,
  ...diskContract,
  ...teamContract,
} as const;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export type Request<K extends ChannelName> = InputOf<Contract[K]>;
export type Response<K extends ChannelName> = OutputOf<Contract[K]>;

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}
