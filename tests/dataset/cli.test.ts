import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DatasetStats, ImportResult } from '../../src/shared/dataset';
import { cliJson, DATASETS, tempDir } from '../helpers';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('distillery-cli-');
});
afterEach(() => dir.cleanup());

const cli = (...args: string[]): Promise<unknown> => cliJson(dir.dir, ...args);

it('imports, splits, locks and reports through "distillery data" with --json and --data-dir', async () => {
  const project = (await cli('projects', 'create', 'Queries')) as { id: number };
  const path = join(DATASETS, 'kuake_qic', 'KUAKE-QIC_dev.json');
  const imported = (await cli(
    'data',
    'import',
    String(project.id),
    path,
    '--text',
    'query',
    '--label',
    'label',
  )) as ImportResult;
  expect(imported).toMatchObject({ imported: 1955, skipped: 0 });
  await cli('data', 'split', String(project.id), '--seed', '3');
  const locked = (await cli('data', 'lock', String(project.id))) as DatasetStats;
  expect(locked.testLocked).toBe(true);
  expect(locked.splits.train + locked.splits.validation + locked.splits.test).toBe(1955);
  // Four CLI processes, each starting the core: on a loaded machine that is well over a minute.
}, 240_000);
