import os from 'node:os';
import {
  GgufInsights,
  LlamaLogLevel,
  getLlama,
  readGgufFileInfo,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import { nativeModuleProblem } from '../../../core/nativeModules';
import type { HostEstimate, HostHardware, LoadOptions, LoadedInfo } from '../protocol';
import { evalLast } from './nextToken';

/**
 * The teacher process's one model: the llama.cpp binding, the loaded model and its context, and the pool of the
 * context's sequences that the scorers borrow. Loading checks memory first and probes for damaged weights.
 */

export class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where llama.cpp's warnings and errors go (the process forwards them to its parent). */
export type HostLog = (level: string, message: string) => void;

/** llama.cpp's recent warnings and errors: the reason a load failed. */
const recentLog: string[] = [];

let llama: Llama | null = null;
let model: LlamaModel | null = null;
let context: LlamaContext | null = null;
let loaded: LoadedInfo | null = null;
const freeSequences: LlamaContextSequence[] = [];
const waiting: Array<(s: LlamaContextSequence) => void> = [];

async function ensureLlama(gpu: boolean, log: HostLog): Promise<Llama> {
  // One llama.cpp binding per process; a CPU-only load on a GPU build simply offloads no layers.
  if (llama) return llama;
  const logger = (level: LlamaLogLevel, message: string): void => {
    const text = message.trim();
    if (!text) return;
    if (level === LlamaLogLevel.error || level === LlamaLogLevel.warn || level === LlamaLogLevel.fatal) {
      log(String(level), text);
      recentLog.push(text);
      if (recentLog.length > 10) recentLog.shift();
    }
  };
  // A binding built for another platform or runtime is an installation problem, not a bad model: say so.
  const explained = (e: unknown): unknown => {
    const problem = nativeModuleProblem(e, 'node-llama-cpp');
    return problem ? new HostError(problem.code, problem.message) : e;
  };
  try {
    llama = await getLlama({
      build: 'never',
      gpu: gpu ? 'auto' : false,
      logLevel: LlamaLogLevel.warn,
      logger,
    });
  } catch (e) {
    if (!gpu) throw explained(e);
    try {
      llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.warn, logger });
    } catch (cpuError) {
      throw explained(cpuError);
    }
  }
  return llama;
}

export async function hardware(log: HostLog): Promise<HostHardware> {
  const l = await ensureLlama(true, log);
  const vram = l.gpu ? await l.getVramState() : { total: 0, free: 0 };
  return {
    gpu: l.gpu === false ? 'cpu' : l.gpu,
    gpuNames: l.gpu ? await l.getGpuDeviceNames() : [],
    vramTotalBytes: vram.total,
    vramFreeBytes: vram.free,
    cpuCores: l.cpuMathCores || os.availableParallelism(),
  };
}

export async function estimate(
  modelPath: string,
  contextSize: number,
  gpu: boolean,
  log: HostLog,
): Promise<HostEstimate> {
  const l = await ensureLlama(gpu, log);
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(modelPath);
  } catch (e) {
    throw new HostError(
      'BAD_FILE',
      `The model file cannot be read: ${(e as Error).message}. Choose another model.`,
    );
  }
  const insights = await GgufInsights.from(info, l);
  // A model reads at most the context it was trained with (load() caps it the same way): asking the resolver for more
  // scores the configuration as incompatible although the model fits easily.
  const target = Math.min(contextSize, insights.trainContextSize ?? contextSize);
  const resolved = await insights.configurationResolver.resolveAndScoreConfig({
    targetContextSize: target,
    ...(l.gpu ? {} : { targetGpuLayers: 0 }),
  });
  const v = resolved.resolvedValues;
  const ramBytes = v.totalRamUsage;
  return {
    gpuLayers: v.gpuLayers,
    totalLayers: insights.totalLayers,
    ramBytes,
    vramBytes: v.totalVramUsage,
    contextSize: Math.min(v.contextSize, target),
    fits: fitsInMemory(ramBytes, os.freemem(), os.totalmem()),
  };
}

/**
 * Whether a model that needs `ramBytes` of memory can be loaded: always when it needs less than what is free now,
 * otherwise when it needs less than 90% of all memory (the rest is the system's and the app's).
 */
function fitsInMemory(ramBytes: number, freeBytes: number, totalBytes: number): boolean {
  return ramBytes <= freeBytes || ramBytes < totalBytes * 0.9;
}

export async function load(opts: LoadOptions, log: HostLog): Promise<LoadedInfo> {
  if (model) throw new HostError('MODEL_ERROR', 'A model is already loaded in this teacher process.');
  const l = await ensureLlama(opts.gpu, log);
  const est = await estimate(opts.modelPath, opts.contextSize, opts.gpu, log);
  if (!est.fits) {
    throw new HostError(
      'TOO_LARGE',
      `This model needs about ${(est.ramBytes / 2 ** 30).toFixed(1)} GB of memory but this computer has ` +
        `${(os.totalmem() / 2 ** 30).toFixed(1)} GB. Choose a smaller model (or a smaller quantisation such as Q4_K_M).`,
    );
  }
  recentLog.length = 0;
  try {
    model = await l.loadModel({ modelPath: opts.modelPath, gpuLayers: opts.gpu && l.gpu ? 'auto' : 0 });
  } catch (e) {
    const said = recentLog.slice(-3).join(' | ');
    throw new HostError(
      'MODEL_ERROR',
      `llama.cpp could not load the model: ${(e as Error).message}${said ? ` (llama.cpp said: ${said})` : ''}. ` +
        'The file may be damaged or of an unsupported kind; choose another model.',
    );
  }
  try {
    const contextSize = Math.min(opts.contextSize, model.trainContextSize);
    context = await model.createContext({
      contextSize,
      sequences: opts.sequences,
      threads: opts.threads,
      batchSize: Math.min(512, contextSize * opts.sequences),
    });
    for (let i = 0; i < opts.sequences; i++) freeSequences.push(context.getSequence());
    await probe();
  } catch (e) {
    // Leave the process able to load another model.
    freeSequences.length = 0;
    await context?.dispose();
    await model.dispose();
    context = null;
    model = null;
    throw e;
  }
  loaded = {
    trainContextSize: model.trainContextSize,
    contextSize: context?.contextSize ?? 0,
    gpuLayers: model.gpuLayers,
    sequences: opts.sequences,
  };
  return loaded;
}

/** Weights with NaN load fine and give NaN everywhere: find out at once rather than in every example. */
async function probe(): Promise<void> {
  const m = requireModel();
  const seq = await acquire();
  try {
    const dist = await evalLast(seq, m.tokenize('Hello'));
    if (!Number.isFinite(dist.total) || dist.total <= 0) {
      throw new HostError(
        'MODEL_ERROR',
        'The model produces invalid numbers (NaN or infinity): its weights are damaged. Download it again or choose another model.',
      );
    }
    await seq.clearHistory();
  } finally {
    release(seq);
  }
}

export function requireModel(): LlamaModel {
  if (!model || !context) throw new HostError('MODEL_ERROR', 'No model is loaded in the teacher process.');
  return model;
}

/** The context's size in tokens per sequence (2048 before a load). */
export function contextSize(): number {
  return context?.contextSize ?? 2048;
}

/** How many sequences the loaded context has (1 before a load). */
export function sequenceCount(): number {
  return loaded?.sequences ?? 1;
}

export function acquire(): Promise<LlamaContextSequence> {
  const s = freeSequences.pop();
  if (s) return Promise.resolve(s);
  return new Promise((resolve) => waiting.push(resolve));
}

export function release(s: LlamaContextSequence): void {
  const next = waiting.shift();
  if (next) next(s);
  else freeSequences.push(s);
}
