import type * as Electron from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore, type Core } from '../core/core';
import { toErrorInfo } from '../core/errors';
import { DATA_DIR_ENV } from '../core/paths';
import { registerIpc } from './ipc';
import { appUrlCheck, denyPermissions, hardenContents, secureWebPreferences } from './security';
import { demoLanguageOf } from '../features/projects/demo';

type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'dialog' | 'session'>;

export interface MainOptions {
  readonly electron: ElectronModule;
  /** out/main, where the built preload and renderer sit beside it. */
  readonly outDir: string;
  readonly devServerUrl?: string;
}

/** The Electron main process: a thin adapter over the core. Takes the electron module so tests can fake it. */
export async function runMain({
  electron,
  outDir,
  devServerUrl,
}: MainOptions): Promise<{ core: Core | null }> {
  const { app, BrowserWindow, ipcMain, dialog } = electron;
  if (!app.requestSingleInstanceLock()) {
    // A second instance: the first one is focused (see 'second-instance') and this one leaves.
    app.quit();
    return { core: null };
  }
  await app.whenReady();
  const dataDirArg = process.argv.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
  const dataDir = dataDirArg ?? process.env[DATA_DIR_ENV] ?? join(app.getPath('userData'), 'data');
  let core: Core;
  try {
    core = await createCore({
      dataDir,
      mode: 'electron',
      seedDemo: true,
      demoLanguage: demoLanguageOf(app.getLocale()),
    });
  } catch (e) {
    dialog.showErrorBox('Distillery cannot open its data', toErrorInfo(e).message);
    app.quit();
    return { core: null };
  }
  denyPermissions(electron.session.defaultSession);
  const rendererIndex = join(outDir, '..', 'renderer', 'index.html');
  const appUrl = devServerUrl ?? pathToFileURL(rendererIndex).href;
  const isAppUrl = appUrlCheck(
    devServerUrl ? new URL(devServerUrl).origin : pathToFileURL(join(outDir, '..', 'renderer')).href,
  );

  let win: Electron.BrowserWindow | null = null;
  const createWindow = (): void => {
    win = new BrowserWindow({
      width: 1280,
      height: 860,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'Distillery',
      webPreferences: secureWebPreferences(join(outDir, '..', 'preload', 'index.cjs')),
    });
    hardenContents(win.webContents, isAppUrl);
    win.once('ready-to-show', () => win?.show());
    void win.loadURL(appUrl);
  };
  const unregister = registerIpc({
    ipcMain,
    core,
    isTrustedSender: (sender, url) =>
      win !== null && sender.id === win.webContents.id && url !== undefined && isAppUrl(url),
    showSaveDialog: async (name) => {
      const r = await dialog.showSaveDialog({ defaultPath: name });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    windows: () => BrowserWindow.getAllWindows(),
  });
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, isAppUrl));
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    unregister();
    void core.dispose().finally(() => app.quit());
  });
  app.on('window-all-closed', () => app.quit());
  createWindow();
  return { core };
}
