import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupResult } from '../../src/shared/backup';
import type { TeacherModel } from '../../src/shared/teacher';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { tempDir, testCore } from '../helpers';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** Every text value of the database that names `dir` (the texts themselves excluded). */
function mentions(db: import('../../src/main/core/store/db').Db, dir: string): number {
  let n = 0;
  for (const [table, column] of [
    ['teacher_models', 'file_path'],
    ['student_runs', 'model_path'],
    ['checkpoints', 'path'],
    ['jobs', 'params'],
    ['jobs', 'result'],
    ['jobs', 'checkpoint'],
    ['audit_log', 'details'],
  ]) {
    n += (
      db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE instr(${column}, ?) > 0`).get(dir + '/') as {
        n: number;
      }
    ).n;
  }
  return n;
}

describe('a data folder moved or copied elsewhere', () => {
  it('works end to end after the original is deleted: models, runs, backups with files, export and the playground', async () => {
    const root = tempDir('distillery-move-');
    closers.push(root.cleanup);
    const original = join(root.dir, 'original');
    const moved = join(root.dir, 'elsewhere', 'copy');
    mkdirSync(join(root.dir, 'elsewhere'));

    const a = await testCore({ dataDir: original });
    const model = (
      await a.core.jobs.wait((await a.core.call('teacher.importModel', { path: tinyModelPath() })).id)
    ).result as TeacherModel;
    const p = await a.core.call('projects.create', { name: 'Moving' });
    const lines = ['text,label'];
    for (let i = 0; i < 120; i++)
      lines.push(
        `"note ${i} about ${i % 2 ? 'billing and invoices' : 'pain and fever'}",${i % 2 ? 'b' : 'p'}`,
      );
    const csv = join(root.dir, 'notes.csv');
    writeFileSync(csv, lines.join('\n'));
    await a.core.jobs.wait(
      (
        await a.core.call('dataset.import', {
          projectId: p.id,
          path: csv,
          textColumn: 'text',
          labelColumn: 'label',
        })
      ).id,
    );
    await a.core.call('dataset.split', { projectId: p.id, seed: 1 });
    const { run, job } = await a.core.call('student.train', { projectId: p.id, settings: { maxEpochs: 2 } });
    expect((await a.core.jobs.wait(job.id)).state).toBe('completed');
    const expected = await a.core.call('student.predict', { runId: run.id, texts: ['pain and fever again'] });
    await a.close({ keep: true });

    execFileSync('cp', ['-a', original, moved]);
    rmSync(original, { recursive: true, force: true });

    const b = await testCore({ dataDir: moved });
    closers.push(() => b.close({ keep: true }));
    expect(mentions(b.core.db, original)).toBe(0);
    expect(mentions(b.core.db, moved)).toBeGreaterThan(0);
    const models = await b.core.call('teacher.models', {});
    const stored = b.core.db
      .prepare('SELECT file_path FROM teacher_models WHERE id = ?')
      .pluck()
      .get(model.id) as string;
    expect(stored.startsWith(join(moved, 'models'))).toBe(true);
    expect(existsSync(stored)).toBe(true);
    expect(models.map((m) => m.id)).toContain(model.id);
    // The student's files are read from the copy.
    expect(await b.core.call('student.predict', { runId: run.id, texts: ['pain and fever again'] })).toEqual(
      expected,
    );
    const playground = await b.core.call('export.playground', {
      projectId: p.id,
      text: 'pain and fever again',
    });
    expect(playground).toBeTruthy();
    const exported = await b.core.call('export.student', { projectId: p.id });
    expect(exported.dir.startsWith(moved)).toBe(true);
    expect(exported.files.length).toBeGreaterThan(0);
    const backup = await b.core.jobs.wait((await b.core.call('backup.create', { projectId: p.id })).id);
    expect(backup.state).toBe('completed');
    const result = backup.result as BackupResult;
    console.log(
      `moved folder: backup of ${result.rows} rows and ${result.files} files; export of ${exported.files.length} files`,
    );
    expect(result.files).toBeGreaterThan(0);
  }, 600_000);
});
