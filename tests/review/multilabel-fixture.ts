import { createHash } from 'node:crypto';
import type { Core } from '../../src/main/core/core';
import { nowIso } from '../../src/main/core/time';
import { insertTeacherRun } from './fixture';

export interface MultiFixture {
  readonly projectId: number;
  /** Label ids by name: a, b, c. */
  readonly labels: { readonly a: number; readonly b: number; readonly c: number };
  readonly examples: number[];
}

/** A multi-label project with labels a, b, c and one document per text (split from `split`, train by default). */
export async function makeMultiProject(
  core: Core,
  texts: readonly string[],
  split: (i: number) => 'train' | 'validation' | 'test' = () => 'train',
): Promise<MultiFixture> {
  const project = await core.call('projects.create', {
    name: `Multi ${Math.random().toString(36).slice(2)}`,
    kind: 'multi',
  });
  const db = core.db;
  const now = nowIso();
  const addLabel = db.prepare(
    'INSERT INTO labels (project_id, name, position, created_at) VALUES (?, ?, ?, ?)',
  );
  const [a, b, c] = ['a', 'b', 'c'].map((n, i) =>
    Number(addLabel.run(project.id, n, i, now).lastInsertRowid),
  );
  const addExample = db.prepare(
    `INSERT INTO examples (project_id, text, text_hash, length, split, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const examples = texts.map((t, i) =>
    Number(
      addExample.run(
        project.id,
        t,
        createHash('sha256').update(t).digest('hex').slice(0, 32),
        t.length,
        split(i),
        now,
      ).lastInsertRowid,
    ),
  );
  return { projectId: project.id, labels: { a, b, c }, examples };
}

/**
 * A multi-label teacher run in the format the teacher feature writes: probs are each label's independent
 * probability (in the order of labels_snapshot), predicted_label_id NULL, entropy the mean binary entropy,
 * margin min_k |2 p_k - 1|.
 */
export function addMultiTeacherRun(
  core: Core,
  fx: MultiFixture,
  outputs: ReadonlyArray<{ exampleId: number; probs: readonly [number, number, number] }>,
): number {
  const db = core.db;
  const now = nowIso();
  const runId = insertTeacherRun(core, fx.projectId, [
    { id: fx.labels.a, name: 'a' },
    { id: fx.labels.b, name: 'b' },
    { id: fx.labels.c, name: 'c' },
  ]);
  const insert = db.prepare(
    `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, created_at)
     VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`,
  );
  const h = (p: number): number => (p <= 0 || p >= 1 ? 0 : -(p * Math.log(p) + (1 - p) * Math.log(1 - p)));
  for (const o of outputs) {
    const entropy = o.probs.reduce((s, p) => s + h(p), 0) / o.probs.length;
    const margin = Math.min(...o.probs.map((p) => Math.abs(2 * p - 1)));
    insert.run(
      runId,
      o.exampleId,
      JSON.stringify(o.probs),
      JSON.stringify(o.probs.map((p) => Math.log(Math.max(p, 1e-12)))),
      entropy,
      margin,
      now,
    );
  }
  return runId;
}
