/**
 * What a trained student offers the rest of the app (evaluate, export, playground). Implemented by the student
 * feature (`loadStudent`); the same featurizer and weights as in training, so predictions are reproducible.
 */
export interface StudentPredictor {
  /** Label names, in the order of the probability vectors. */
  readonly labels: readonly string[];
  /**
   * 'single': each probability vector is a distribution (sums to 1). 'multi': independent per-label probabilities,
   * label k applying when its probability is at least thresholds[k].
   */
  readonly kind: 'single' | 'multi';
  /** 'multi' only: the model's threshold per label (model.json); null for single-label models. */
  readonly thresholds: readonly number[] | null;
  /** One probability vector per text. */
  predict(texts: readonly string[]): Promise<number[][]>;
  dispose(): void;
}

export { loadStudent } from './predict';
