import type { IpcMain, WebContents } from 'electron';
import { copyFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Core } from '../core/core';
import { toErrorInfo } from '../core/errors';
import { IPC_EVENT, IPC_INVOKE, IPC_SAVE_FILE } from '../../shared/ipc';
import type { Result } from '../../shared/result';

export interface IpcDeps {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  readonly core: Core;
  /** Is this the app's own window? Requests from anything else are refused. */
  readonly isTrustedSender: (sender: WebContents, senderUrl: string | undefined) => boolean;
  readonly showSaveDialog: (suggestedName: string) => Promise<string | null>;
  readonly windows: () => ReadonlyArray<{ webContents: Pick<WebContents, 'send' | 'isDestroyed'> }>;
}

const untrusted: Result<never> = {
  ok: false,
  error: { code: 'UNAUTHORIZED', message: 'Request from an unknown window refused.' },
};

/** Wires the contract to ipcMain: one handler validates every channel; core events go to every window. */
export function registerIpc(deps: IpcDeps): () => void {
  const { ipcMain, core } = deps;
  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, request: unknown) => {
    if (!deps.isTrustedSender(event.sender, event.senderFrame?.url)) return untrusted;
    if (typeof channel !== 'string')
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'Channel must be a string.' } };
    return core.invokeRaw(channel, request);
  });
  ipcMain.handle(IPC_SAVE_FILE, async (event, path: unknown, suggestedName: unknown) => {
    if (!deps.isTrustedSender(event.sender, event.senderFrame?.url)) return untrusted;
    if (typeof path !== 'string' || !resolve(path).startsWith(core.paths.dataDir + sep)) {
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'Only files in the data folder can be saved.' },
      };
    }
    try {
      const target = await deps.showSaveDialog(typeof suggestedName === 'string' ? suggestedName : 'export');
      if (!target) return { ok: true, value: { saved: false } };
      await copyFile(path, target);
      return { ok: true, value: { saved: true } };
    } catch (e) {
      return { ok: false, error: toErrorInfo(e) };
    }
  });
  const unsubscribe = core.events.subscribe((envelope) => {
    for (const w of deps.windows()) if (!w.webContents.isDestroyed()) w.webContents.send(IPC_EVENT, envelope);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE);
    ipcMain.removeHandler(IPC_SAVE_FILE);
  };
}
