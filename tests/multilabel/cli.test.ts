import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DatasetStats, ImportResult } from '../../src/shared/dataset';
import type { Project } from '../../src/shared/projects';
import { cliJson, DATASETS, tempDir } from '../helpers';
import { writeFixture } from '../dataset/fixtures';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('distillery-ml-cli-');
});
afterEach(() => dir.cleanup());

const cli = (...args: string[]): Promise<unknown> => cliJson(join(dir.dir, 'data'), ...args);

it('creates a multi-label project, imports CLAUDETTE and 0/1 columns, and splits it from the CLI', async () => {
  const project = (await cli('projects', 'create', 'ToS', '--multi-label')) as Project;
  expect(project.kind).toBe('multi');
  const imported = (await cli(
    'data',
    'import',
    String(project.id),
    join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv'),
    '--text',
    'text',
    '--label',
    'labels',
    '--label-format',
    'list',
    '--label-delimiter',
    '|',
  )) as ImportResult;
  expect(imported).toMatchObject({ imported: 9414, skipped: 0 });
  expect(imported.labelsCreated).toHaveLength(8);
  const cols = writeFixture(
    dir.dir,
    'cols.csv',
    'text,cardiac,infection\nchest pain,1,0\nfever,0,1\nnothing,0,0\n',
  );
  const more = (await cli(
    'data',
    'import',
    String(project.id),
    cols,
    '--text',
    'text',
    '--label-columns',
    'cardiac,infection',
  )) as ImportResult;
  expect(more.labelsCreated).toEqual(['cardiac', 'infection']);
  const stats = (await cli('data', 'split', String(project.id), '--seed', '2')) as DatasetStats;
  expect(stats.splits.train + stats.splits.validation + stats.splits.test).toBe(9417);
});
