import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../core/errors';
import {
  floatTensor,
  tensorParts,
  uintTensor,
  writeFileAtomic,
  type TensorData,
  type TensorSpec,
} from '../modelFile';
import type { OpenArchitecture, Params } from './architecture';
import { averageTensors, newAverage } from './average';
import type { EarlyStopState } from './earlyStop';
import { CheckpointHeaderSchema } from '../storedFiles';
import { readStoredJson } from '../../../core/store/storedJson';

/**
 * A run's checkpoints and folders. A checkpoint file is a u32 header length, the JSON header (space-padded to 4
 * bytes), then the named tensors (modelFile `tensorParts`): `slotBucket`, the embedding table and its Adam
 * moments, then each dense tensor and its moments, then (a run that averages its weights, average.ts) the averaged
 * weights `emb.avg` and `<dense tensor>.avg`. Written atomically: a crash or a full disk leaves the previous
 * checkpoint intact. A run folder keeps the last checkpoint, the best one and the best model folder.
 */

/** How a validated run ended: what a final fit keeps of it, and what a training run reports (trainer.ts). */
export interface ValidatedOutcome {
  readonly bestEpoch: number;
  readonly bestMetric: number;
  readonly modelPath: string;
  readonly modelBytes: number;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
}

export interface CheckpointHeader {
  readonly epoch: number;
  readonly step: number;
  readonly early: EarlyStopState;
  readonly bestModelPath: string;
  readonly bestModelBytes: number;
  /**
   * A final fit's checkpoint (trainer.ts): its length in epochs and the validated run's result, which the final
   * fit reports once it ends (a resumed final fit has no other record of it).
   */
  readonly finalFit?: {
    readonly epochs: number;
    readonly main: ValidatedOutcome;
  };
  readonly tensors: readonly TensorSpec[];
}

export function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}.ckpt`;
}

export function modelDirName(epoch: number): string {
  return `model-e${String(epoch).padStart(4, '0')}`;
}

export function writeCheckpointFile(
  file: string,
  tensors: ReadonlyArray<readonly [string, TensorData]>,
  header: Omit<CheckpointHeader, 'tensors'>,
): void {
  const { parts, specs } = tensorParts(tensors.map(([name, data]) => [name, data, [data.length]] as const));
  const head = Buffer.from(JSON.stringify({ ...header, tensors: specs }), 'utf8');
  const pad = (4 - ((4 + head.length) % 4)) % 4;
  const prefix = Buffer.alloc(4 + head.length + pad);
  prefix.writeUInt32LE(head.length + pad, 0);
  head.copy(prefix, 4);
  prefix.fill(0x20, 4 + head.length, 4 + head.length + pad);
  writeFileAtomic(file, [prefix, ...parts]);
}

export interface CheckpointReader {
  readonly header: CheckpointHeader;
  float(name: string): Float32Array;
  uint(name: string): Uint32Array;
}

export function readCheckpointFile(file: string): CheckpointReader {
  const buf = readFileSync(file);
  // A file cut before its header's length reads as an empty header: damaged, said so below.
  const headLen = buf.length >= 4 ? buf.readUInt32LE(0) : 0;
  const header = readStoredJson(
    CheckpointHeaderSchema,
    buf.subarray(4, 4 + headLen).toString('utf8'),
    (problem) => AppError.keyed('BAD_FILE', 'student.checkpointDamaged', { file, problem }),
  );
  const body = buf.subarray(4 + headLen);
  return {
    header,
    float: (name) => floatTensor(body, header.tensors, name),
    uint: (name) => uintTensor(body, header.tensors, name),
  };
}

export function checkpointMismatch(file: string): AppError {
  return AppError.keyed('BAD_FILE', 'student.checkpointDoesMatchRun', { file });
}

function momentOf(arch: OpenArchitecture, name: string, moment: 'm' | 'v'): string {
  return arch.momentName ? arch.momentName(name, moment) : `${name}.${moment}`;
}

/** Writes the parameters and their Adam moments, and the averaged weights when the run keeps them. */
export function writeCheckpoint(
  file: string,
  arch: OpenArchitecture,
  p: Params,
  header: Omit<CheckpointHeader, 'tensors'>,
  average: Params | null = null,
): void {
  const tensors: Array<readonly [string, TensorData]> = [['slotBucket', p.slotBucket]];
  const add = (name: string, d: Params['emb']): void => {
    tensors.push([name, d.w], [momentOf(arch, name, 'm'), d.m], [momentOf(arch, name, 'v'), d.v]);
  };
  add('emb', p.emb);
  for (const [name] of arch.denseShapes) add(name, p.dense[name]);
  if (average) tensors.push(...averageTensors(arch, average));
  writeCheckpointFile(file, tensors, header);
}

/**
 * Reads what `writeCheckpoint` wrote; a tensor of another size than this run's is a mismatch, and so is a checkpoint
 * without averaged weights for a run that averages them (`averaged`).
 */
export function readCheckpoint(
  file: string,
  arch: OpenArchitecture,
  dim: number,
  averaged = false,
): { params: Params; header: CheckpointHeader; average: Params | null } {
  const ck = readCheckpointFile(file);
  const read = (name: string): Params['emb'] => ({
    w: ck.float(name),
    m: ck.float(momentOf(arch, name, 'm')),
    v: ck.float(momentOf(arch, name, 'v')),
  });
  const slotBucket = ck.uint('slotBucket');
  const emb = read('emb');
  if (emb.w.length !== slotBucket.length * dim) throw checkpointMismatch(file);
  const dense: Record<string, Params['emb']> = {};
  for (const [name, shape] of arch.denseShapes) {
    dense[name] = read(name);
    if (dense[name].w.length !== shape.reduce((a, b) => a * b, 1)) throw checkpointMismatch(file);
  }
  const params: Params = { slotBucket, emb, dense };
  if (!averaged) return { params, header: ck.header, average: null };
  const average = newAverage(params);
  for (const [name, w] of averageTensors(arch, average)) {
    if (!ck.header.tensors.some((t) => t.name === name)) throw checkpointMismatch(file);
    const stored = ck.float(name);
    if (stored.length !== w.length) throw checkpointMismatch(file);
    w.set(stored);
  }
  return { params, header: ck.header, average };
}

/** Keeps the last checkpoint, the best one and the best model folder; removes the rest. */
export function pruneRunDir(runDir: string, lastEpoch: number, bestEpoch: number): void {
  const keep = new Set([
    checkpointName(lastEpoch),
    checkpointName(bestEpoch),
    modelDirName(bestEpoch),
    'data.json',
  ]);
  for (const name of readdirSync(runDir)) {
    if (keep.has(name)) continue;
    if (/^epoch-\d+\.ckpt$/.test(name) || /^model-e\d+$/.test(name))
      rmSync(join(runDir, name), { recursive: true, force: true });
  }
}
