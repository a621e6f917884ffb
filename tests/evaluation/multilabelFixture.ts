import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASETS } from '../helpers';

/** The four commonest unfair-clause types of CLAUDETTE, the labels of the small multi-label evaluation project. */
export const EVAL_LABELS = [
  'Limitation of liability',
  'Unilateral termination',
  'Unilateral change',
  'Content removal',
] as const;

/**
 * A small multi-label project for the Evaluate step, from the CLAUDETTE sentences (../shared/datasets/unfair_tos):
 * the first `perLabel` sentences carrying each of EVAL_LABELS (and no other unfair type; several of the four at
 * once are kept), and `none` sentences with no label, in file order, split by position (3 of 5 train, 1 validation,
 * 1 test) so that every split has each label. Written as a TSV (text, |-joined labels, split); returns its path.
 */
export function writeEvaluationSubset(
  dir: string,
  opts: { perLabel?: number; none?: number } = {},
): { path: string; rows: number } {
  const perLabel = opts.perLabel ?? 50;
  const none = opts.none ?? 80;
  const lines = readFileSync(join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv'), 'utf8')
    .split('\n')
    .slice(1);
  const taken = new Map<string, string[]>();
  const counts = new Map<string, number>(EVAL_LABELS.map((l) => [l, 0]));
  let noneTaken = 0;
  for (const line of lines) {
    const c = line.split('\t');
    if (c.length < 5) continue;
    const text = c[4].trim();
    if (text.length < 25 || text.length > 400 || text.includes('"') || taken.has(text)) continue;
    const labels = c[3] ? c[3].split('|') : [];
    if (labels.some((l) => !(EVAL_LABELS as readonly string[]).includes(l))) continue;
    if (labels.length === 0) {
      if (noneTaken >= none) continue;
      noneTaken++;
    } else {
      if (labels.every((l) => (counts.get(l) ?? 0) >= perLabel)) continue;
      for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    taken.set(text, labels);
  }
  const rows = [...taken.entries()].map(([text, labels], i) => {
    const split = i % 5 === 3 ? 'validation' : i % 5 === 4 ? 'test' : 'train';
    return `${text}\t${labels.join('|')}\t${split}`;
  });
  const path = join(dir, 'claudette-evaluate.tsv');
  writeFileSync(path, ['text\tlabels\tsplit', ...rows].join('\n') + '\n');
  return { path, rows: rows.length };
}
