/** Types of distillery-student.js / distillery-student.mjs, the exported student's runtime. */

export interface OperatingThreshold {
  readonly label: string;
  readonly classIndex: number;
  readonly threshold: number;
}

export interface Prediction {
  /** The decided label: the operating threshold applied when there is one, else the most probable label. */
  readonly label: string;
  /** Probabilities in the order of `labels`. */
  readonly probs: number[];
}

export interface StudentRuntime {
  readonly labels: readonly string[];
  readonly threshold: OperatingThreshold | null;
  /** One probability distribution per text (in `labels` order, each summing to 1). */
  predictProba(texts: readonly string[]): number[][];
  /** The decided label and the distribution of each text. */
  predict(texts: readonly string[]): Prediction[];
}

export class RuntimeError extends Error {
  readonly code: 'BAD_MODEL' | 'BAD_INPUT';
}

/** model.json (text or parsed), weights.bin (bytes), and deployment.json (text or parsed) for the threshold. */
export function loadStudentRuntime(
  modelJson: unknown,
  weights: ArrayBuffer | ArrayBufferView,
  deployment?: unknown,
): StudentRuntime;

export function decide(
  probs: readonly number[],
  labels: readonly string[],
  threshold: OperatingThreshold | null,
): string;
