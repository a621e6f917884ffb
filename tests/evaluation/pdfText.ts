import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { evaluationHandlers } from '../../src/main/features/evaluation/feature';
import { fakeStudentLoader, type SeededProject } from './seed';

/**
 * A PDF's text as poppler extracts it (`pdftotext`): written to `dir/name` first. `layout` keeps poppler's lines
 * (`-layout`); without it lines wrap anywhere.
 */
export function pdftotext(dir: string, bytes: Uint8Array, name: string, layout: boolean): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const args = ['-enc', 'UTF-8', ...(layout ? ['-layout'] : []), file, '-'];
  const out = spawnSync('pdftotext', args, { encoding: 'utf8' });
  expect(out.error, 'pdftotext (poppler-utils) must be installed').toBeUndefined();
  expect(out.status).toBe(0);
  return out.stdout;
}

/** Evaluates the seeded project's teacher run (stored, as the Evaluate step would), so that a report has figures. */
export async function evaluateSeededTeacher(
  core: Core,
  seeded: SeededProject,
  labels: readonly string[],
): Promise<void> {
  const h = evaluationHandlers(fakeStudentLoader(labels).load);
  await h['evaluation.evaluate'](
    {
      projectId: seeded.projectId,
      model: { kind: 'teacher', runId: seeded.teacherRunId },
      seed: 42,
      iterations: 50,
    },
    core.ctx,
  );
}
