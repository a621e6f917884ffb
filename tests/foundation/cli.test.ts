import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers';

const data = tempDir();
afterAll(() => data.cleanup());

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', data.dir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('distillery CLI', () => {
  it('creates and lists projects, with --json on stdout only', () => {
    const created = cli('projects', 'create', 'Contracts', '2026', '--json');
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'Contracts 2026', exampleCount: 0 });
    const listed = cli('projects', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
    const human = cli('projects', 'list');
    expect(human.stdout).toContain('Contracts 2026');
  });

  it('fails with a non-zero exit and a JSON error on stderr', () => {
    const dup = cli('projects', 'create', 'Contracts', '2026', '--json');
    expect(dup.status).toBe(1);
    expect(dup.stdout).toBe('');
    expect(JSON.parse(dup.stderr)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const unknown = cli('frobnicate', '--json');
    expect(unknown.status).toBe(2);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const badOption = cli('projects', 'list', '--colour');
    expect(badOption.status).toBe(1);
    expect(badOption.stderr).toMatch(/Unknown option/);
  });

  it('prints help listing every command', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    for (const c of ['serve', 'projects list', 'projects create', 'jobs resume'])
      expect(help.stdout).toContain(c);
  });
});

describe('one owner per data folder', () => {
  it('tells a second Distillery which process holds the data folder', async () => {
    const own = tempDir();
    const { spawn } = await import('node:child_process');
    const server = spawn(process.execPath, ['bin/distillery.mjs', 'serve', '--json', '--data-dir', own.dir], {
      cwd: ROOT,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.once('data', () => resolve());
        server.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
      });
      const r = spawnSync(
        process.execPath,
        ['bin/distillery.mjs', 'projects', 'list', '--json', '--data-dir', own.dir],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
      expect(r.status).toBe(1);
      const err = JSON.parse(r.stderr) as { error: { code: string; message: string } };
      expect(err.error.code).toBe('DB_LOCKED');
      expect(err.error.message).toContain(String(server.pid));
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      own.cleanup();
    }
  });
});
