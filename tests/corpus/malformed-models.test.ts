import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { TeacherModel } from '../../src/shared/teacher';
import { MALFORMED_KINDS, writeMalformedCorpus } from '../fixtures/gguf/generate';
import { tempDir, testCore } from '../helpers';
import { makeProject } from '../teacher/fixtures';

/** Per model: import, check and preview each end in bounded time (no hang). */
const STEP_TIMEOUT_MS = 60_000;

function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_r, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS),
    ),
  ]);
}

function expectClear(what: string, code: string | undefined, message: string | undefined): void {
  expect(code, `${what}: ${message}`).toBeDefined();
  expect(code, `${what}: ${message}`).not.toBe('INTERNAL');
  expect(message, what).not.toMatch(/\n\s+at |\bundefined\b|\[object Object\]/);
}

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let files: { dir: string; cleanup: () => void };
beforeAll(async () => {
  t = await testCore();
  core = t.core;
  files = tempDir('distillery-gguf-corpus-');
}, 60_000);
afterAll(async () => {
  await t?.close();
  files?.cleanup();
});

it('every malformed GGUF ends in a clear error at import, check or preview (one teacher process), the database intact', async () => {
  const corpus = writeMalformedCorpus(join(files.dir, 'gguf'));
  expect(corpus.size).toBeGreaterThanOrEqual(25);
  const project = makeProject(core, {
    labels: [{ name: 'fair' }, { name: 'unfair' }],
    examples: [{ text: 'We may end your account at any time.' }],
  });
  const counts = { atImport: 0, atCheck: 0, atPreview: 0, correct: 0 };
  for (const kind of MALFORMED_KINDS) {
    const path = corpus.get(kind)!;
    const started = await core.call('teacher.importModel', { path });
    const job = await bounded(core.jobs.wait(started.id), `${kind} import`);
    if (job.state !== 'completed') {
      expect(job.state, kind).toBe('failed');
      expectClear(kind, job.errorCode ?? undefined, job.error ?? '');
      expect(job.error, kind).toMatch(/is not a usable GGUF model: .+ Download the model again/);
      counts.atImport++;
      continue;
    }
    const model = job.result as TeacherModel;
    const check = await bounded(core.invoke('teacher.hardware', { modelId: model.id }), `${kind} check`);
    if (!check.ok) {
      expectClear(kind, check.error.code, check.error.message);
      counts.atCheck++;
    } else {
      const preview = await bounded(
        core.invoke('teacher.preview', {
          projectId: project.projectId,
          modelId: model.id,
          count: 1,
          threads: 1,
          sequences: 1,
          contextSize: 256,
        }),
        `${kind} preview`,
      );
      if (preview.ok) {
        // A model that loads must give real distributions, or say per document why not.
        const item = preview.value[0];
        if (item.distribution) {
          expect(
            item.distribution.probs.every((p) => Number.isFinite(p) && p >= 0),
            kind,
          ).toBe(true);
          counts.correct++;
        } else {
          expectClear(kind, 'MODEL_ERROR', item.error ?? '');
          expect(item.error, kind).toMatch(/\w{3,}/);
          counts.atPreview++;
        }
      } else {
        expectClear(kind, preview.error.code, preview.error.message);
        counts.atPreview++;
      }
    }
    await core.call('teacher.removeModel', { modelId: model.id });
  }
  expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  console.log(
    `malformed GGUF corpus: ${MALFORMED_KINDS.length} models, clear errors at import ${counts.atImport}, ` +
      `at check ${counts.atCheck}, at preview ${counts.atPreview}; correct results ${counts.correct}`,
  );
  expect(counts.atImport + counts.atCheck + counts.atPreview + counts.correct).toBe(MALFORMED_KINDS.length);
  // The NaN model passes every header check and is caught by the teacher process.
  expect(counts.atPreview + counts.atCheck).toBeGreaterThanOrEqual(1);
}, 600_000);
