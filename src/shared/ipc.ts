/** Electron IPC channel names shared by main and preload (the request names themselves come from the contract). */
export const IPC_INVOKE = 'distillery:invoke';
export const IPC_EVENT = 'distillery:event';
export const IPC_SAVE_FILE = 'distillery:save-file';
