/**
 * What a trained student offers the rest of the app (evaluate, export, playground). Implemented by the student
 * feature (`loadStudent`); the same featurizer and weights as in training, so predictions are reproducible.
 */
export interface StudentPredictor {
  /** Label names, in the order of the probability vectors. */
  readonly labels: readonly string[];
  /** One probability distribution per text (each sums to 1). */
  predict(texts: readonly string[]): Promise<number[][]>;
  dispose(): void;
}

export { loadStudent } from './predict';
