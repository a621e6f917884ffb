import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/main/cli/commands';
import { kebab } from '../../src/main/cli/schemaOptions';
import { ROOT, tempDir } from '../helpers';

const data = tempDir();
afterAll(() => data.cleanup());

/** The built CLI, with the arguments exactly as given. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fmt = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

describe('every command comes from the command table', () => {
  it('has a help text with its usage, every option it parses, --data-dir and --json', () => {
    expect(COMMANDS.length).toBeGreaterThan(50);
    for (const c of COMMANDS) {
      expect(c.help, c.name).toBeDefined();
      expect(c.help).toContain(`Usage: distillery ${c.name}`);
      for (const flag of [...Object.keys(c.options ?? {}), 'data-dir', 'json']) {
        expect(c.help, `${c.name} --${flag}`).toMatch(new RegExp(`^ {2}--${flag}\\b.* {2}\\S`, 'm'));
      }
    }
  });

  it("shows each derived option's default as the request schema has it (walks every command)", () => {
    let compared = 0;
    for (const c of COMMANDS) {
      for (const s of c.derived ?? []) {
        const shape = s.schema.shape as Record<
          string,
          { safeParse(v: unknown): { success: boolean; data?: unknown } }
        >;
        for (const d of s.derived) {
          // The default the schema fills in when the option is not given is the one the help shows.
          const filled = shape[d.key].safeParse(undefined);
          const schemaDefault = filled.success ? filled.data : undefined;
          expect(d.default, `${c.name} --${d.flag}`).toEqual(schemaDefault);
          const line = c.help?.split('\n').find((l) => l.startsWith(`  ${d.left} `));
          expect(line, `${c.name} --${d.flag}`).toBeDefined();
          const shown = /\bdefault ([^,)]+)\)?$/.exec(line ?? '')?.[1];
          if (typeof schemaDefault === 'boolean') {
            // A boolean's default is its flag: --x turns on what is off, --no-x turns off what is on.
            expect(d.flag.startsWith('no-'), `${c.name} --${d.flag}`).toBe(schemaDefault);
          } else if (
            schemaDefault === undefined ||
            schemaDefault === '' ||
            (Array.isArray(schemaDefault) && !schemaDefault.length)
          ) {
            expect(shown, `${c.name} --${d.flag}`).toBeUndefined();
          } else {
            expect(shown, `${c.name} --${d.flag}`).toBe(fmt(schemaDefault));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('writes no option by hand that a field of its request schema already is', () => {
    for (const c of COMMANDS) {
      const derivedFlags = new Set((c.derived ?? []).flatMap((s) => s.derived.map((d) => d.flag)));
      const fields = new Set((c.derived ?? []).flatMap((s) => Object.keys(s.schema.shape).map(kebab)));
      for (const flag of Object.keys(c.options ?? {})) {
        if (derivedFlags.has(flag) || c.decides?.includes(flag)) continue;
        expect(fields.has(flag), `${c.name} --${flag} is a field of its request`).toBe(false);
      }
    }
  });
});

describe('help on the command line', () => {
  it('prints a group\'s commands only: "teacher --help", "teacher prompt --help", "data --help"', () => {
    const teacher = cli('teacher', '--help');
    expect(teacher.status).toBe(0);
    expect(teacher.stdout).toContain('teacher run');
    expect(teacher.stdout).toContain('teacher prompt preview');
    expect(teacher.stdout).not.toContain('data import');
    const prompt = cli('teacher', 'prompt', '--help');
    expect(prompt.stdout).toContain('teacher prompt save');
    expect(prompt.stdout).not.toContain('teacher run ');
    expect(prompt.stdout).toMatch(/^Usage: distillery teacher prompt \.\.\./m);
    const eval_ = cli('eval', '--help');
    expect(eval_.stdout).toContain('eval threshold');
    expect(eval_.stdout).not.toMatch(/^ {2}teacher run/m);
  }, 300_000);

  it('"data import --help" lists its options with the defaults of the import schemas', () => {
    const help = cli('data', 'import', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: distillery data import PROJECT_ID FILE \[options\]$/m);
    expect(help.stdout).toMatch(/--label-format auto\|list\|json\|columns +Multi-label.*\(default auto\)/);
    expect(help.stdout).toMatch(/--label-delimiter STR +.*\(default \|\)/);
    expect(help.stdout).toMatch(/--on-existing skip\|update\|add +/);
    expect(help.stdout).toMatch(/--encoding ENC +/);
    expect(help.stdout).toMatch(/--data-dir DIR +The data folder/);
    expect(help.stdout).toMatch(/--json +Print the result as JSON/);
  }, 300_000);

  it("shows the teacher's, search's, team's and predict's defaults from their schemas", () => {
    const run = cli('teacher', 'run', '--help').stdout;
    expect(run).toMatch(/--concurrency N +.*\(a whole number, 1 to 64, default 4\)/);
    expect(run).toMatch(/--few-shot N +.*\(a whole number, 0 to 20, default 0\)/);
    expect(run).toMatch(/--reasoning-budget N +.*default 256\)/);
    expect(run).toMatch(/--mode direct\|reasoning +.*\(default direct\)/);
    expect(run).toMatch(/--split train\|validation\|test\|none +.*repeat it for more/);
    expect(run).toMatch(/--seed N +.*default 1\)/);
    // The same --sample is a preview's 20 by default, and no default for a run.
    expect(cli('teacher', 'prompt', 'preview', '--help').stdout).toMatch(/--sample N +.*default 20\)/);
    expect(run).not.toMatch(/--sample N .*default/);
    expect(cli('data', 'search', '--help').stdout).toMatch(/--limit N +.*1 to 1000, default 100\)/);
    expect(cli('team', 'assign', '--help').stdout).toMatch(/--overlap N +.*\(0 to 1, default 0\.1\)/);
    expect(cli('predict', '--help').stdout).toMatch(
      /--batch N +.*\(a whole number, 1 to 100000, default 256\)/,
    );
  }, 300_000);
});

describe('values on the command line', () => {
  it('names the option of a bad number, exits non-zero, and says so in JSON under --json', () => {
    const d = ['--data-dir', data.dir];
    const cases: Array<[string[], string]> = [
      [
        ['teacher', 'run', '1', '--few-shot', 'lots', ...d],
        '--few-shot must be a number (a whole number, 0 to 20',
      ],
      [
        ['teacher', 'plan', '1', '--concurrency', '0', '--endpoint', 'http://x', ...d],
        '--concurrency must be',
      ],
      [
        ['data', 'search', '1', '--limit', 'many', ...d],
        '--limit must be a number (a whole number, 1 to 1000',
      ],
      [
        ['team', 'assign', '1', '--annotator', 'alice', '--overlap', 'half', ...d],
        '--overlap must be a number',
      ],
      [['data', 'leakage', '1', '--threshold', '2', ...d], '--threshold must be a number (0.5 to 1'],
      [['predict', '--model', data.dir, '--batch', 'big'], '--batch must be a number'],
      [['serve', '--port', 'eighty', ...d], '--port must be a number'],
      [['data', 'mask', 'preview', '1', '--sample', '0', ...d], '--sample must be a number'],
      [['eval', 'threshold', '--project', '1', '--recall', 'high', ...d], '--recall must be a number'],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    const json = cli('train', '1', '--epochs', 'x', '--json', ...d);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('--epochs must be a number') },
    });
    const file = cli(
      'teacher',
      'prompt',
      'save',
      '1',
      '--name',
      'x',
      '--template',
      join(data.dir, 'no.txt'),
      ...d,
    );
    expect(file.status).toBe(1);
    expect(file.stderr).toContain('--template must be a file that can be read (ENOENT)');
    const id = cli('teacher', 'check', 'first', ...d);
    expect(id.status).toBe(1);
    expect(id.stderr).toContain('Give the run id as a positive whole number (see "distillery teacher status');
  }, 300_000);

  it("takes --data-dir before the command, inside it or after it; search shows the schema's 100 rows", () => {
    const created = cli('--data-dir', data.dir, 'projects', 'create', 'Many', '--json');
    expect(created.status).toBe(0);
    const id = String((JSON.parse(created.stdout) as { id: number }).id);
    const csv = join(data.dir, 'many.csv');
    writeFileSync(
      csv,
      'text,label\n' + Array.from({ length: 150 }, (_, i) => `note ${i},${i % 2 ? 'a' : 'b'}`).join('\n'),
    );
    const imported = cli(
      'data',
      '--data-dir',
      data.dir,
      'import',
      id,
      csv,
      '--text',
      'text',
      '--label',
      'label',
    );
    expect(imported.status, imported.stderr).toBe(0);
    const stats = cli('data', 'stats', id, '--json', '--data-dir', data.dir);
    expect(JSON.parse(stats.stdout)).toMatchObject({ total: 150 });
    // Without --limit the page is the request schema's default (it was 20, written by hand).
    const page = cli('data', 'search', id, '--json', '--data-dir', data.dir);
    expect((JSON.parse(page.stdout) as { rows: unknown[] }).rows).toHaveLength(100);
    const few = cli('--data-dir', data.dir, 'data', 'search', id, 'note', '--limit', '7', '--json');
    expect((JSON.parse(few.stdout) as { rows: unknown[] }).rows).toHaveLength(7);
  }, 300_000);
});
