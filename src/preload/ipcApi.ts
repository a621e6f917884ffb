import type { IpcRenderer, WebUtils } from 'electron';
import type { Api } from '../shared/api';
import { EventListeners, readAnswer, readChannelAnswer, readEventData } from '../shared/answers';
import { ERROR_MESSAGES } from '../shared/errorMessages';
import { IPC_EVENT, IPC_INVOKE, IPC_SAVE_FILE, SavedFile } from '../shared/ipc';

/** What the preload uses of Electron (a test hands in fakes: Electron itself does not run there). */
export interface IpcApiDeps {
  readonly ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on'>;
  readonly webUtils: Pick<WebUtils, 'getPathForFile'>;
}

/**
 * The renderer's only door to the app in Electron: the contract over IPC. Every answer and event from the main
 * process is read with the contract's schemas (src/shared/answers.ts), as browser mode reads what crosses HTTP:
 * nothing reaches the page as a cast.
 */
export function createIpcApi({ ipcRenderer, webUtils }: IpcApiDeps): Api {
  const listeners = new EventListeners();
  ipcRenderer.on(IPC_EVENT, (_e, data: unknown) => listeners.dispatch(readEventData(data)));
  return {
    mode: 'electron',
    invoke: async (channel, request) =>
      readChannelAnswer(await ipcRenderer.invoke(IPC_INVOKE, channel, request), channel),
    on: (event, listener) => listeners.add(event, listener),
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
      const path =
        folder.folder || !first || !full ? full : full.slice(0, full.length - first.path.length - 1);
      if (!path)
        return {
          ok: false,
          error: {
            code: 'BAD_FILE',
            key: 'folderNoPath',
            params: {},
            message: ERROR_MESSAGES.en.folderNoPath,
          },
        };
      const size = folder.files.reduce((n, f) => n + f.file.size, 0);
      return { ok: true, value: { path, name: folder.name, size } };
    },
    saveFile: async (path, suggestedName) =>
      readAnswer(await ipcRenderer.invoke(IPC_SAVE_FILE, path, suggestedName), 'save-file', SavedFile),
  };
}
