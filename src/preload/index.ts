import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { Api } from '../shared/api';
import { IPC_EVENT, IPC_INVOKE, IPC_SAVE_FILE } from '../shared/ipc';
import type { EventEnvelope } from '../shared/events';
import { ERROR_MESSAGES } from '../shared/errorMessages';

/** The renderer's only door to the app: one object derived from the contract, no ipcRenderer, no Node. */
const api = {
  mode: 'electron',
  invoke: (channel, request) => ipcRenderer.invoke(IPC_INVOKE, channel, request),
  on: (event, listener) => {
    const handler = (_e: unknown, envelope: EventEnvelope): void => {
      if (envelope.name === event) (listener as (p: unknown) => void)(envelope.payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  provideFile: async (file) => {
    const path = webUtils.getPathForFile(file);
    if (!path)
      return {
        ok: false,
        error: { code: 'BAD_FILE', key: 'fileNoPath', params: {}, message: ERROR_MESSAGES.en.fileNoPath },
      };
    return { ok: true, value: { path, name: file.name, size: file.size } };
  },
  provideFolder: async (folder) => {
    // The folder's path: a dropped folder carries it; a chosen one is its first document's path less the part inside.
    const first = folder.files[0];
    const full = folder.folder
      ? webUtils.getPathForFile(folder.folder)
      : first
        ? webUtils.getPathForFile(first.file)
        : '';
    const path = folder.folder || !first || !full ? full : full.slice(0, full.length - first.path.length - 1);
    if (!path)
      return {
        ok: false,
        error: { code: 'BAD_FILE', key: 'folderNoPath', params: {}, message: ERROR_MESSAGES.en.folderNoPath },
      };
    const size = folder.files.reduce((n, f) => n + f.file.size, 0);
    return { ok: true, value: { path, name: folder.name, size } };
  },
  saveFile: (path, suggestedName) => ipcRenderer.invoke(IPC_SAVE_FILE, path, suggestedName),
} satisfies Api;

contextBridge.exposeInMainWorld('api', api);
