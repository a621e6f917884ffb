import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers';

let data: { dir: string; cleanup: () => void };
let files: { dir: string; cleanup: () => void };
beforeEach(() => {
  data = tempDir('distillery-resume-');
  files = tempDir('distillery-resume-files-');
});
afterEach(() => {
  data.cleanup();
  files.cleanup();
});

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', data.dir, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function csv(rows: number, word: string): string {
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++)
    lines.push(`${word} example number ${i} with a few more words,${i % 3 ? 'a' : 'b'}`);
  return lines.join('\n') + '\n';
}

it('refuses to resume (after kill -9 at ~30%) an import whose file was replaced, and leaves the project as before', async () => {
  const project = JSON.parse(cli('projects', 'create', 'Resume').stdout) as { id: number };
  const path = join(files.dir, 'notes.csv');
  const ROWS = 100_000;
  writeFileSync(path, csv(ROWS, 'old'));
  const child = spawn(
    process.execPath,
    ['bin/distillery.mjs', 'data', 'import', String(project.id), path, '--data-dir', data.dir, '--json'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise((r) => child.once('exit', r));
  // Watch the import's rows from outside, as a second reader, until ~30% are written.
  const db = join(data.dir, 'distillery.db');
  const tmp = join(data.dir, 'tmp');
  let written = 0;
  for (let tries = 0; written < ROWS * 0.3 && tries < 6000; tries++) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      const ro = new Database(db, { readonly: true, fileMustExist: true });
      try {
        written = (ro.prepare('SELECT COUNT(*) AS n FROM examples').get() as { n: number }).n;
      } finally {
        ro.close();
      }
    } catch {
      // Not created yet, or busy: try again.
    }
  }
  expect(written).toBeGreaterThanOrEqual(ROWS * 0.3);
  expect(written).toBeLessThan(ROWS);
  child.kill('SIGKILL');
  await exited;

  // The file is replaced by another version before the resume.
  writeFileSync(path, csv(ROWS, 'new'));
  const jobs = JSON.parse(cli('jobs', 'list').stdout) as Array<{ id: number; state: string; kind: string }>;
  const job = jobs.find((j) => j.kind === 'dataset.import');
  expect(job?.state).toBe('interrupted');
  const resumed = cli('jobs', 'resume', String(job!.id));
  expect(resumed.status).not.toBe(0);
  const error = JSON.parse(resumed.stderr.trim() || resumed.stdout) as {
    error: { code: string; message: string };
  };
  expect(error.error.code).toBe('CONFLICT');
  expect(error.error.message).toMatch(/notes\.csv changed since this import started .*import the file again/);
  expect(error.error.message).not.toMatch(/ at .*\.ts:\d+/);

  const stats = JSON.parse(cli('data', 'stats', String(project.id)).stdout) as {
    total: number;
    sources: unknown[];
  };
  expect(stats).toMatchObject({ total: 0, sources: [] });
  const ro = new Database(db, { readonly: true });
  try {
    expect(ro.prepare('SELECT COUNT(*) AS n FROM import_staging').get()).toEqual({ n: 0 });
    expect(readdirSync(tmp).filter((f) => f.includes('staging'))).toEqual([]);
    expect(ro.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    ro.close();
  }
  // A second resume is refused the same way: the replaced file is never imported under the old job.
  expect(cli('jobs', 'resume', String(job!.id)).status).not.toBe(0);
}, 400_000);
