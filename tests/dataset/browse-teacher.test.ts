import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { importFile, projectFixtureForEachTest, writeFixture } from './fixtures';

let core: Core;
let dir: string;
let projectId: number;
projectFixtureForEachTest('Soft labels', (f) => ({ core, dir, projectId } = f));

function entropy(probs: readonly number[]): number {
  return -probs.reduce((s, p) => (p > 0 ? s + p * Math.log(p) : s), 0);
}

/** A teacher run as the teacher writes it: probs in the order of labels_snapshot, a JSON array of {id,name}. */
function insertRun(
  labels: ReadonlyArray<{ id: number; name: string }>,
  outputs: ReadonlyArray<{ exampleId: number; probs: number[] }>,
): number {
  const now = new Date().toISOString();
  const runId = Number(
    core.db
      .prepare(
        `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
         VALUES (?, 'sha', 'direct', 'prompt', ?, ?)`,
      )
      .run(projectId, JSON.stringify(labels), now).lastInsertRowid,
  );
  const insert = core.db.prepare(
    `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  core.db.transaction(() => {
    for (const o of outputs) {
      const sorted = [...o.probs].sort((a, b) => b - a);
      const top = o.probs.indexOf(sorted[0]);
      insert.run(
        runId,
        o.exampleId,
        JSON.stringify(o.probs),
        JSON.stringify(o.probs.map((p) => Math.log(Math.max(p, 1e-12)))),
        labels[top].id,
        entropy(o.probs),
        sorted[0] - (sorted[1] ?? 0),
        now,
      );
    }
  })();
  return runId;
}

describe('browse carries the latest teacher run', () => {
  it('gives each row the top label, its probability, the entropy and the full distribution', async () => {
    const csv = ['text,label', 'the fee may change at any time,unfair', 'you may cancel within 14 days,fair']
      .concat(Array.from({ length: 8 }, (_, i) => `clause number ${i},`))
      .join('\n');
    const { job } = await importFile(core, {
      projectId,
      path: writeFixture(dir, 'clauses.csv', csv),
      textColumn: 'text',
      labelColumn: 'label',
    });
    expect(job.state).toBe('completed');
    const labels = await core.call('dataset.labels', { projectId });
    const fair = labels.find((l) => l.name === 'fair');
    const unfair = labels.find((l) => l.name === 'unfair');
    if (!fair || !unfair) throw new Error('labels missing');
    const ids = (
      core.db.prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id').all(projectId) as Array<{
        id: number;
      }>
    ).map((r) => r.id);

    // Before any teacher run: no column, no soft labels.
    const before = await core.call('dataset.browse', { projectId, limit: 100 });
    expect(before.teacherRun).toBeNull();
    expect(before.rows.every((r) => r.teacher === null)).toBe(true);

    const snapshot = [
      { id: unfair.id, name: 'unfair' },
      { id: fair.id, name: 'fair' },
    ];
    // An older run that must be ignored, then the latest run (which skipped the last example).
    insertRun(
      snapshot,
      ids.map((exampleId) => ({ exampleId, probs: [0.5, 0.5] })),
    );
    const runId = insertRun(
      snapshot,
      ids.slice(0, -1).map((exampleId, i) => ({ exampleId, probs: i === 1 ? [0.1, 0.9] : [0.8, 0.2] })),
    );

    const page = await core.call('dataset.browse', { projectId, limit: 100 });
    expect(page.teacherRun).toEqual({ runId, labels: snapshot });
    expect(page.rows).toHaveLength(ids.length);
    const first = page.rows[0].teacher;
    expect(first).toMatchObject({ labelId: unfair.id, label: 'unfair', probs: [0.8, 0.2] });
    expect(first?.prob).toBeCloseTo(0.8);
    expect(first?.entropy).toBeCloseTo(entropy([0.8, 0.2]));
    const second = page.rows[1].teacher;
    expect(second).toMatchObject({ labelId: fair.id, label: 'fair', probs: [0.1, 0.9] });
    expect(second?.prob).toBeCloseTo(0.9);
    expect(page.rows[page.rows.length - 1].teacher).toBeNull();

    // Keyset pages and search pages carry it too.
    const next = await core.call('dataset.browse', { projectId, after: ids[0], limit: 1 });
    expect(next.rows[0].id).toBe(ids[1]);
    expect(next.rows[0].teacher?.label).toBe('fair');
    const hits = await core.call('dataset.browse', { projectId, limit: 10, filters: { search: 'cancel' } });
    expect(hits.rows.map((r) => r.id)).toEqual([ids[1]]);
    expect(hits.rows[0].teacher?.probs).toEqual([0.1, 0.9]);
  });
});
