import { z } from 'zod';

/** Electron IPC channel names shared by main and preload (the request names themselves come from the contract). */
export const IPC_INVOKE = 'distillery:invoke';
export const IPC_EVENT = 'distillery:event';
export const IPC_SAVE_FILE = 'distillery:save-file';

/** What `IPC_SAVE_FILE` answers: whether the file was saved (false: the person closed the dialog). */
export const SavedFile = z.object({ saved: z.boolean() }).readonly();
export type SavedFile = z.output<typeof SavedFile>;
