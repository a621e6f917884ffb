import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Electron from 'electron';
import { runMain } from '../../src/main/electron/app';
import { registerIpc } from '../../src/main/electron/ipc';
import { IPC_EVENT, IPC_INVOKE } from '../../src/shared/ipc';
import { tempDir, testCore } from '../helpers';

/**
 * The Electron binary cannot be installed on this machine, so these tests drive the main-process wiring with a
 * fake `electron` module (mocked: app, BrowserWindow, ipcMain, dialog, session). The real window is covered by
 * e2e/electron.e2e.ts where Electron exists.
 */
type Handler = (
  event: { sender: { id: number }; senderFrame: { url: string } | null },
  ...args: unknown[]
) => unknown;

class FakeWebContents extends EventEmitter {
  static next = 1;
  readonly id = FakeWebContents.next++;
  readonly sent: Array<[string, unknown]> = [];
  windowOpenHandler: (() => { action: string }) | null = null;
  setWindowOpenHandler(h: () => { action: string }): void {
    this.windowOpenHandler = h;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return false;
  }
}

function fakeElectron(opts: { singleInstance?: boolean } = {}) {
  const handlers = new Map<string, Handler>();
  const windows: FakeWindow[] = [];
  const appEvents = new EventEmitter();
  let quitCalled = 0;
  let permissionHandler: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
  class FakeWindow extends EventEmitter {
    static getAllWindows = (): FakeWindow[] => windows;
    readonly webContents = new FakeWebContents();
    loadedUrl = '';
    constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
      super();
      windows.push(this);
    }
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    show(): void {}
    isMinimized(): boolean {
      return false;
    }
    restore(): void {}
    focus(): void {
      this.emit('focused');
    }
  }
  const electron = {
    app: Object.assign(appEvents, {
      requestSingleInstanceLock: () => opts.singleInstance ?? true,
      whenReady: () => Promise.resolve(),
      getPath: () => tempDir().dir,
      getLocale: () => 'en-US',
      quit: () => {
        quitCalled++;
      },
    }),
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, h: Handler) => handlers.set(channel, h),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    dialog: { showErrorBox: () => undefined, showSaveDialog: async () => ({ canceled: true }) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof permissionHandler) => {
          permissionHandler = h;
        },
        setPermissionCheckHandler: () => undefined,
      },
    },
  };
  return {
    electron: electron as unknown as Parameters<typeof runMain>[0]['electron'],
    handlers,
    windows,
    appEvents,
    quitCount: () => quitCalled,
    askPermission: (p: string) =>
      new Promise<boolean>((resolve) => {
        permissionHandler?.(null, p, resolve);
      }),
  };
}

describe('Electron main process wiring (fake electron module: no Electron binary here)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('opens one secure window: isolated, sandboxed, no Node, no navigation, no new windows, no permissions', async () => {
    const data = tempDir();
    const prev = process.env.DISTILLERY_DATA_DIR;
    process.env.DISTILLERY_DATA_DIR = data.dir;
    const fake = fakeElectron();
    const { core } = await runMain({ electron: fake.electron, outDir: '/app/out/main' });
    process.env.DISTILLERY_DATA_DIR = prev;
    cleanups.push(async () => {
      await core?.dispose();
      data.cleanup();
    });
    expect(fake.windows).toHaveLength(1);
    const prefs = fake.windows[0].options.webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      webviewTag: false,
    });
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(fake.windows[0].loadedUrl).toBe('file:///app/out/renderer/index.html');

    const wc = fake.windows[0].webContents;
    expect(wc.windowOpenHandler?.()).toEqual({ action: 'deny' });
    let prevented = false;
    wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://example.com/');
    expect(prevented).toBe(true);
    prevented = false;
    wc.emit(
      'will-navigate',
      { preventDefault: () => (prevented = true) },
      'file:///app/out/renderer/index.html',
    );
    expect(prevented).toBe(false);
    // A sibling folder whose name starts like the app's, or a path that climbs out of it, is not the app.
    for (const outside of [
      'file:///app/out/renderer-evil/index.html',
      'file:///app/out/renderer/../renderer-evil/index.html',
      'file:///app/out/renderer',
    ]) {
      prevented = false;
      wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, outside);
      expect(prevented, outside).toBe(true);
    }
    await expect(fake.askPermission('media')).resolves.toBe(false);

    // The contract over IPC: typed answers for the app's window, refusal for anything else.
    const invoke = fake.handlers.get(IPC_INVOKE)!;
    const own = { sender: { id: wc.id }, senderFrame: { url: 'file:///app/out/renderer/index.html' } };
    await expect(invoke(own, 'projects.list', {})).resolves.toMatchObject({ ok: true });
    await expect(invoke(own, 'projects.create', { name: 5 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    const stranger = { sender: { id: 9999 }, senderFrame: { url: 'https://evil.example/' } };
    await expect(invoke(stranger, 'projects.list', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    const framed = { sender: { id: wc.id }, senderFrame: { url: 'https://evil.example/' } };
    await expect(invoke(framed, 'projects.list', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });

    // The demo project was seeded on this first start, and core events reach the window.
    await expect(invoke(own, 'projects.list', {})).resolves.toMatchObject({ value: [{ isDemo: true }] });
    const { value: projects } = (await invoke(own, 'projects.list', {})) as { value: Array<{ id: number }> };
    core!.events.emit('project.changed', { projectId: projects[0].id, what: 'labels' });
    await new Promise((r) => setTimeout(r, 100));
    expect(wc.sent.some(([channel]) => channel === IPC_EVENT)).toBe(true);

    // A second instance focuses the first window.
    let focused = false;
    fake.windows[0].once('focused', () => (focused = true));
    fake.appEvents.emit('second-instance');
    expect(focused).toBe(true);
  });

  it('finds the preload and the UI from inside an asar archive (the packaged app: out/ is in app.asar)', async () => {
    const data = tempDir();
    const prev = process.env.DISTILLERY_DATA_DIR;
    process.env.DISTILLERY_DATA_DIR = data.dir;
    const fake = fakeElectron();
    const asar = '/opt/Distillery/resources/app.asar';
    const { core } = await runMain({ electron: fake.electron, outDir: `${asar}/out/main` });
    process.env.DISTILLERY_DATA_DIR = prev;
    cleanups.push(async () => {
      await core?.dispose();
      data.cleanup();
    });
    expect(fake.windows[0].options.webPreferences!.preload).toBe(`${asar}/out/preload/index.cjs`);
    expect(fake.windows[0].loadedUrl).toBe(`file://${asar}/out/renderer/index.html`);
    const wc = fake.windows[0].webContents;
    const navigate = (url: string): boolean => {
      let prevented = false;
      wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate(`file://${asar}/out/renderer/index.html#/projects`)).toBe(false);
    expect(navigate('file:///opt/Other/resources/app.asar/out/renderer/index.html')).toBe(true);
    expect(navigate(`file://${asar}/out/renderer-elsewhere/index.html`)).toBe(true);
  });

  it('quits at once when another instance already runs', async () => {
    const fake = fakeElectron({ singleInstance: false });
    const r = await runMain({ electron: fake.electron, outDir: '/app/out/main' });
    expect(r.core).toBeNull();
    expect(fake.quitCount()).toBe(1);
    expect(fake.windows).toHaveLength(0);
  });

  it('refuses to save files from outside the data folder', async () => {
    const t = await testCore();
    cleanups.push(() => t.close());
    const handlers = new Map<string, Handler>();
    registerIpc({
      ipcMain: {
        handle: (c: string, h: Handler) => handlers.set(c, h),
        removeHandler: () => undefined,
      } as never,
      core: t.core,
      isTrustedSender: () => true,
      showSaveDialog: async () => '/tmp/x',
      windows: () => [],
    });
    const save = handlers.get('distillery:save-file')!;
    await expect(
      save({ sender: { id: 1 }, senderFrame: { url: 'file:///x' } }, '/etc/passwd', 'p'),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });
});
