import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { TeacherModel } from '../../src/shared/teacher';
import { CACHE_DIR, writeTinyModel } from '../fixtures/gguf/generate';
import { testCore } from '../helpers';

async function importFile(core: Core, path: string): Promise<TeacherModel> {
  const job = await core.call('teacher.importModel', { path });
  const done = await core.jobs.wait(job.id);
  if (done.state !== 'completed') throw new Error(`import ${done.state}: ${done.error}`);
  return done.result as TeacherModel;
}

describe('hardware check (real node-llama-cpp estimate on the tiny GGUF; this machine has no GPU)', () => {
  let core: Core;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ core, close } = await testCore());
  });
  afterAll(async () => close());

  it('caps the context at the model’s own and never calls a model that needs less than the free memory too large', async () => {
    // The same weights, trained for 512 and for 4,096 tokens.
    const short = await importFile(
      core,
      writeTinyModel(join(CACHE_DIR, 'tiny-qwen2-s42-ctx512.gguf'), { contextLength: 512 }),
    );
    const long = await importFile(
      core,
      writeTinyModel(join(CACHE_DIR, 'tiny-qwen2-s42-ctx4096.gguf'), { contextLength: 4096 }),
    );
    expect(short.metadata.contextLength).toBe(512);
    const a = await core.call('teacher.hardware', { modelId: short.id });
    const b = await core.call('teacher.hardware', { modelId: long.id });
    expect(a.fit).toMatchObject({ placement: 'cpu', contextSize: 512 });
    expect(b.fit).toMatchObject({ placement: 'cpu', contextSize: 2048 });
    for (const fit of [a.fit!, b.fit!]) {
      expect(fit.ramBytes).toBeGreaterThan(0);
      expect(fit.ramBytes).toBeLessThan(os.freemem());
    }
  }, 120_000);
});
