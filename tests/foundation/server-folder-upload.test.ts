import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { tempDir, testCore } from '../helpers';

/** Browser mode's folder import: a folder announced, its documents streamed into one owner-only upload. */
describe('browser-mode folder upload (real server, real SQLite)', () => {
  let server: RunningServer;
  let core: Core;
  let dataDir: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    const t = await testCore();
    const s = tempDir();
    core = t.core;
    dataDir = t.dataDir;
    server = await startServer({ core: t.core, staticDir: s.dir });
    close = async () => {
      await server.close();
      await t.close();
      s.cleanup();
    };
  });
  afterEach(async () => close());

  type Answer = {
    ok: boolean;
    value?: Record<string, unknown>;
    error?: { code: string; key?: string; message?: string };
  };
  const begin = async (body: unknown, token = server.token): Promise<{ status: number; json: Answer }> => {
    const res = await fetch(`${server.url}api/upload-folder`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Answer };
  };
  const put = async (id: string, path: string, text: string): Promise<{ status: number; json: Answer }> => {
    const res = await fetch(`${server.url}api/upload-folder/${id}?path=${encodeURIComponent(path)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: text,
    });
    return { status: res.status, json: (await res.json()) as Answer };
  };

  it('writes each document below one upload, owner-only, and the import reads it as a folder; the job ending removes it', async () => {
    const docs = {
      'fair/a.txt': 'The lease ends in May.',
      'unfair/b.txt': 'We may keep your deposit.',
      'c.md': 'Hi',
    };
    const bytes = Object.values(docs).reduce((n, t) => n + Buffer.byteLength(t), 0);
    const opened = await begin({ name: 'clauses', files: 3, bytes });
    expect(opened.json.ok).toBe(true);
    const { uploadId, path } = opened.json.value as { uploadId: string; path: string };
    expect(path).toBe(join(dataDir, 'uploads', uploadId, 'clauses'));
    for (const [p, text] of Object.entries(docs)) expect((await put(uploadId, p, text)).json.ok).toBe(true);
    expect(statSync(join(dataDir, 'uploads', uploadId)).mode & 0o777).toBe(0o700);
    expect(statSync(join(path, 'fair')).mode & 0o777).toBe(0o700);
    expect(statSync(join(path, 'fair', 'a.txt')).mode & 0o777).toBe(0o600);

    // The browser may name the uploaded folder (and nothing else) in a request.
    const invoke = async (channel: string, body: unknown): Promise<Answer> =>
      (await (
        await fetch(`${server.url}api/invoke/${channel}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.token}` },
          body: JSON.stringify(body),
        })
      ).json()) as Answer;
    const preview = await invoke('dataset.preview', { path });
    expect(preview).toMatchObject({
      ok: true,
      value: { format: 'folder', columns: ['text', 'file', 'folder'] },
    });
    expect((await invoke('dataset.preview', { path: join(dataDir, 'uploads') })).error?.key).toBe(
      'uploadsOnly',
    );
    const project = (await invoke('projects.create', { name: 'Folder' })).value as { id: number };
    const job = (await invoke('dataset.import', {
      projectId: project.id,
      path,
      format: 'folder',
      textColumn: 'text',
      labelColumn: 'folder',
    })) as Answer;
    await core.jobs.wait((job.value as { id: number }).id);
    const stats = (await invoke('dataset.stats', { projectId: project.id })).value as { total: number };
    expect(stats.total).toBe(3);
    expect(existsSync(join(dataDir, 'uploads', uploadId))).toBe(false);
  });

  it('refuses paths that leave the folder, hidden and foreign files, more than announced, and a second name clash', async () => {
    const { json } = await begin({ name: 'docs', files: 2, bytes: 10 });
    const id = (json.value as { uploadId: string }).uploadId;
    for (const bad of ['../escape.txt', '..\\escape.txt', '.hidden.txt', 'sub/.git/x.txt', '']) {
      const r = await put(id, bad, 'x');
      expect(r.status, bad).toBe(400);
      expect(r.json.error?.key, bad).toBe('folderUploadBadPath');
    }
    expect((await put(id, 'photo.png', 'x')).json.error?.key).toBe('folderUploadType');
    expect(readdirSync(join(dataDir, 'uploads')).length).toBe(1);
    expect(existsSync(join(dataDir, 'escape.txt'))).toBe(false);
    expect((await put(id, 'a.txt', '12345')).json.ok).toBe(true);
    // Six more bytes than announced: the upload ends and nothing of it stays.
    const over = await put(id, 'b.txt', '123456');
    expect(over.json.error?.key).toBe('folderUploadMore');
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
    expect((await put(id, 'c.txt', '1')).json.error?.key).toBe('folderUploadGone');

    // "a:b.txt" becomes "a_b.txt" on the disk: the clash is refused, not overwritten, and named by the name both
    // become, in whichever order they arrive (the page sends several files at once).
    for (const [first, second] of [
      ['a:b.txt', 'a_b.txt'],
      ['a_b.txt', 'a:b.txt'],
    ]) {
      const again = (await begin({ name: 'docs', files: 2, bytes: 2 })).json.value as { uploadId: string };
      expect((await put(again.uploadId, first, '1')).json.ok).toBe(true);
      const clash = await put(again.uploadId, second, '2');
      expect(clash.json.error?.key).toBe('folderUploadDuplicate');
      expect(clash.json.error?.message).toContain('"a_b.txt"');
    }
  });

  it('checks the announcement: a count, an empty folder, too many documents, more than the disk, the token', async () => {
    // The body is checked with its schema (src/shared/http.ts FolderUploadStart): every field, its type and range.
    for (const bad of [
      { name: 'x' },
      { name: 3, files: 1, bytes: 1 },
      { name: 'x', files: 1.5, bytes: 1 },
      { name: 'x', files: 1, bytes: -1 },
      { name: 'x', files: 1, bytes: 2 ** 53 },
    ]) {
      const r = await begin(bad);
      expect(r.status).toBe(400);
      expect(r.json.error?.key).toBe('folderUploadAnnounce');
    }
    expect((await begin({ name: 'x', files: 0, bytes: 0 })).json.error?.key).toBe('folderUploadEmpty');
    const many = await begin({ name: 'x', files: 100_001, bytes: 1 });
    expect(many.status).toBe(413);
    expect(many.json.error?.key).toBe('folderUploadTooMany');
    const huge = await begin({ name: 'x', files: 1, bytes: 2 ** 52 });
    expect(huge.status).toBe(413);
    expect(huge.json.error?.key).toBe('uploadTooLarge');
    const wrong = (server.token[0] === 'x' ? 'y' : 'x') + server.token.slice(1);
    expect((await begin({ name: 'x', files: 1, bytes: 1 }, wrong)).status).toBe(401);
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
  });
});
