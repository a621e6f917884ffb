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

/** CLAUDETTE's 8 unfair-clause labels, as an import creates them (sorted). */
export const CLAUDETTE_LABELS = [
  'Arbitration',
  'Choice of law',
  'Content removal',
  'Contract by using',
  'Jurisdiction',
  'Limitation of liability',
  'Unilateral change',
  'Unilateral termination',
] as const;

/**
 * CLAUDETTE's sentences in file order as { labels ('|'-joined, '' for none), text }, from `minLength` to
 * `maxLength` characters: `labelled` holds the first `perLabel` sentences of each label (a sentence with two labels
 * counts for both), `none` every sentence with no label.
 */
export function claudettePerLabel(
  perLabel: number,
  opts: { minLength?: number; maxLength?: number } = {},
): { labelled: Array<{ labels: string; text: string }>; none: Array<{ labels: string; text: string }> } {
  const rows = readFileSync(CLAUDETTE, 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .map((c) => ({ labels: c[3], text: c[4] }))
    .filter((r) => r.text.length >= (opts.minLength ?? 0) && r.text.length <= (opts.maxLength ?? Infinity));
  const seen = new Set<string>();
  const count = new Map<string, number>();
  const labelled: Array<{ labels: string; text: string }> = [];
  for (const r of rows) {
    if (!r.labels || seen.has(r.text)) continue;
    const names = r.labels.split('|');
    if (!names.some((n) => (count.get(n) ?? 0) < perLabel)) continue;
    seen.add(r.text);
    labelled.push(r);
    for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
  }
  return { labelled, none: rows.filter((r) => !r.labels && !seen.has(r.text)) };
}
