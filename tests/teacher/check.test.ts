import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { nowIso } from '../../src/main/core/time';
import type { TeacherCheck, TeacherRun } from '../../src/shared/teacher';
import { coreForEachTest, ROOT, testCore, tempDir } from '../helpers';
import { importTinyModel, makeProject, type ExampleSpec } from './fixtures';

const exec = promisify(execFile);
const LABELS = [{ name: 'contract' }, { name: 'tort' }, { name: 'family' }];

/** 8 contract, 8 tort, 4 family on the validation split, labelled by people (import), then 6 labelled train docs. */
function validationDocs(): ExampleSpec[] {
  const gold = [
    ...Array(8).fill('contract'),
    ...Array(8).fill('tort'),
    ...Array(4).fill('family'),
  ] as string[];
  return [
    ...gold.map((label, i) => ({
      text: `Validation document ${i} about ${label}.`,
      split: 'validation' as const,
      label,
    })),
    ...Array.from({ length: 6 }, (_, i) => ({
      text: `Training document ${i}.`,
      split: 'train' as const,
      label: LABELS[i % 3].name,
    })),
  ];
}

/**
 * A teacher run with hand-made outputs: the check is arithmetic on stored outputs, and no model can be made this
 * good (or this bad) on demand. `predict` gives the teacher's label for each validation document by position.
 */
function handMadeRun(
  core: Core,
  p: { projectId: number; exampleIds: number[]; labelIds: Map<string, number> },
  predict: (i: number) => string,
): number {
  const snapshot = LABELS.map((l) => ({ id: p.labelIds.get(l.name)!, name: l.name }));
  const info = core.db
    .prepare(
      `INSERT INTO teacher_runs (project_id, model_id, model_sha256, mode, prompt_template, labels_snapshot, settings, created_at)
       VALUES (?, NULL, 'hand-made', 'direct', '', ?, '{}', ?)`,
    )
    .run(p.projectId, JSON.stringify(snapshot), nowIso());
  const runId = Number(info.lastInsertRowid);
  const insert = core.db.prepare(
    `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, reasoning,
       tokens, time_ms, truncated, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, NULL, 1, 1, 0, ?)`,
  );
  p.exampleIds.slice(0, 20).forEach((exampleId, i) => {
    const k = LABELS.findIndex((l) => l.name === predict(i));
    const probs = LABELS.map((_, c) => (c === k ? 0.8 : 0.1));
    insert.run(
      runId,
      exampleId,
      JSON.stringify(probs),
      JSON.stringify(probs.map(Math.log)),
      snapshot[k].id,
      nowIso(),
    );
  });
  return runId;
}

const goldOf = (i: number): string => (i < 8 ? 'contract' : i < 16 ? 'tort' : 'family');

describe('the teacher check (real core and SQLite; hand-made teacher outputs)', () => {
  const t = coreForEachTest();

  it('a teacher that agrees with people on 19 of 20 documents is useful; intervals and baselines are given', async () => {
    const p = makeProject(t.core, { labels: LABELS, examples: validationDocs() });
    const runId = handMadeRun(t.core, p, (i) => (i === 0 ? 'tort' : goldOf(i)));
    const c = await t.core.call('teacher.check', { runId });
    expect(c.examples).toBe(20);
    expect(c.accuracy.value).toBeCloseTo(0.95, 12);
    expect(c.accuracy.low!).toBeLessThanOrEqual(0.95);
    expect(c.accuracy.high!).toBeGreaterThanOrEqual(0.95);
    expect(c.kappa.value!).toBeGreaterThan(0.9);
    // Always "contract": 8 of 20 right; its F1 is 2 * 0.4 / 1.4 and the other two labels score 0.
    expect(c.baselines.majority).toEqual({
      label: 'contract',
      accuracy: 0.4,
      macroF1: expect.closeTo(0.8 / 1.4 / 3, 12),
    });
    expect(c.baselines.uniform.accuracy).toBeCloseTo(1 / 3, 12);
    expect(c.verdict).toBe('useful');
    expect(c.neverPredicted).toEqual([]);
    expect(c.confusions).toEqual([{ gold: 'contract', predicted: 'tort', count: 1 }]);
    expect(c.perLabel.map((l) => [l.label, l.support, l.predicted])).toEqual([
      ['contract', 8, 7],
      ['tort', 8, 9],
      ['family', 4, 4],
    ]);
    const overview = await t.core.call('student.overview', { projectId: p.projectId });
    expect(overview.teacherCheck?.verdict).toBe('useful');
    expect(overview.defaults.useTeacher).toBe(true);
  });

  it('a teacher that always answers "tort" is no better than chance: training defaults to human labels only', async () => {
    const p = makeProject(t.core, { labels: LABELS, examples: validationDocs() });
    const runId = handMadeRun(t.core, p, () => 'tort');
    const c = await t.core.call('teacher.check', { runId });
    expect(c.accuracy.value).toBeCloseTo(0.4, 12);
    expect(c.kappa.value).toBe(0);
    expect(c.verdict).toBe('chance');
    expect(c.neverPredicted).toEqual(['contract', 'family']);
    expect(c.confusions).toEqual([
      { gold: 'contract', predicted: 'tort', count: 8 },
      { gold: 'family', predicted: 'tort', count: 4 },
    ]);
    const overview = await t.core.call('student.overview', { projectId: p.projectId });
    expect(overview.teacherCheck?.runId).toBe(runId);
    expect(overview.defaults.useTeacher).toBe(false);
    // The person can still choose the teacher: an explicit request is honoured.
    const { run } = await t.core.call('student.train', {
      projectId: p.projectId,
      settings: { useTeacher: true, maxEpochs: 1 },
    });
    expect(run.teacherRunId).toBe(runId);
    await t.core.jobs.wait(run.jobId!);
  });

  it('half right at random-looking places is weak; accepted teacher labels never count as people agreeing', async () => {
    const p = makeProject(t.core, { labels: LABELS, examples: validationDocs() });
    // Right on 12 of 20 (positions 0-2 of every 5); wrong ones take the next label.
    const runId = handMadeRun(t.core, p, (i) =>
      i % 5 < 3 ? goldOf(i) : LABELS[(LABELS.findIndex((l) => l.name === goldOf(i)) + 1) % 3].name,
    );
    const c = await t.core.call('teacher.check', { runId });
    expect(c.accuracy.value).toBeCloseTo(0.6, 12);
    expect(c.verdict).toBe('weak');
    // A person accepting the teacher's label on a validation document does not make it a person's label.
    const extra = t.core.db
      .prepare(
        "INSERT INTO examples (project_id, text, text_hash, length, split, created_at) VALUES (?, 'Accepted only.', 'x', 14, 'validation', ?)",
      )
      .run(p.projectId, nowIso());
    t.core.db
      .prepare(
        "INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at) VALUES (?, ?, ?, 'ann', 'teacher_accept', ?)",
      )
      .run(p.projectId, Number(extra.lastInsertRowid), p.labelIds.get('tort'), nowIso());
    expect((await t.core.call('teacher.check', { runId })).validationLabelled).toBe(20);
  });

  it('fewer than ten checked documents: "too few", and training keeps the teacher', async () => {
    const p = makeProject(t.core, { labels: LABELS, examples: validationDocs().slice(0, 9) });
    const runId = handMadeRun(t.core, p, () => 'tort');
    const c = await t.core.call('teacher.check', { runId });
    expect(c).toMatchObject({ examples: 9, verdict: 'too-few', minimum: 10 });
    expect((await t.core.call('student.overview', { projectId: p.projectId })).defaults.useTeacher).toBe(
      true,
    );
  });

  it('an unknown run is NOT_FOUND', async () => {
    const r = await t.core.invokeRaw('teacher.check', { runId: 999 });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('teacher check and train on the command line (real tiny model)', () => {
  it('checks a real run; "train" without a flag says why it uses human labels only, --use-teacher overrides', async () => {
    const d = tempDir();
    try {
      const { core, close } = await testCore({ dataDir: d.dir });
      const p = makeProject(core, { labels: LABELS, examples: validationDocs() });
      await importTinyModel(core);
      const model = (await core.call('teacher.models', {}))[0];
      const started = await core.call('teacher.run', {
        projectId: p.projectId,
        modelId: model.id,
        threads: 1,
        sequences: 2,
        contextSize: 512,
      });
      await core.jobs.wait(started.job.id);
      // Whatever the tiny model answered, the check agrees with a count over its outputs.
      const outputs = await core.call('teacher.outputs', { runId: started.run.id, offset: 0, limit: 500 });
      const right = outputs.items.filter(
        (o) => o.split === 'validation' && o.predictedLabel === goldOf(p.exampleIds.indexOf(o.exampleId)),
      ).length;
      await close({ keep: true });

      const cli = async (...args: string[]): Promise<{ json: unknown; stderr: string }> => {
        const r = await exec(
          process.execPath,
          ['bin/distillery.mjs', ...args, '--data-dir', d.dir, '--json'],
          { cwd: ROOT },
        );
        return { json: JSON.parse(r.stdout) as unknown, stderr: r.stderr };
      };
      const check = (await cli('teacher', 'check', String(started.run.id))).json as TeacherCheck;
      expect(check.examples).toBe(20);
      expect(check.accuracy.value).toBeCloseTo(right / 20, 12);

      // Make the verdict "chance" for sure: a second run whose outputs are all "tort" is now the latest.
      const again = await testCore({ dataDir: d.dir });
      const chanceRun = handMadeRun(again.core, p, () => 'tort');
      await again.close({ keep: true });
      const trained = await cli('train', String(p.projectId), '--epochs', '1');
      expect((trained.json as { teacherRunId: number | null }).teacherRunId).toBeNull();
      expect(trained.stderr).toMatch(/no better than chance/);
      expect(trained.stderr).toMatch(/--use-teacher/);
      const forced = await cli('train', String(p.projectId), '--epochs', '1', '--use-teacher');
      expect((forced.json as { teacherRunId: number | null }).teacherRunId).toBe(chanceRun);
      const runs = (await cli('teacher', 'status', String(p.projectId))).json as TeacherRun[];
      expect(runs.length).toBe(2);
    } finally {
      d.cleanup();
    }
  }, 180_000);
});
