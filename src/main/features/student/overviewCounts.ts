import { labelCounts, type CountedAnswer } from '../../core/labelCounts';
import type { Db } from '../../core/store/db';

/** What the Train step shows before a run: how many documents a student would learn from, and be checked on. */
export interface TrainingCounts {
  /** Training documents (split train, or none) with a human label (set). */
  readonly trainHuman: number;
  /** Training documents without one that the teacher answered (its soft labels). */
  readonly trainTeacher: number;
  /** Validation documents with a human label (set) or a teacher answer. */
  readonly validation: number;
}

/**
 * The counts of `TrainingCounts` over the documents not removed by cleaning, with the human label of the project's
 * kind (the view human_labels, or human_label_sets in a multi-label project) and the answers of teacher run `runId`
 * (none when null). Read from the counts the triggers of migration 023 keep by split (core/labelCounts.ts): a few
 * rows, never a pass over the labels or the answers while the server answers nothing else. A document on the test
 * split, or removed, counts nowhere.
 */
export function trainingCounts(
  db: Db,
  projectId: number,
  kind: 'single' | 'multi',
  runId: number | null,
): TrainingCounts {
  const counts = labelCounts(db, projectId, runId);
  const ofKind = (answer: CountedAnswer): boolean =>
    answer !== 0 && typeof answer === (kind === 'multi' ? 'string' : 'number');
  const where = (split: string): 'train' | 'validation' | null =>
    split === 'validation' ? 'validation' : split === '' || split === 'train' ? 'train' : null;
  const total = <C extends { split: string; n: number }>(
    cells: readonly C[],
    on: 'train' | 'validation',
    keep: (c: C) => boolean,
  ): number => cells.reduce((s, c) => s + (where(c.split) === on && keep(c) ? c.n : 0), 0);
  const labelled = (on: 'train' | 'validation'): number => total(counts.human, on, (c) => ofKind(c.human));
  const answered = (on: 'train' | 'validation'): number => total(counts.answers, on, () => true);
  const both = (on: 'train' | 'validation'): number => total(counts.answers, on, (c) => ofKind(c.human));
  return {
    trainHuman: labelled('train'),
    trainTeacher: answered('train') - both('train'),
    validation: labelled('validation') + answered('validation') - both('validation'),
  };
}
