import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '../../src/main/core/core';
import { DATASETS } from '../helpers';
import { importFile } from '../dataset/fixtures';

export const CLAUDETTE = join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv');

/**
 * A subset of CLAUDETTE for speed: every sentence with a label (1,032; 8 labels) and every 8th unlabelled one
 * ("none of these"), written as a TSV with the original columns. Returns its path and row count.
 */
export function writeClaudetteSubset(dir: string, everyNth = 8): { path: string; rows: number } {
  const [header, ...lines] = readFileSync(CLAUDETTE, 'utf8').split('\n').filter(Boolean);
  let none = 0;
  const kept = lines.filter((l) => {
    if (l.split('\t')[3] !== '') return true;
    return none++ % everyNth === 0;
  });
  const path = join(dir, 'claudette-subset.tsv');
  writeFileSync(path, [header, ...kept].join('\n') + '\n');
  return { path, rows: kept.length };
}

/** A multi-label project holding the subset, split 70/15/15 by iterative stratification (seed 1). */
export async function claudetteProject(
  core: Core,
  dir: string,
): Promise<{ projectId: number; rows: number }> {
  const { path, rows } = writeClaudetteSubset(dir);
  const projectId = (await core.call('projects.create', { name: 'ToS', kind: 'multi' })).id;
  const { result } = await importFile(core, {
    projectId,
    path,
    textColumn: 'text',
    labelColumn: 'labels',
    multiLabel: { format: 'list', delimiter: '|' },
  });
  if (!result) throw new Error('The CLAUDETTE subset did not import.');
  await core.call('dataset.split', { projectId, train: 0.7, validation: 0.15, test: 0.15, seed: 1 });
  return { projectId, rows };
}
