import { createHash } from 'node:crypto';
import type { Core } from '../../src/main/core/core';
import { nowIso } from '../../src/main/core/time';

export interface Fixture {
  readonly projectId: number;
  readonly labels: { readonly fair: number; readonly unfair: number };
  readonly examples: number[];
}

/** A project with two labels and `texts` documents, all on the given split (train by default). */
export async function makeProject(
  core: Core,
  texts: readonly string[],
  opts: { split?: (i: number) => 'train' | 'validation' | 'test' } = {},
): Promise<Fixture> {
  const project = await core.call('projects.create', {
    name: `Review ${Math.random().toString(36).slice(2)}`,
  });
  const db = core.db;
  const now = nowIso();
  const addLabel = db.prepare(
    'INSERT INTO labels (project_id, name, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const fair = Number(addLabel.run(project.id, 'fair', 'f', 0, now).lastInsertRowid);
  const unfair = Number(addLabel.run(project.id, 'unfair', 'u', 1, now).lastInsertRowid);
  const addExample = db.prepare(
    `INSERT INTO examples (project_id, text, text_hash, length, split, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const examples = db.transaction(() =>
    texts.map((t, i) =>
      Number(
        addExample.run(
          project.id,
          t,
          createHash('sha256').update(t).digest('hex').slice(0, 32),
          t.length,
          opts.split?.(i) ?? 'train',
          now,
        ).lastInsertRowid,
      ),
    ),
  )();
  return { projectId: project.id, labels: { fair, unfair }, examples };
}

/** A teacher_runs row with this label snapshot (the order of every output's probabilities). */
export function insertTeacherRun(
  core: Core,
  projectId: number,
  labels: ReadonlyArray<{ id: number; name: string }>,
): number {
  return Number(
    core.db
      .prepare(
        `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
         VALUES (?, 'sha', 'direct', 'prompt', ?, ?)`,
      )
      .run(projectId, JSON.stringify(labels), nowIso()).lastInsertRowid,
  );
}

/**
 * A teacher run in the documented format (the teacher feature writes the same rows):
 * probs in the order of labels_snapshot, entropy in nats, margin between the two top probabilities.
 */
export function addTeacherRun(
  core: Core,
  fx: Fixture,
  outputs: ReadonlyArray<{ exampleId: number; pUnfair: number; reasoning?: string }>,
): number {
  const db = core.db;
  const now = nowIso();
  const runId = insertTeacherRun(core, fx.projectId, [
    { id: fx.labels.fair, name: 'fair' },
    { id: fx.labels.unfair, name: 'unfair' },
  ]);
  const insert = db.prepare(
    `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, reasoning, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const o of outputs) {
      const probs = [1 - o.pUnfair, o.pUnfair];
      const entropy = -probs.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0);
      insert.run(
        runId,
        o.exampleId,
        JSON.stringify(probs),
        JSON.stringify(probs.map((p) => Math.log(Math.max(p, 1e-12)))),
        o.pUnfair > 0.5 ? fx.labels.unfair : fx.labels.fair,
        entropy,
        Math.abs(probs[0] - probs[1]),
        o.reasoning ?? null,
        now,
      );
    }
  })();
  return runId;
}
