/**
 * What a run trains on, frozen in runs/<id>/data.json so that a resumed run sees the same data: the documents and
 * their targets are chosen at run creation (`Unread`, runs/<id>/selection.json), their texts read by the training
 * worker when the run first starts (trainingTexts.ts), off the server's event loop.
 * A single-label run (no `kind`, as in data saved before multi-label runs existed) or a multi-label one.
 */
export type TrainData = SingleLabelData | MultiLabelData;

/** A document of `D` before its text is read: its example id in place of the text. */
type UnreadItem<T> = T extends { readonly text: string } ? Omit<T, 'text'> & { readonly id: number } : never;

/** A run's data before its texts are read: each document by its example id (runs/<id>/selection.json). */
export type Unread<D extends TrainData> = D extends unknown
  ? Omit<D, 'train' | 'validation'> & {
      readonly train: ReadonlyArray<UnreadItem<D['train'][number]>>;
      readonly validation: ReadonlyArray<UnreadItem<D['validation'][number]>>;
    }
  : never;

export interface SingleLabelData {
  readonly kind?: 'single';
  readonly labels: readonly string[];
  readonly train: ReadonlyArray<{
    readonly text: string;
    readonly label: number | null;
    readonly teacher: number[] | null;
  }>;
  /**
   * `fromTeacher`: the label is the teacher's top label (the document has no human label); absent in data saved
   * before it existed, which held human labels only where there were any.
   */
  readonly validation: ReadonlyArray<{
    readonly text: string;
    readonly label: number;
    readonly fromTeacher?: boolean;
  }>;
}

/**
 * A multi-label run (issue 16): label sets as sorted class indices ([] is "none of these"), the teacher's
 * independent per-label probabilities in `labels` order, and the positive weight of each label in the BCE term
 * (`positiveWeights` of distillMultilabel.ts, from the training documents' human label sets).
 */
export interface MultiLabelData {
  readonly kind: 'multi';
  readonly labels: readonly string[];
  readonly positiveWeights: readonly number[];
  readonly train: ReadonlyArray<{
    readonly text: string;
    readonly labels: number[] | null;
    readonly teacher: number[] | null;
  }>;
  /** `fromTeacher`: the set is the labels the teacher gives at least 0.5 (the document has no human label set). */
  readonly validation: ReadonlyArray<{
    readonly text: string;
    readonly labels: number[];
    readonly fromTeacher: boolean;
  }>;
}

/** A label set (class indices) as 0/1 per class. */
export function indicator(set: readonly number[], classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (const c of set) out[c] = 1;
  return out;
}
