import os from 'node:os';
import type { HardwareInfo, ModelFit } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import type { LoadOptions, LoadedInfo, PromptPlan, ScoreItem, ScoreResult, ScoreStrategy } from './protocol';
import { TeacherClient } from './teacher.client';

/** Something that scores examples: the local model's process, or remote endpoints. */
export interface Scorer {
  /** How many examples to hand over at once to keep every sequence (or endpoint slot) busy. */
  readonly batchSize: number;
  score(plan: PromptPlan, items: readonly ScoreItem[], strategy?: ScoreStrategy): Promise<ScoreResult[]>;
}

/**
 * Threads for llama.cpp: one core is left for the app. llama.cpp's threads spin while they wait for each other, so
 * asking for every core on a busy machine is many times slower than asking for one fewer.
 */
export function recommendedThreads(): number {
  return Math.max(1, Math.min(16, os.availableParallelism() - 1));
}

/**
 * Parallel sequences in one context: they pay off when there is parallel hardware to fill (a GPU, many cores); on a
 * small CPU-only machine one sequence with its prefix kept is faster (measured in bench/teacher).
 */
export function recommendedSequences(): number {
  return os.availableParallelism() > 4 ? 4 : 1;
}

interface Loaded {
  readonly key: string;
  readonly client: TeacherClient;
  readonly info: LoadedInfo;
}

/**
 * Owns the teacher process of one core: at most one model loaded at a time, reloaded when another model or other
 * settings are asked for, and replaced by a new process after a crash.
 */
export class TeacherService {
  private loaded: Loaded | null = null;
  private lock: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** The process id of the running teacher process, if any (tests kill it to prove crash recovery). */
  get pid(): number | undefined {
    return this.loaded && !this.loaded.client.dead ? this.loaded.client.pid : undefined;
  }

  acquire(opts: LoadOptions): Promise<Scorer> {
    return this.exclusive(async () => {
      const key = JSON.stringify(opts);
      if (this.loaded && (this.loaded.key !== key || this.loaded.client.dead)) {
        await this.loaded.client.dispose();
        this.loaded = null;
      }
      if (!this.loaded) {
        const client = new TeacherClient();
        try {
          const info = await client.request({ op: 'load', options: opts });
          this.loaded = { key, client, info };
        } catch (e) {
          await client.dispose();
          throw e;
        }
      }
      const { client, info } = this.loaded;
      return {
        batchSize: info.sequences * 2,
        score: (plan, items, strategy = {}) => client.request({ op: 'score', plan, items, strategy }),
      };
    });
  }

  async renderPrompt(
    opts: LoadOptions,
    plan: PromptPlan,
    text: string,
  ): Promise<{ text: string; tokens: number }> {
    await this.acquire(opts);
    const loaded = this.loaded;
    if (!loaded) throw AppError.keyed('MODEL_ERROR', 'teacher.teacherModelLoaded', {});
    return loaded.client.request({ op: 'prompt', plan, text });
  }

  /** What node-llama-cpp detects; with a model, whether it fits (estimated without loading it). */
  async hardware(model: { id: number; filePath: string } | null, contextSize: number): Promise<HardwareInfo> {
    const reuse = this.loaded && !this.loaded.client.dead ? this.loaded.client : null;
    const client = reuse ?? new TeacherClient();
    try {
      const hw = await client.request({ op: 'hardware' });
      let fit: ModelFit | null = null;
      if (model) {
        const est = await client.request({
          op: 'estimate',
          modelPath: model.filePath,
          contextSize,
          gpu: hw.gpu !== 'cpu',
        });
        fit = {
          modelId: model.id,
          placement: !est.fits
            ? 'too-large'
            : est.gpuLayers <= 0
              ? 'cpu'
              : est.gpuLayers >= est.totalLayers
                ? 'gpu-full'
                : 'gpu-partial',
          gpuLayers: est.gpuLayers,
          totalLayers: est.totalLayers,
          ramBytes: est.ramBytes,
          vramBytes: est.vramBytes,
          contextSize: est.contextSize,
        };
      }
      return {
        ...hw,
        ramTotalBytes: os.totalmem(),
        ramFreeBytes: os.freemem(),
        recommendedThreads: recommendedThreads(),
        fit,
      };
    } finally {
      if (!reuse) await client.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.loaded?.client.dispose();
    this.loaded = null;
  }
}

const services = new WeakMap<CoreContext, TeacherService>();

export function teacherService(ctx: CoreContext): TeacherService {
  let s = services.get(ctx);
  if (!s) {
    const created = new TeacherService();
    services.set(ctx, created);
    ctx.onDispose(() => created.dispose());
    s = created;
  }
  return s;
}
