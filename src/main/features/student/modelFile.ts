import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  mkdirSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../core/errors';
import type { FeaturizerConfig } from './featurizer';
import type { StudentModel } from './model';
import { buildModel, describeModel, modelTensorShapes, sectionEntry } from './modelKinds';
import { readModelJson } from './storedFiles';

export { describeModel };

/** On-disk model folder (docs/student-model.md): model.json + weights.bin. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const MODEL_FORMAT = 'distillery-student';

export type TensorData = Float32Array | Uint32Array;

/** The files are little-endian; on a little-endian machine (all that Distillery ships for) bytes are copied as is. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface TensorSpec {
  readonly name: string;
  readonly dtype: 'float32' | 'uint32';
  readonly shape: readonly number[];
  /** Byte offset in the weights file (little-endian, 4-byte aligned). */
  readonly offset: number;
}

export interface ModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly version: 1;
  readonly architecture: StudentModel['architecture'];
  readonly labels: readonly string[];
  readonly featurizer: FeaturizerConfig;
  readonly dim: number;
  /** 'multi': independent sigmoid outputs with a threshold per label (multi-label projects); absent: softmax. */
  readonly kind?: 'multi';
  readonly thresholds?: readonly number[];
  /** The architecture's section of sizes (`ModelKind.section`: `cnn`, `transformer`), for those that have one. */
  readonly [section: string]: unknown;
  readonly weights: typeof WEIGHTS_BIN;
  readonly tensors: readonly TensorSpec[];
  /** Where it came from (informative only). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/**
 * Writes a file so that a crash or a full disk leaves either the old file or the new one, never half of one.
 * `data` may be a list of parts, written one after the other (large tensors are written without a copy).
 */
export function writeFileAtomic(file: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const parts = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : Array.isArray(data) ? data : [data];
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    for (const bytes of parts as readonly Uint8Array[]) {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, file);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = openSync(dirname(file), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // directory fsync is not supported everywhere (Windows); the rename itself is still atomic
  }
}

/**
 * The bytes of tensors laid out one after the other (little-endian) and their specs, without copying them on a
 * little-endian machine: each part is a view of a tensor's own memory (write them before changing the tensors).
 */
export function tensorParts(tensors: ReadonlyArray<readonly [string, TensorData, readonly number[]]>): {
  parts: Uint8Array[];
  byteLength: number;
  specs: TensorSpec[];
} {
  if (!LITTLE_ENDIAN) {
    const { bytes, specs } = packTensors(tensors);
    return { parts: [bytes], byteLength: bytes.byteLength, specs };
  }
  const parts: Uint8Array[] = [];
  const specs: TensorSpec[] = [];
  let offset = 0;
  for (const [name, data, shape] of tensors) {
    specs.push({ name, dtype: data instanceof Float32Array ? 'float32' : 'uint32', shape, offset });
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  return { parts, byteLength: offset, specs };
}

/** Concatenates tensors (little-endian) and returns their specs. */
export function packTensors(tensors: ReadonlyArray<readonly [string, TensorData, readonly number[]]>): {
  bytes: Uint8Array;
  specs: TensorSpec[];
} {
  const total = tensors.reduce((s, [, data]) => s + data.byteLength, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const specs: TensorSpec[] = [];
  let offset = 0;
  for (const [name, data, shape] of tensors) {
    const isFloat = data instanceof Float32Array;
    specs.push({ name, dtype: isFloat ? 'float32' : 'uint32', shape, offset });
    if (LITTLE_ENDIAN) bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    else {
      for (let i = 0; i < data.length; i++) {
        if (isFloat) view.setFloat32(offset + 4 * i, data[i], true);
        else view.setUint32(offset + 4 * i, data[i], true);
      }
    }
    offset += data.byteLength;
  }
  return { bytes, specs };
}

export function unpackTensor(bytes: Uint8Array, spec: TensorSpec): TensorData {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.offset + 4 * n > bytes.byteLength) {
    throw AppError.keyed('BAD_FILE', 'student.modelFileTruncatedTensor', { name: spec.name });
  }
  const out = spec.dtype === 'float32' ? new Float32Array(n) : new Uint32Array(n);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(spec.offset, spec.offset + 4 * n));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    out[i] =
      spec.dtype === 'float32'
        ? view.getFloat32(spec.offset + 4 * i, true)
        : view.getUint32(spec.offset + 4 * i, true);
  }
  return out;
}

function tensorByName(bytes: Uint8Array, specs: readonly TensorSpec[], name: string): TensorData {
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw AppError.keyed('BAD_FILE', 'student.modelMissingWeightsTrain', { name });
  return unpackTensor(bytes, spec);
}

export function floatTensor(bytes: Uint8Array, specs: readonly TensorSpec[], name: string): Float32Array {
  const t = tensorByName(bytes, specs, name);
  if (!(t instanceof Float32Array)) throw AppError.keyed('BAD_FILE', 'student.modelSWeightsHave', { name });
  return t;
}

export function uintTensor(bytes: Uint8Array, specs: readonly TensorSpec[], name: string): Uint32Array {
  const t = tensorByName(bytes, specs, name);
  if (!(t instanceof Uint32Array)) throw AppError.keyed('BAD_FILE', 'student.modelSWeightsHave', { name });
  return t;
}

/** Writes a model folder (weights first, then model.json, each atomically); returns its size in bytes. */
export function saveModel(
  dir: string,
  model: StudentModel,
  meta: Readonly<Record<string, unknown>> = {},
): number {
  const description = describeModel(model);
  const byName = model as unknown as Record<string, TensorData>;
  const { parts, byteLength, specs } = tensorParts(
    (modelTensorShapes(description, model.rowIds.length) ?? []).map(
      ([name, , shape]) => [name, byName[name], shape] as const,
    ),
  );
  const json: ModelJson = {
    format: MODEL_FORMAT,
    version: 1,
    architecture: model.architecture,
    labels: model.labels,
    featurizer: model.featurizer,
    dim: model.dim,
    ...(description.kind === 'multi' ? { kind: 'multi' as const, thresholds: description.thresholds } : {}),
    ...sectionEntry(description),
    weights: WEIGHTS_BIN,
    tensors: specs,
    meta,
  };
  const text = JSON.stringify(json, null, 2);
  writeFileAtomic(join(dir, WEIGHTS_BIN), parts);
  writeFileAtomic(join(dir, MODEL_JSON), text);
  return byteLength + Buffer.byteLength(text);
}

export function readModel(dir: string): StudentModel {
  let text: string;
  let bytes: Uint8Array;
  try {
    text = readFileSync(join(dir, MODEL_JSON), 'utf8');
    bytes = readFileSync(join(dir, WEIGHTS_BIN));
  } catch (e) {
    throw AppError.keyed('BAD_FILE', 'student.usableStudentModelTrain', { dir, p1: (e as Error).message });
  }
  const json = readModelJson(text, dir);
  try {
    return buildModel(json, (name, dtype) =>
      dtype === 'float32' ? floatTensor(bytes, json.tensors, name) : uintTensor(bytes, json.tensors, name),
    );
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw AppError.keyed('UNSUPPORTED', 'student.modelCannotReadTrain', { dir, p1: (e as Error).message });
  }
}
