import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '../../src/main/core/core';
import { DATASETS } from '../helpers';
import { importFile } from '../dataset/fixtures';

export const ML_LABELS = ['Unilateral change', 'Arbitration', 'Content removal'] as const;

interface Row {
  readonly text: string;
  readonly labels: string[];
  readonly split: 'train' | 'validation';
}

/**
 * A small multi-label project from the CLAUDETTE sentences (../shared/datasets/unfair_tos), their labels kept to
 * three: 6 validation sentences with "Unilateral change", 2 with "Arbitration", 6 with none, and 3 training ones.
 * Enough for "Unilateral change" to be calibrated (5 of each class) and too few for the other two.
 */
export function claudetteSubset(): Row[] {
  const lines = readFileSync(join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv'), 'utf8')
    .split('\n')
    .slice(1);
  const rows = lines
    .map((l) => l.split('\t'))
    .filter((c) => c.length >= 5 && c[4].trim().length > 20 && c[4].length < 200)
    .map((c) => ({ text: c[4].trim(), labels: c[3] ? c[3].split('|') : [] }));
  const seen = new Set<string>();
  const take = (pred: (labels: string[]) => boolean, n: number, split: Row['split']): Row[] => {
    const out: Row[] = [];
    for (const r of rows) {
      if (out.length === n) break;
      if (seen.has(r.text) || !pred(r.labels)) continue;
      seen.add(r.text);
      out.push({
        text: r.text,
        labels: r.labels.filter((l) => (ML_LABELS as readonly string[]).includes(l)),
        split,
      });
    }
    return out;
  };
  return [
    ...take(
      (l) => l.includes('Unilateral change') && !l.includes('Arbitration') && !l.includes('Content removal'),
      6,
      'validation',
    ),
    ...take(
      (l) => l.includes('Arbitration') && !l.includes('Unilateral change') && !l.includes('Content removal'),
      2,
      'validation',
    ),
    ...take((l) => l.length === 0, 6, 'validation'),
    ...take((l) => l.includes('Content removal'), 1, 'train'),
    ...take((l) => l.includes('Arbitration'), 1, 'train'),
    ...take((l) => l.length === 0, 1, 'train'),
  ];
}

/** Writes the subset as a TSV (text, |-joined labels, split) and imports it into a new multi-label project. */
export async function multiLabelProject(
  core: Core,
  dir: string,
): Promise<{ projectId: number; rows: Row[] }> {
  const rows = claudetteSubset();
  const file = join(dir, `claudette-subset-${Date.now()}.tsv`);
  writeFileSync(
    file,
    ['text\tlabels\tsplit', ...rows.map((r) => `${r.text}\t${r.labels.join('|')}\t${r.split}`)].join('\n'),
  );
  const p = await core.call('projects.create', {
    name: `ToS ${Math.random().toString(36).slice(2)}`,
    kind: 'multi',
  });
  const { result } = await importFile(core, {
    projectId: p.id,
    path: file,
    textColumn: 'text',
    labelColumn: 'labels',
    splitColumn: 'split',
    multiLabel: { format: 'list', delimiter: '|' },
  });
  if (!result) throw new Error('the subset did not import');
  return { projectId: p.id, rows };
}
