/**
 * The exported student's runtime: loads a student model (model.json + weights.bin) and predicts, in a browser or
 * in Node. It imports no Node or DOM API. It is bundled at build time, together with the student feature's own
 * featurizer and forward pass (out/main/student-runtime/), and copied into each exported folder
 * (distillery-student.js / .mjs), so that there is one source for the app and the runtime and their predictions agree.
 */
import type { FeaturizerConfig } from '../../student/featurizer';
import { outputProbabilities, type ModelDescription } from '../../student/model';
import { buildModel, createForward, modelInput } from '../../student/modelKinds';

export const EXPORT_FORMAT = 'distillery-export';
export const EXPORT_FORMAT_VERSION = 1;

/** The operating point chosen in Evaluate: predict `label` when its probability is at least `threshold`. */
export interface OperatingThreshold {
  readonly label: string;
  readonly classIndex: number;
  readonly threshold: number;
}

/** deployment.json of an exported folder. */
export interface Deployment {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly labels: readonly string[];
  readonly threshold: OperatingThreshold | null;
  /**
   * Multi-label models: the threshold of each label (in `labels` order) saved in Evaluate, or the model's own
   * (tuned in training); absent or null for single-label models, and for a multi-label one without saved ones.
   */
  readonly labelThresholds?: readonly number[] | null;
  readonly featurizer: FeaturizerConfig;
  readonly model: { readonly json: string; readonly weights: string };
  readonly report: string | null;
  readonly source: Readonly<Record<string, unknown>>;
  readonly exportedAt: string;
  /** SHA-256 of every file of the folder (besides this one), by path relative to the folder. */
  readonly files: Readonly<Record<string, string>>;
}

export interface Prediction {
  /**
   * The decided label: the operating threshold applied when there is one, else the most probable label. Multi-label
   * models: the labels of `labelSet` joined with '|' ('' when none applies: "none of these").
   */
  readonly label: string;
  /** Probabilities in the order of `labels` (multi-label models: independent, one per label). */
  readonly probs: number[];
  /**
   * Multi-label models only: every label whose probability is at least its threshold, with that probability, most
   * probable first ([] is "none of these").
   */
  readonly labelSet?: ReadonlyArray<{ readonly label: string; readonly probability: number }>;
}

export interface StudentRuntime {
  readonly labels: readonly string[];
  readonly threshold: OperatingThreshold | null;
  /** 'multi': independent per-label probabilities and a label set per text. */
  readonly kind: 'single' | 'multi';
  /** Multi-label models: the threshold of each label in use (deployment.json's, else the model's). */
  readonly thresholds: readonly number[] | null;
  /**
   * One probability vector per text, in `labels` order: a distribution summing to 1, or (multi-label) an
   * independent probability per label.
   */
  predictProba(texts: readonly string[]): number[][];
  /** The decided label and the distribution of each text. */
  predict(texts: readonly string[]): Prediction[];
}

/** A problem with the model files or the input, with a message for the person running it. */
export class RuntimeError extends Error {
  readonly code: 'BAD_MODEL' | 'BAD_INPUT';
  constructor(code: 'BAD_MODEL' | 'BAD_INPUT', message: string) {
    super(message);
    this.name = 'RuntimeError';
    this.code = code;
  }
}

interface TensorSpec {
  readonly name: string;
  readonly dtype: 'float32' | 'uint32';
  readonly shape: readonly number[];
  readonly offset: number;
}

interface ModelJson extends ModelDescription {
  readonly format: string;
  readonly version: number;
  readonly tensors: readonly TensorSpec[];
}

function bad(message: string): RuntimeError {
  return new RuntimeError('BAD_MODEL', `${message} Export the model again from Distillery.`);
}

function toBytes(weights: ArrayBuffer | ArrayBufferView): DataView {
  return ArrayBuffer.isView(weights)
    ? new DataView(weights.buffer, weights.byteOffset, weights.byteLength)
    : new DataView(weights);
}

function tensor(
  view: DataView,
  specs: readonly TensorSpec[],
  name: string,
  dtype: TensorSpec['dtype'],
): Float32Array | Uint32Array {
  const spec = specs.find((s) => s.name === name);
  if (!spec || spec.dtype !== dtype) throw bad(`The model has no ${dtype} tensor "${name}".`);
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(n) || n < 0 || spec.offset < 0 || spec.offset + 4 * n > view.byteLength) {
    throw bad(`The weights file is truncated or does not match model.json (tensor "${name}").`);
  }
  const out = dtype === 'float32' ? new Float32Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] =
      dtype === 'float32'
        ? view.getFloat32(spec.offset + 4 * i, true)
        : view.getUint32(spec.offset + 4 * i, true);
  }
  return out;
}

function parseJson(text: unknown, what: string): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw bad(`${what} is not valid JSON (the file is damaged).`);
  }
}

/** The decided label: the threshold's label when its probability reaches the threshold, else the best other one. */
export function decide(
  probs: readonly number[],
  labels: readonly string[],
  threshold: OperatingThreshold | null,
): string {
  let best = -1;
  if (threshold && threshold.classIndex >= 0 && threshold.classIndex < probs.length) {
    if (probs[threshold.classIndex] >= threshold.threshold) return labels[threshold.classIndex];
    for (let c = 0; c < probs.length; c++) {
      if (c !== threshold.classIndex && (best < 0 || probs[c] > probs[best])) best = c;
    }
    return labels[best] ?? labels[threshold.classIndex];
  }
  for (let c = 0; c < probs.length; c++) if (best < 0 || probs[c] > probs[best]) best = c;
  return labels[best];
}

/** Multi-label: the labels at or above their thresholds, with their probabilities, most probable first. */
export function decideSet(
  probs: readonly number[],
  labels: readonly string[],
  thresholds: readonly number[],
): Array<{ label: string; probability: number }> {
  return labels
    .map((label, k) => ({ label, probability: probs[k] }))
    .filter((x, k) => x.probability >= thresholds[k])
    .sort((a, b) => b.probability - a.probability);
}

/** A model's prediction from its probabilities: a label (single-label) or a label set (multi-label). */
export function predictionOf(
  probs: number[],
  m: {
    readonly labels: readonly string[];
    readonly thresholds: readonly number[] | null;
    readonly threshold: OperatingThreshold | null;
  },
): Prediction {
  if (m.thresholds) {
    const labelSet = decideSet(probs, m.labels, m.thresholds);
    return { label: labelSet.map((l) => l.label).join('|'), probs, labelSet };
  }
  return { label: decide(probs, m.labels, m.threshold), probs };
}

/** The thresholds of a multi-label model: deployment.json's when they fit its labels, else the model's own. */
function thresholdsOf(
  model: {
    readonly kind?: string;
    readonly thresholds?: readonly number[];
    readonly labels: readonly string[];
  },
  dep: Partial<Deployment> | null,
): readonly number[] | null {
  if (model.kind !== 'multi') return null;
  const saved = dep?.labelThresholds;
  if (Array.isArray(saved) && saved.length === model.labels.length) return saved;
  return model.thresholds ?? null;
}

/**
 * Loads a student from the contents of its files: model.json (text or parsed), weights.bin (bytes) and, when
 * there is one, deployment.json (for the operating threshold).
 */
export function loadStudentRuntime(
  modelJson: unknown,
  weights: ArrayBuffer | ArrayBufferView,
  deployment?: unknown,
): StudentRuntime {
  const json = parseJson(modelJson, 'model.json') as Partial<ModelJson> | null;
  if (!json || json.format !== 'distillery-student') {
    throw bad('model.json is not a Distillery student model.');
  }
  if (json.version !== 1) {
    throw new RuntimeError(
      'BAD_MODEL',
      `This runtime reads student models of version 1; this one is version ${String(json.version)}.`,
    );
  }
  const labels = json.labels;
  if (
    !Array.isArray(labels) ||
    labels.length < 2 ||
    typeof json.dim !== 'number' ||
    typeof json.architecture !== 'string' ||
    !json.featurizer ||
    !Array.isArray(json.tensors)
  ) {
    throw bad('model.json is incomplete.');
  }
  const view = toBytes(weights);
  const specs = json.tensors;
  let model;
  try {
    model = buildModel(json as ModelJson, (name, dtype) => tensor(view, specs, name, dtype));
  } catch (e) {
    if (e instanceof RuntimeError) throw e;
    throw bad(`The weights do not match the model description: ${(e as Error).message}`);
  }
  const dep =
    deployment === undefined
      ? null
      : (parseJson(deployment, 'deployment.json') as Partial<Deployment> | null);
  const thresholds = thresholdsOf(model, dep);
  const threshold = thresholds ? null : (dep?.threshold ?? null);
  const forward = createForward(model);
  const predictProba = (texts: readonly string[]): number[][] =>
    texts.map((text) => {
      if (typeof text !== 'string')
        throw new RuntimeError('BAD_INPUT', 'Every text to predict must be a string.');
      return outputProbabilities(model, forward(modelInput(model, text)));
    });
  const decided = { labels, thresholds, threshold };
  return {
    labels,
    threshold,
    kind: thresholds ? 'multi' : 'single',
    thresholds,
    predictProba,
    predict: (texts) => predictProba(texts).map((probs) => predictionOf(probs, decided)),
  };
}

/** One line of JSONL input: `{"text": "...", "id": ...}` (other fields are kept) or a bare JSON string. */
export type InputLine =
  | { readonly ok: true; readonly text: string; readonly record: Readonly<Record<string, unknown>> | null }
  | { readonly ok: false; readonly error: string };

export function parseInputLine(line: string): InputLine {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch {
    return { ok: false, error: 'not valid JSON' };
  }
  if (typeof value === 'string') return { ok: true, text: value, record: null };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const text = (value as { text?: unknown }).text;
    if (typeof text === 'string') return { ok: true, text, record: value as Record<string, unknown> };
    return { ok: false, error: 'no "text" field with a string' };
  }
  return { ok: false, error: 'expected an object with a "text" field, or a string' };
}

/**
 * One line of JSONL output: the input's id (when it has one), the decided label (multi-label: `labels`, every label
 * at or above its threshold with its probability) and the probabilities by label.
 */
export function outputRecord(
  labels: readonly string[],
  prediction: Prediction,
  input: { readonly line: number; readonly record: Readonly<Record<string, unknown>> | null },
): Record<string, unknown> {
  const probabilities: Record<string, number> = {};
  labels.forEach((l, i) => (probabilities[l] = prediction.probs[i]));
  const out: Record<string, unknown> = { line: input.line };
  if (input.record && 'id' in input.record) out.id = input.record.id;
  if (prediction.labelSet) out.labels = prediction.labelSet;
  else out.label = prediction.label;
  out.probabilities = probabilities;
  return out;
}
