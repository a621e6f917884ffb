import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { schemaOptions } from '../../src/main/cli/schemaOptions';
import { SplitRequest } from '../../src/shared/dataset';
import { ROOT, tempDir } from '../helpers';

const data = tempDir();
afterAll(() => data.cleanup());

/** The built CLI, with the arguments exactly as given (the data folder wherever the caller puts it). */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('options derived from a request schema', () => {
  const schema = z.object({
    projectId: z.number().int().positive(),
    share: z.number().min(0).max(1).default(0.8).describe('Share for training'),
    seed: z.number().int().default(42).describe('Seed'),
    stratify: z.boolean().default(true).describe('Keep label proportions'),
    mask: z.boolean().default(false).describe('Mask identifiers'),
    format: z.enum(['csv', 'jsonl']).default('csv').describe('File format'),
  });
  const o = schemaOptions(schema, { share: {}, seed: {}, stratify: {}, mask: {}, format: { flag: 'as' } });

  it('names each option after its field, turns a default-on boolean off with --no-, and lists enum choices', () => {
    expect(o.options).toEqual({
      share: { type: 'string' },
      seed: { type: 'string' },
      'no-stratify': { type: 'boolean' },
      mask: { type: 'boolean' },
      as: { type: 'string' },
    });
    expect(o.synopsis).toBe('[--share N] [--seed N] [--no-stratify] [--mask] [--as csv|jsonl]');
  });

  it('writes help from the schema: description, range, whole numbers and default', () => {
    const lines = o.help.split('\n');
    expect(lines[0]).toMatch(/^ {2}--share N +Share for training \(0 to 1, default 0\.8\)$/);
    expect(lines[1]).toMatch(/--seed N +Seed \(a whole number, default 42\)$/);
    expect(lines[2]).toMatch(/--no-stratify +Turn off: Keep label proportions \(on by default\)$/);
    expect(lines[4]).toMatch(/--as csv\|jsonl +File format \(default "?csv"?\)$/);
  });

  it('reads only what was given, as the schema types it, and names the option when a value is wrong', () => {
    expect(o.read({})).toEqual({});
    expect(o.read({ share: '0.5', seed: '7', 'no-stratify': true, mask: true, as: 'jsonl' })).toEqual({
      share: 0.5,
      seed: 7,
      stratify: false,
      mask: true,
      format: 'jsonl',
    });
    expect(() => o.read({ share: 'abc' })).toThrow(
      /--share must be a number \(0 to 1, default 0\.8\); got "abc"/,
    );
    expect(() => o.read({ share: '2' })).toThrow(/--share must be a number/);
    expect(() => o.read({ seed: '1.5' })).toThrow(/--seed must be a number \(a whole number/);
    expect(() => o.read({ seed: '' })).toThrow(/--seed/);
    expect(() => o.read({ as: 'xml' })).toThrow(/--as must be one of csv, jsonl/);
  });

  it('refuses a field the schema does not have (a typo in a command is found at start, not by a user)', () => {
    expect(() => schemaOptions(SplitRequest, { shares: {} } as never)).toThrow(/no field "shares"/);
  });
});

describe('distillery data on the command line', () => {
  it('"data --help" lists the data commands only', () => {
    const help = cli('data', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('data import');
    expect(help.stdout).toContain('data split');
    expect(help.stdout).not.toContain('projects list');
    expect(help.stdout).not.toContain('teacher run');
    const global = cli('--help');
    expect(global.stdout).toContain('projects list');
  });

  it('"data split --help" shows each option with the default and range the request schema gives', () => {
    const help = cli('data', 'split', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--train N +Share of the examples for training \(0 to 1, default 0\.8\)/);
    expect(help.stdout).toMatch(/--seed N +.*default 42/);
    expect(help.stdout).toContain('--no-stratify');
  });

  it('"data clean" keeps the flags users already have, now read from the cleaning schema', () => {
    const help = cli('data', 'clean', '--help');
    expect(help.status).toBe(0);
    for (const flag of ['--min-chars N', '--max-chars N', '--near-duplicates', '--threshold N', '--mask']) {
      expect(help.stdout).toContain(flag);
    }
    for (const flag of ['--no-nfkc', '--no-whitespace', '--no-duplicates', '--apply', '--undo']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toMatch(/--threshold N +.*\(0\.5 to 1, default 0\.85\)/);
  });

  it('takes --data-dir before or after the command, and names a wrong option value', () => {
    const before = cli('--data-dir', data.dir, 'projects', 'create', 'Split', '--json');
    expect(before.status).toBe(0);
    const id = String((JSON.parse(before.stdout) as { id: number }).id);
    const after = cli('projects', 'list', '--json', '--data-dir', data.dir);
    expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ name: 'Split' })]);
    const bad = cli('data', 'split', id, '--train', 'most', '--data-dir', data.dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--train must be a number (0 to 1, default 0.8); got "most"');
    const split = cli('--data-dir', data.dir, 'data', 'split', id, '--seed', '3', '--no-stratify', '--json');
    expect(split.status).toBe(0);
    expect(JSON.parse(split.stdout)).toMatchObject({ total: 0 });
  }, 180_000);
});

describe('distillery train on the command line', () => {
  it('"train --help" prints the training options from the settings schema, and no other command\'s', () => {
    const help = cli('train', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(
      /--epochs N +Passes over the training data at most \(a whole number, 1 to 200, default 20\)/,
    );
    expect(help.stdout).toMatch(
      /--architecture sparse\|fasttext\|cnn\|transformer +Student: .*\(default "?sparse"?\)/,
    );
    expect(help.stdout).toMatch(/--learning-rate N +Step size of the optimizer \(at most 1, default 0\.01\)/);
    // Auto is on by default: its flag turns it off, and its help says so.
    expect(help.stdout).toMatch(/--no-auto +Turn off: .*configurations.*\(on by default\)/);
    for (const flag of [
      '--human-only',
      '--use-teacher',
      '--from-run RUN_ID',
      '--detach',
      '--kernel-size N',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).not.toContain('data split');
  });

  it('names a wrong training option before opening anything, with --data-dir after the command', () => {
    const bad = cli('train', '1', '--human-only', '--epochs', 'many', '--data-dir', data.dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      '--epochs must be a number (a whole number, 1 to 200, default 20); got "many"',
    );
    const range = cli('--data-dir', data.dir, 'train', '1', '--human-only', '--dropout', '0.95');
    expect(range.status).toBe(1);
    expect(range.stderr).toContain('--dropout must be a number (0 to 0.9, default 0.5); got "0.95"');
  });
});

describe('distillery eval on the command line', () => {
  it('"eval run --help" and "eval threshold --help" print their options from the request schemas', () => {
    const run = cli('eval', 'run', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /--iterations N +Bootstrap resamples .*\(a whole number, 0 to 10000, default 1000\)/,
    );
    expect(run.stdout).toMatch(/--seed N +Seed of the bootstrap resampling \(a whole number, .*default 42\)/);
    expect(run.stdout).not.toContain('--cost-fp');
    const threshold = cli('eval', 'threshold', '--help');
    expect(threshold.status).toBe(0);
    expect(threshold.stdout).toMatch(/--cost-fp N +Cost of a false positive \(at least 0, default 1\)/);
    expect(threshold.stdout).toMatch(/--cost-fn N +Cost of a false negative/);
  });

  it('names a wrong bootstrap option before opening anything', () => {
    const bad = cli('eval', 'run', '--project', '1', '--iterations', 'lots', '--data-dir', data.dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      '--iterations must be a number (a whole number, 0 to 10000, default 1000); got "lots"',
    );
  });
});
