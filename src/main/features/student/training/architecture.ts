import type { StudentArchitectureName, TrainSettings } from '../../../../shared/student';
import type { DistillTarget, LossAndGrad } from '../distill';
import type { FeaturizerConfig } from '../featurizer';
import type { Forward, StudentModel } from '../model';
import type { RowDecay } from './adam';
import type { RowGrad } from './slots';

/**
 * A student architecture, as the one training loop (trainer.ts) sees it. Every architecture keeps its parameters
 * in the same shape (`Params`): an embedding table with one row per slot (a bucket id of the featurizer seen in
 * the training data), trained with lazy Adam, and named dense tensors trained with dense Adam. The loop owns
 * everything else: slots, the shuffle, batches, the learning-rate schedule, Adam, validation, early stopping,
 * checkpoints, warm starts, pause and resume. An architecture registers itself in `architectures.ts`.
 */
export interface StudentArchitecture {
  readonly name: StudentArchitectureName;
  /** Where runs of this architecture would train, as far as can be told without loading anything. */
  expectedBackend(): string;
  /**
   * Why an earlier model of this architecture cannot start a run with these settings (its sizes differ), or null.
   * Labels, featurizer, architecture and `dim` are checked by the loop.
   */
  initMismatch(model: StudentModel, settings: TrainSettings, which: string): string | null;
  /** The width of its models' embedding rows (model.json `dim`) for a run of these settings and classes. */
  modelDim(settings: TrainSettings, classes: number): number;
  /**
   * Whether its head takes the loss the loop gives each batch (`BatchInput.loss`): only such an architecture trains
   * multi-label projects (independent sigmoid outputs), since the loop then picks the loss for the project's kind.
   */
  readonly lossFromLoop: boolean;
  /** Prepares a run (loads its compute backend): once per run, in the training worker. */
  open(spec: RunSpec): Promise<OpenArchitecture>;
}

/** What a run is: its settings, labels (classes, in order) and featurizer. */
export interface RunSpec {
  readonly settings: TrainSettings;
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  /** One label per document (absent: 'single') or a label set ('multi'). */
  readonly kind?: 'single' | 'multi';
}

/** An architecture ready to train one run. */
export interface OpenArchitecture {
  /** Where this run trains (stored with the run, shown in the UI). */
  readonly backend: string;
  /** The dense tensors (names of the model's tensors), in a fixed order, with their shapes. */
  readonly denseShapes: ReadonlyArray<readonly [string, readonly number[]]>;
  /** The bucket ids the student reads from a text: a bag of hashed n-grams or a token sequence. */
  featurize(text: string): Uint32Array;
  /**
   * Everything `featurize` depends on, as a string (absent: unknown). Runs over the same documents whose
   * architectures give one key featurize them once (Auto's trials and the run they choose; trainer.ts).
   */
  readonly featureKey?: string;
  /**
   * Width of the embedding rows (default settings.dim): the sparse student's rows hold an idf and a weight per class.
   */
  readonly rowWidth?: number;
  /**
   * Leading columns of every embedding row that never get a gradient (the sparse student's idf): lazy Adam skips
   * them (their update would be exactly 0). Default 0.
   */
  readonly frozenColumns?: number;
  /**
   * An L2 penalty on the embedding rows a step touched, which lazy Adam adds to their gradient (`adamRows`' decay)
   * rather than `gradients`, saving a pass over the rows; read after each `gradients` call. Absent or null: none.
   */
  rowDecay?(): RowDecay | null;
  /**
   * Fresh parameters: `rows` embedding rows (row-major, `rowWidth` wide) and every dense tensor, from a seed.
   * `inputs`: every training example as slots (for statistics of the training data, such as document frequencies).
   */
  init(
    rows: number,
    seed: number,
    inputs?: readonly Int32Array[],
  ): { emb: Float32Array; dense: Readonly<Record<string, Float32Array>> };
  /**
   * The summed loss of a batch and the gradients of its mean: dense gradients by name, embedding-row gradients
   * added into `rows` (by slot). Pure in the parameters: nothing is updated here.
   */
  gradients(params: Params, batch: BatchInput, rows: RowGrad): Gradients;
  /**
   * The forward pass over slots that validation reads (optional: by default the loop's `createForward` of the
   * parameters' model view). It must give exactly the logits of that default.
   */
  forward?(params: Params): Forward;
  /** model.json's fields of this architecture besides the common ones and the tensors (sizes). */
  describe(): Readonly<Record<string, number>>;
  /** The name of a moment tensor in checkpoints (default `${name}.m` / `${name}.v`). */
  momentName?(name: string, moment: 'm' | 'v'): string;
}

/** A tensor and its Adam moments. */
export interface DenseParam {
  readonly w: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface Params {
  /** Bucket of each slot (slot = row of `emb`): the training data's in order of first appearance, then others. */
  readonly slotBucket: Uint32Array;
  /** slots x dim, row-major. */
  readonly emb: DenseParam;
  /** By the name of the model's tensor each one becomes. */
  readonly dense: Readonly<Record<string, DenseParam>>;
}

/** One batch: the examples (indices into the training set) with their inputs as slots. */
export interface BatchInput {
  readonly examples: Uint32Array;
  /** Every training example's input, as slots (index with `examples`). */
  readonly inputs: readonly Int32Array[];
  /** Single-label targets (an architecture that computes its own loss reads these; multi-label runs: unused). */
  readonly targets: readonly DistillTarget[];
  /**
   * The loss of one training example's logits and its gradient, as the loop defines it for the run: `distillLoss`
   * (softmax) for a single-label project, `multiLabelDistillLoss` (a sigmoid per label) for a multi-label one.
   * Not multiplied by the example's weight. The result (and its `grad`) may be reused by the next call: read it first.
   */
  loss(logits: Float64Array, example: number): LossAndGrad;
  /** Every training example's loss weight (class balance). */
  readonly weights: Float64Array;
  /** Optimizer steps before this batch (seeds per-step randomness such as dropout). */
  readonly step: number;
}

export interface Gradients {
  /** The batch's summed (weighted) loss. */
  readonly loss: number;
  /** The gradient of the batch's mean loss for each dense tensor. */
  readonly dense: Readonly<Record<string, Float64Array>>;
}

/** A tensor with zeroed Adam moments. */
export function withMoments(w: Float32Array): DenseParam {
  return { w, m: new Float32Array(w.length), v: new Float32Array(w.length) };
}

export function uniform(n: number, limit: number, rnd: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rnd() * 2 - 1) * limit;
  return out;
}

/** Glorot-uniform weights of a fanIn x fanOut matrix. */
export function glorot(fanIn: number, fanOut: number, rnd: () => number): Float32Array {
  return uniform(fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)), rnd);
}
