import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent, IpcRendererEvent } from 'electron';
import { registerIpc } from '../../src/main/electron/ipc';
import { createIpcApi } from '../../src/preload/ipcApi';
import type { Api } from '../../src/shared/api';
import { IPC_EVENT } from '../../src/shared/ipc';
import { testCore } from '../helpers';
import { addTeacherRun, makeProject } from '../review/fixture';

// The Electron preload reads what crosses IPC with the contract's schemas, as browser mode reads HTTP. Electron's
// binary cannot run in these tests: the preload's api is wired to the real main-process handlers (registerIpc) and a
// real core through a fake ipcMain/ipcRenderer pair that copies every message as IPC does (structured clone).

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type Listener = (event: IpcRendererEvent, ...args: unknown[]) => void;

let t: Awaited<ReturnType<typeof testCore>>;
let api: Api;
let unregister: () => void;
/** Replaces what the main process answers on an IPC channel (an answer of another shape). */
let tamper: ((channel: string, answer: unknown) => unknown) | null;
/** Sends an event from the main process as is. */
let push: (data: unknown) => void;

beforeEach(async () => {
  t = await testCore();
  tamper = null;
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Listener[]>();
  const sender = { id: 1 } as IpcMainInvokeEvent['sender'];
  push = (data) => {
    for (const l of listeners.get(IPC_EVENT) ?? []) l({} as IpcRendererEvent, structuredClone(data));
  };
  unregister = registerIpc({
    ipcMain: {
      handle: (channel: string, handler: Handler) => void handlers.set(channel, handler),
      removeHandler: (channel: string) => void handlers.delete(channel),
    } as never,
    core: t.core,
    isTrustedSender: (s) => s === sender,
    showSaveDialog: async () => null,
    windows: () => [
      { webContents: { send: (_c: string, data: unknown) => push(data), isDestroyed: () => false } },
    ],
  });
  api = createIpcApi({
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        const handler = handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        const event = { sender, senderFrame: { url: 'file:///app/index.html' } } as IpcMainInvokeEvent;
        const answer = structuredClone(await handler(event, ...structuredClone(args)));
        return tamper ? tamper(String(args[0] ?? channel), answer) : answer;
      },
      on: (channel: string, listener: Listener) => {
        listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
        return undefined as never;
      },
    },
    webUtils: { getPathForFile: () => '' },
  });
});
afterEach(async () => {
  unregister();
  await t.close();
});

describe('Electron preload over a fake ipcRenderer (Electron cannot run here): answers and events read with the contract', () => {
  it('hands over what the core answers, read with the channel schemas', async () => {
    const fx = await makeProject(t.core, [
      'The provider may end this.',
      'Fees are refunded.',
      'Terms change.',
    ]);
    addTeacherRun(t.core, fx, [{ exampleId: fx.examples[0], pUnfair: 0.8 }]);
    const projectId = fx.projectId;
    const state = await api.invoke('review.state', { projectId });
    expect(state).toEqual({ ok: true, value: await t.core.call('review.state', { projectId }) });
    const counts = await api.invoke('review.counts', { projectId, queue: { kind: 'all' } });
    expect(counts.ok && counts.value.total).toBe(3);
    const job = await api.invoke('review.bulkAccept', {
      projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.5,
    });
    expect(job.ok && job.value.kind).toBe('review.bulkAccept');
    // An error answer of the right shape passes as it is.
    expect(await api.invoke('projects.get', { projectId: 999 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await api.saveFile('/etc/passwd', 'p')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('refuses an answer of another shape with the badAnswer error, as browser mode does', async () => {
    const fx = await makeProject(t.core, ['One.', 'Two.']);
    tamper = (_channel, answer) => {
      const a = answer as { ok: boolean; value?: { total?: unknown } };
      return a.ok ? { ...a, value: { ...a.value, total: 'two' } } : a;
    };
    expect(
      await api.invoke('review.counts', { projectId: fx.projectId, queue: { kind: 'all' } }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INTERNAL',
        key: 'badAnswer',
        params: { channel: 'review.counts', problem: expect.stringContaining('total') },
      },
    });
    tamper = () => ({ value: 1 });
    expect(await api.invoke('projects.list', {})).toMatchObject({ ok: false, error: { key: 'badAnswer' } });
    tamper = () => ({ ok: true, value: { saved: 'yes' } });
    expect(await api.saveFile(`${t.dataDir}/x`, 'x')).toMatchObject({
      ok: false,
      error: { key: 'badAnswer', params: { channel: 'save-file' } },
    });
  });

  it('hands events to the listeners of their name, read with their schema; drops one of another shape', async () => {
    const fx = await makeProject(t.core, ['One.', 'Two.']);
    const annotated: unknown[] = [];
    const changed: unknown[] = [];
    const off = api.on('review.annotated', (p) => annotated.push(p));
    api.on('project.changed', (p) => changed.push(p));
    await t.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: fx.examples[1],
      labelId: fx.labels.fair,
      queue: { kind: 'all' },
    });
    expect(annotated).toEqual([{ projectId: fx.projectId, exampleId: fx.examples[1] }]);
    const quiet = console.error;
    console.error = () => {};
    try {
      push({ name: 'review.annotated', payload: { projectId: 'one' } });
      push({ name: 'no.such', payload: {} });
      push('not an event');
    } finally {
      console.error = quiet;
    }
    expect(annotated).toHaveLength(1);
    off();
    push({ name: 'review.annotated', payload: { projectId: 1, exampleId: 2 } });
    expect(annotated).toHaveLength(1);
    push({ name: 'project.changed', payload: { projectId: 1, what: 'labels' } });
    expect(changed).toContainEqual({ projectId: 1, what: 'labels' });
  });
});
