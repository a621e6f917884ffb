// How long each read of the Data, Review and Train steps holds the server's thread on a big project: DOCS documents,
// LABELS of them labelled by people (two annotators on one in ten, undone labels, accepted teacher labels, a lead's
// decisions), a teacher run over TEACHER documents. Each channel is called through the core as a request is, a few
// times; the median is what a person waits for while the server answers nothing else.
// Usage: npm run bench -- review-reads [--docs 1000000] [--labels 50000] [--teacher 200000] [--repeat 3] [--keep DIR]
//   [--only NAME]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, type Core } from '../src/main/core/core';
import type { ChannelName, Request } from '../src/shared/contract';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1000000' },
    labels: { type: 'string', default: '50000' },
    teacher: { type: 'string', default: '200000' },
    repeat: { type: 'string', default: '3' },
    /** Keep the seeded data folder here and reuse it on the next run (while changing a query). */
    keep: { type: 'string' },
    /** Time only the reads whose name contains this. */
    only: { type: 'string', default: '' },
  },
});
const DOCS = Number(values.docs);
const LABELS = Math.min(Number(values.labels), DOCS);
const TEACHER = Math.min(Number(values.teacher), DOCS);
const REPEAT = Number(values.repeat);
/** What each read must stay under: a key press's budget, so that no read stalls the next one. */
const TARGET_MS = 100;

const round = (x: number): number => Number(x.toFixed(1));

/**
 * The project, in SQL (a million rows in seconds): documents 80/10/10 train/validation/test; every (DOCS/LABELS)-th
 * document labelled by alice; one in ten of those also by bob (disagreeing on half), one in twenty relabelled after an
 * undo, one in twenty-five an accepted teacher label, one in fifty of bob's conflicts decided by a lead.
 */
function seedProject(core: Core, projectId: number): void {
  const db = core.db;
  const now = '2026-12-02T10:00:00.000Z';
  const step = Math.max(1, Math.floor(DOCS / Math.max(1, LABELS)));
  db.transaction(() => {
    const label = db.prepare(
      'INSERT INTO labels (project_id, name, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const [i, name] of ['fair', 'unfair', 'unclear'].entries())
      label.run(projectId, name, name[0], i, now);
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @docs)
       INSERT INTO examples (project_id, text, length, split, created_at)
       SELECT @project, 'Clause ' || i || ': the party shall give notice of any change to the terms.', 60,
              CASE WHEN i % 10 = 1 THEN 'validation' WHEN i % 10 = 2 THEN 'test' ELSE 'train' END, @now FROM n`,
    ).run({ docs: DOCS, project: projectId, now });
    const first = db
      .prepare('SELECT MIN(id) FROM examples WHERE project_id = ?')
      .pluck()
      .get(projectId) as number;
    const labelIds = db
      .prepare('SELECT id FROM labels WHERE project_id = ? ORDER BY position')
      .pluck()
      .all(projectId) as number[];
    const insert = db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at, retracted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const at = (s: number): string => new Date(Date.parse(now) + s * 1000).toISOString();
    const adjudicate = db.prepare(
      `INSERT INTO team_adjudications (example_id, project_id, annotation_id, label_id, adjudicator, at)
       VALUES (?, ?, ?, ?, 'lead', ?)`,
    );
    for (let k = 0; k < LABELS; k++) {
      const ex = first + k * step;
      const lab = labelIds[k % 3];
      const source = k % 25 === 0 ? 'teacher_accept' : k % 7 === 0 ? 'import' : 'human';
      if (k % 20 === 0) insert.run(projectId, ex, labelIds[(k + 1) % 3], 'alice', 'human', at(k), at(k + 1));
      insert.run(projectId, ex, lab, 'alice', source, at(k + 2), null);
      if (k % 10 === 0) {
        const other = k % 20 === 0 ? lab : labelIds[(k + 1) % 3];
        const id = Number(insert.run(projectId, ex, other, 'bob', 'human', at(k + 3), null).lastInsertRowid);
        if (k % 500 === 0 && other !== lab) {
          const lead = Number(
            insert.run(projectId, ex, lab, 'lead', 'human', at(k + 4), null).lastInsertRowid,
          );
          adjudicate.run(ex, projectId, lead, lab, at(k + 4));
        } else if (k % 500 === 0) void id;
      }
    }
    const run = Number(
      db
        .prepare(
          `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
           VALUES (?, 'sha', 'direct', 'prompt', ?, ?)`,
        )
        .run(
          projectId,
          JSON.stringify(labelIds.map((id, i) => ({ id, name: ['fair', 'unfair', 'unclear'][i] }))),
          now,
        ).lastInsertRowid,
    );
    // The teacher has labelled the first TEACHER documents, its answer following the document's number.
    db.prepare(
      `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, created_at)
       SELECT @run, e.id, '[0.6,0.3,0.1]', '[-0.5,-1.2,-2.3]',
              CASE e.id % 3 WHEN 0 THEN @l0 WHEN 1 THEN @l1 ELSE @l2 END, (e.id % 97) / 97.0, (e.id % 89) / 89.0, @now
       FROM examples e WHERE e.project_id = @project AND e.id < @first + @teacher`,
    ).run({
      run,
      project: projectId,
      first,
      teacher: TEACHER,
      now,
      l0: labelIds[0],
      l1: labelIds[1],
      l2: labelIds[2],
    });
  })();
}

async function main(): Promise<void> {
  const dataDir = values.keep ?? mkdtempSync(join(tmpdir(), 'distillery-bench-reads-'));
  const reuse = values.keep !== undefined && existsSync(join(dataDir, 'distillery.db'));
  const core = await createCore({ dataDir, mode: 'cli' });
  try {
    let projectId = core.db.prepare('SELECT MAX(id) FROM projects').pluck().get() as number;
    if (!reuse) {
      projectId = (await core.call('projects.create', { name: 'Bench: reads at a million documents' })).id;
      const t0 = performance.now();
      seedProject(core, projectId);
      core.db.exec('ANALYZE');
      console.error(
        `Seeded ${DOCS.toLocaleString()} documents in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const firstId = core.db
      .prepare('SELECT MIN(id) FROM examples WHERE project_id = ?')
      .pluck()
      .get(projectId) as number;
    const labelId = core.db
      .prepare('SELECT MIN(id) FROM labels WHERE project_id = ?')
      .pluck()
      .get(projectId) as number;
    const reads: Array<[string, ChannelName, unknown]> = [
      ['dataset.stats', 'dataset.stats', { projectId }],
      ['dataset.labels', 'dataset.labels', { projectId }],
      ['dataset.browse', 'dataset.browse', { projectId }],
      ['dataset.count', 'dataset.count', { projectId }],
      ['projects.get', 'projects.get', { projectId }],
      ['projects.progress', 'projects.progress', { projectId }],
      ['projects.list', 'projects.list', {}],
      ['review.state', 'review.state', { projectId }],
      ['review.gold', 'review.gold', { projectId }],
      ['review.history', 'review.history', { projectId }],
      ['review.agreement', 'review.agreement', { projectId }],
      ['review.item', 'review.item', { projectId, exampleId: firstId }],
      ['teacher.runs', 'teacher.runs', { projectId }],
      ['student.overview', 'student.overview', { projectId }],
      ['student.runs', 'student.runs', { projectId }],
    ];
    const queues = [
      { kind: 'unreviewed' },
      { kind: 'uncertain' },
      { kind: 'disagree' },
      { kind: 'label', labelId },
      { kind: 'conflicts' },
      { kind: 'all', split: 'test' },
      { kind: 'unreviewed', search: 'notice' },
    ];
    for (const queue of queues) {
      const name = JSON.stringify(queue);
      reads.push([`review.counts ${name}`, 'review.counts', { projectId, queue }]);
      reads.push([
        `review.next ${name}`,
        'review.next',
        { projectId, queue, exampleId: null, direction: 'next' },
      ]);
      reads.push([
        `review.upcoming ${name}`,
        'review.upcoming',
        { projectId, queue, exampleId: null, count: 5 },
      ]);
    }
    reads.push([
      'review.bulkPreview',
      'review.bulkPreview',
      { projectId, queue: { kind: 'uncertain' }, minConfidence: 0.9 },
    ]);
    const ms: Record<string, number> = {};
    for (const [name, channel, request] of reads.filter(([n]) => n.includes(values.only))) {
      const times: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        const s = performance.now();
        const r = await core.invoke(channel, request as Request<typeof channel>);
        times.push(performance.now() - s);
        if (!r.ok) {
          console.error(`${name}: ${r.error.message}`);
          break;
        }
      }
      times.sort((a, b) => a - b);
      ms[name] = round(times[Math.floor(times.length / 2)]);
      console.error(`${name}: ${ms[name]} ms`);
    }
    const over = Object.entries(ms)
      .filter(([, v]) => v >= TARGET_MS)
      .map(([k]) => k);
    console.log(
      JSON.stringify({
        bench: 'review-reads',
        documents: DOCS,
        labels: LABELS,
        teacher_outputs: TEACHER,
        median_ms: ms,
        target_ms: TARGET_MS,
        over_target: over,
        met: over.length === 0,
        load: loadavg().map((l) => round(l)),
      }),
    );
  } finally {
    await core.dispose();
    if (values.keep === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
