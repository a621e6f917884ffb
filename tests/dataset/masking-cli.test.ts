import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { MaskPreview, MaskRule } from '../../src/shared/masking';
import { cliJson, tempDir } from '../helpers';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('distillery-mask-cli-');
});
afterEach(() => dir.cleanup());

const cli = (...args: string[]): Promise<unknown> => cliJson(dir.dir, ...args);

it('distillery data mask rules|add|enable|preview|remove with --json and --data-dir; a bad expression is refused', async () => {
  const project = (await cli('projects', 'create', 'Letters')) as { id: number };
  const id = String(project.id);
  const csv = join(dir.dir, 'letters.csv');
  writeFileSync(csv, 'text,label\n"Dear Ann Lee, seen 2024-03-05",a\n"Case PT-123456 for ann lee",b\n');
  await cli('data', 'import', id, csv, '--text', 'text', '--label', 'label');
  const names = join(dir.dir, 'names.txt');
  writeFileSync(names, 'Ann Lee\n张伟\n');
  await cli('data', 'mask', 'add', id, '--name', 'patients', '--names-file', names);
  await cli('data', 'mask', 'add', id, '--name', 'case', '--regex', 'pt-[0-9]{6}', '--ignore-case');
  const rules = (await cli('data', 'mask', 'enable', id, 'date')) as MaskRule[];
  expect(rules.filter((r) => r.enabled).map((r) => r.name)).toContain('date');
  const preview = (await cli('data', 'mask', 'preview', id)) as MaskPreview;
  const counts = Object.fromEntries(preview.perRule.map((r) => [r.rule, r.matches]));
  expect(counts).toMatchObject({ patients: 2, case: 1, date: 1 });

  const failed = await cli('data', 'mask', 'add', id, '--name', 'bad', '--regex', '(a+)+$').then(
    () => null,
    (e: { code: number; stderr: string }) => e,
  );
  expect(failed?.code).not.toBe(0);
  const error = JSON.parse(failed!.stderr.trim().split('\n').pop()!) as {
    error: { key: string; message: string };
  };
  expect(error.error.key).toBe('maskRegexTimeout');
  expect(error.error.message).toMatch(/backtracks catastrophically/);

  const after = (await cli('data', 'mask', 'remove', id, 'case')) as MaskRule[];
  expect(after.map((r) => r.name)).not.toContain('case');
}, 300_000);
