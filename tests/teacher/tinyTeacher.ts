import { afterAll, beforeAll, expect } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { ScoreResult } from '../../src/main/features/teacher/protocol';
import { normalise } from '../../src/main/features/teacher/scoring';
import { TeacherClient } from '../../src/main/features/teacher/teacher.client';
import type { TeacherModel } from '../../src/shared/teacher';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { testCore } from '../helpers';
import { importTinyModel } from './fixtures';

/**
 * A teacher process with the tiny model (or `modelPath`'s) loaded (CPU only, one thread, 512 tokens of context,
 * `sequences` at once), started before the calling file's or block's tests and stopped after them: read `.client`
 * inside a test.
 */
export function tinyTeacherForAll(
  sequences: number,
  modelPath: () => string = tinyModelPath,
): { readonly client: TeacherClient } {
  let client: TeacherClient | null = null;
  beforeAll(async () => {
    client = new TeacherClient();
    await client.request({
      op: 'load',
      options: { modelPath: modelPath(), threads: 1, sequences, contextSize: 512, gpu: false },
    });
  });
  afterAll(async () => client?.dispose());
  return {
    get client() {
      if (!client) throw new Error('tinyTeacherForAll: read .client inside a test');
      return client;
    },
  };
}

/** The largest difference between two scorings' label probabilities, document by document (same ids, no errors). */
export function worstDifference(a: readonly ScoreResult[], b: readonly ScoreResult[]): number {
  expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
  let worst = 0;
  a.forEach((r, i) => {
    expect(r.error).toBeNull();
    const pa = normalise(r.logLikelihoods!).probs;
    const pb = normalise(b[i].logLikelihoods!).probs;
    pa.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - pb[k]))));
  });
  return worst;
}

/**
 * A real core with the tiny model in its library, opened before the calling block's tests and closed after them;
 * `use` receives the core and the model (import the model once: it is copied and hashed).
 */
export function tinyModelCoreForAll(use: (f: { core: Core; model: TeacherModel }) => void): void {
  let close: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    const t = await testCore();
    close = t.close;
    use({ core: t.core, model: await importTinyModel(t.core) });
  }, 120_000);
  afterAll(async () => close?.());
}
