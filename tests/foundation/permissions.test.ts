import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore, tempDir } from '../helpers';

/** Every file and folder under `root` (links not followed) that its group or others may read, write or enter. */
function openToOthers(root: string): string[] {
  const out: string[] = [];
  let seen = 0;
  const walk = (path: string): void => {
    const st = lstatSync(path);
    seen++;
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) out.push(`${relative(root, path) || '.'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  console.log(`[permissions] ${seen} files and folders checked under the data folder`);
  return out;
}

describe.skipIf(process.platform === 'win32')('data folder permissions', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('keeps everything owner-only after import, backup and training', async () => {
    const t = await testCore({ seedDemo: true });
    closers.push(() => t.close());
    const { core } = t;
    const project = await core.call('projects.create', { name: 'Permissions' });
    const src = tempDir();
    closers.push(src.cleanup);
    const csv = join(src.dir, 'notes.csv');
    writeFileSync(
      csv,
      'text,label\n' +
        Array.from(
          { length: 40 },
          (_, i) => `note ${i} ${i % 2 ? 'urgent pain' : 'routine check'},${i % 2 ? 'urgent' : 'routine'}\n`,
        ).join(''),
    );
    const imported = await core.jobs.wait(
      (
        await core.call('dataset.import', {
          projectId: project.id,
          path: csv,
          textColumn: 'text',
          labelColumn: 'label',
        })
      ).id,
    );
    expect(imported.state).toBe('completed');
    const demo = core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    const backup = await core.jobs.wait((await core.call('backup.create', { projectId: demo })).id);
    expect(backup.state).toBe('completed');
    const { job } = await core.call('student.train', {
      projectId: demo,
      settings: { useTeacher: false, maxEpochs: 1 },
    });
    expect((await core.jobs.wait(job.id)).state).toBe('completed');
    expect(readdirSync(core.paths.runs).length).toBeGreaterThan(0);
    expect(openToOthers(t.dataDir)).toEqual([]);
  });

  it('tightens a data folder that others could read, at start', async () => {
    const t = tempDir();
    closers.push(t.cleanup);
    mkdirSync(join(t.dir, 'runs', 'student-1'), { recursive: true });
    writeFileSync(join(t.dir, 'runs', 'student-1', 'texts.jsonl'), '{"text":"confidential"}\n');
    chmodSync(join(t.dir, 'runs', 'student-1', 'texts.jsonl'), 0o644);
    for (const d of [t.dir, join(t.dir, 'runs'), join(t.dir, 'runs', 'student-1')]) chmodSync(d, 0o755);
    expect(openToOthers(t.dir).length).toBe(4);
    const c = await testCore({ dataDir: t.dir });
    closers.push(() => c.close());
    expect(openToOthers(t.dir)).toEqual([]);
  });
});
