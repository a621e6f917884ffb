import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs-core';

/**
 * The TensorFlow.js backend the CNN student trains on, picked at run time: `@tensorflow/tfjs-node-gpu` (CUDA) when
 * it is installed, else `@tensorflow/tfjs-node` (native CPU), else WebAssembly with SIMD (always there; one thread
 * in Node). `DISTILLERY_TF_BACKEND=wasm|cpu|node|node-gpu` forces one (tests, troubleshooting).
 */
export type TfBackendKind = 'node-gpu' | 'node' | 'wasm' | 'cpu';

const PACKAGES: Readonly<Record<'node-gpu' | 'node', string>> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

export const TF_BACKEND_LABELS: Readonly<Record<TfBackendKind, string>> = {
  'node-gpu': 'TensorFlow.js: tfjs-node-gpu (CUDA)',
  node: 'TensorFlow.js: tfjs-node (native CPU)',
  wasm: 'TensorFlow.js: WebAssembly (SIMD)',
  cpu: 'TensorFlow.js: plain JavaScript (slow)',
};

export interface TfBackendDeps {
  /** Whether a package can be resolved from here (installed). */
  readonly installed: (pkg: string) => boolean;
  /** Loads a package (registers its backend with tfjs-core). */
  readonly load: (pkg: string) => Promise<unknown>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const require_ = createRequire(import.meta.url);

export const nodeDeps: TfBackendDeps = {
  installed: (pkg) => {
    try {
      require_.resolve(pkg);
      return true;
    } catch {
      return false;
    }
  },
  load: (pkg) => import(/* @vite-ignore */ pkg),
  env: process.env,
};

function forced(env: TfBackendDeps['env']): TfBackendKind | null {
  const v = env.DISTILLERY_TF_BACKEND;
  return v === 'wasm' || v === 'cpu' || v === 'node' || v === 'node-gpu' ? v : null;
}

/** The backend `initTf` would pick, without loading anything (shown in the Train step before a run). */
export function expectedTfBackend(deps: TfBackendDeps = nodeDeps): TfBackendKind {
  const f = forced(deps.env);
  if (f) return f;
  if (deps.installed(PACKAGES['node-gpu'])) return 'node-gpu';
  if (deps.installed(PACKAGES.node)) return 'node';
  return 'wasm';
}

/**
 * Loads tfjs-core and the best backend that works; a native package that is installed but fails to load (no
 * CUDA driver, wrong platform) falls back to the next. Returns the tfjs module and the backend used.
 */
export async function initTf(
  deps: TfBackendDeps = nodeDeps,
): Promise<{ tf: typeof TF; kind: TfBackendKind; label: string; tried: string[] }> {
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core alone registers no gradients; the @tensorflow/tfjs bundle registers them (and the cpu backend).
  await import('@tensorflow/tfjs');
  const tried: string[] = [];
  const f = forced(deps.env);
  const order: TfBackendKind[] = f ? [f] : ['node-gpu', 'node', 'wasm'];
  for (const kind of order) {
    try {
      if (kind === 'node-gpu' || kind === 'node') {
        if (!f && !deps.installed(PACKAGES[kind])) continue;
        await deps.load(PACKAGES[kind]);
        if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not start');
      } else if (kind === 'wasm') {
        await deps.load('@tensorflow/tfjs-backend-wasm');
        if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
      } else {
        await deps.load('@tensorflow/tfjs-backend-cpu');
        if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
      }
      await tf.ready();
      return { tf, kind, label: TF_BACKEND_LABELS[kind], tried };
    } catch (e) {
      tried.push(`${kind}: ${(e as Error).message}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start (${tried.join('; ')}).`);
}
