import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, testCore } from '../helpers';

const data = tempDir();
let projectId = 0;
let rows = 0;

beforeAll(async () => {
  // The demo project (677 rows, well over a pipe's 64 KiB buffer once exported) in a closed data folder.
  const t = await testCore({ dataDir: data.dir, seedDemo: true });
  const [p] = await t.core.call('projects.list', {});
  projectId = p.id;
  rows = p.exampleCount;
  await t.close({ keep: true });
}, 120_000);
afterAll(() => data.cleanup());

function sh(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = `"${process.execPath}" bin/distillery.mjs`;

describe('the command line as people type it', () => {
  it('takes --data-dir DIR before the command', () => {
    const r = sh(`${cli} --data-dir "${data.dir}" projects list --json`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ id: number }>).map((p) => p.id)).toEqual([projectId]);
  }, 120_000);

  it('exits quietly when its output is piped into head, and writes --out /dev/stdout', () => {
    const piped = sh(
      `${cli} data export ${projectId} --format jsonl --out /dev/stdout --data-dir "${data.dir}" | head -n 1; ` +
        `echo "exit=\${PIPESTATUS[0]}" >&2`,
    );
    expect(piped.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(piped.stdout)).toMatchObject({ id: expect.any(Number), text: expect.any(String) });
    expect(piped.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(piped.stderr).toContain('exit=0');

    const out = join(data.dir, 'redirected.jsonl');
    const redirected = sh(
      `${cli} data export ${projectId} --format jsonl --out /dev/stdout --data-dir "${data.dir}" --json > "${out}"`,
    );
    expect(redirected.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    // Only the data on stdout (no JSON summary mixed in), every row of it.
    expect(lines).toHaveLength(rows);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty('text');
  }, 240_000);
});
