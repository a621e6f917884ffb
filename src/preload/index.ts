import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { Api } from '../shared/api';
import { IPC_EVENT, IPC_INVOKE, IPC_SAVE_FILE } from '../shared/ipc';
import type { EventEnvelope } from '../shared/events';

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
        error: { code: 'BAD_FILE', message: 'This file has no path on disk; save it first.' },
      };
    return { ok: true, value: { path, name: file.name, size: file.size } };
  },
  saveFile: (path, suggestedName) => ipcRenderer.invoke(IPC_SAVE_FILE, path, suggestedName),
} satisfies Api;

contextBridge.exposeInMainWorld('api', api);
