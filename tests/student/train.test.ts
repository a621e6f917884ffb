import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { loadStudent } from '../../src/main/features/student/predictor';
import { buildTrainingSet } from '../../src/main/features/student/trainingSet';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/student';
import { testCore } from '../helpers';
import { insertProject, insertTeacherRun, loadKuake, type FixtureExample } from './fixtures';

let open: Array<(o?: { keep?: boolean }) => Promise<void>> = [];
afterEach(async () => {
  for (const close of open) await close();
  open = [];
});

async function core(): Promise<Core> {
  const t = await testCore();
  open.push(t.close);
  return t.core;
}

/** The canonical kuake split: 10% of the train file as validation, the dev file as the locked test split. */
function kuakeExamples(): {
  labels: string[];
  examples: FixtureExample[];
  dev: Array<{ text: string; label: string }>;
} {
  const { labels, train, dev } = loadKuake();
  const examples: FixtureExample[] = [
    ...train.map((r, i) => ({
      text: r.text,
      label: r.label,
      split: i % 10 === 0 ? ('validation' as const) : ('train' as const),
    })),
    ...dev.map((r) => ({ text: r.text, label: r.label, split: 'test' as const })),
  ];
  return { labels, examples, dev };
}

describe('training set', () => {
  it('never uses the test split or excluded examples, and lets the human label win over the teacher', async () => {
    const c = await core();
    const { projectId, labelIds, exampleIds } = insertProject(
      c.db,
      ['yes', 'no'],
      [
        { text: 'agree a', split: 'train', label: 'yes' },
        { text: 'agree b', split: 'train', label: 'yes' },
        { text: 'refuse a', split: 'train', label: 'no' },
        { text: 'teacher only', split: 'train', label: null },
        { text: 'excluded', split: 'train', label: 'no', excluded: true },
        { text: 'locked test', split: 'test', label: 'no' },
        { text: 'validation', split: 'validation', label: 'yes' },
      ],
    );
    const snapshot = [...labelIds].map(([name, id]) => ({ id, name }));
    insertTeacherRun(c.db, projectId, snapshot, [
      { exampleId: exampleIds[0], probs: [0.9, 0.1] },
      { exampleId: exampleIds[2], probs: [0.8, 0.2] }, // disagrees with the human "no"
      { exampleId: exampleIds[3], probs: [0.3, 0.7] },
      { exampleId: exampleIds[5], probs: [0.1, 0.9] },
    ]);
    const set = buildTrainingSet(c.db, projectId, DEFAULT_TRAIN_SETTINGS);
    expect(set.trainExampleIds).toEqual([exampleIds[0], exampleIds[1], exampleIds[2], exampleIds[3]]);
    expect(set.validationExampleIds).toEqual([exampleIds[6]]);
    expect(set.data.train.map((e) => e.text)).not.toContain('locked test');
    expect(set.data.train[0]).toEqual({ text: 'agree a', label: 0, teacher: [0.9, 0.1] });
    expect(set.data.train[2]).toEqual({ text: 'refuse a', label: 1, teacher: null });
    expect(set.data.train[3].label).toBeNull();
    expect(set.snapshot.conflictCount).toBe(1);
    expect(set.snapshot.teacherCount).toBe(1);

    const humanOnly = buildTrainingSet(c.db, projectId, { ...DEFAULT_TRAIN_SETTINGS, useTeacher: false });
    expect(humanOnly.teacherRunId).toBeNull();
    expect(humanOnly.data.train.every((e) => e.teacher === null)).toBe(true);
  });

  it('refuses an empty validation split, too few examples and a label set changed since the teacher run', async () => {
    const c = await core();
    const { projectId, labelIds } = insertProject(
      c.db,
      ['a', 'b'],
      [
        { text: 'one', split: 'train', label: 'a' },
        { text: 'two', split: 'train', label: 'b' },
      ],
    );
    await expect(c.call('student.train', { projectId })).rejects.toThrow(/validation split is empty/);
    c.db
      .prepare(
        "INSERT INTO examples (project_id, text, length, split, created_at) VALUES (?, 'v', 1, 'validation', '')",
      )
      .run(projectId);
    insertTeacherRun(c.db, projectId, [{ id: labelIds.get('a') ?? 0, name: 'a' }], []);
    await expect(c.call('student.train', { projectId })).rejects.toThrow(/labels changed since teacher run/);
    const lonely = insertProject(
      c.db,
      ['a', 'b'],
      [
        { text: 'one', split: 'train', label: 'a' },
        { text: 'v', split: 'validation', label: 'a' },
      ],
    );
    await expect(
      c.call('student.train', { projectId: lonely.projectId, settings: { useTeacher: false } }),
    ).rejects.toThrow(/Only 1 training example/);
    expect(await c.call('student.runs', { projectId })).toHaveLength(0);
  });
});

describe('training on kuake_qic (Chinese medical queries)', () => {
  it('trains in the worker, records curves and checkpoints, and beats the majority class on the test split', async () => {
    const c = await core();
    const { labels, examples, dev } = kuakeExamples();
    const { projectId } = insertProject(c.db, labels, examples);
    const epochs: number[] = [];
    const unsubscribe = c.events.subscribe((e) => {
      if (e.name === 'student.epoch') epochs.push((e.payload as { epoch: number }).epoch);
    });
    const { run, job } = await c.call('student.train', {
      projectId,
      // The best epoch's model is checked here; the final fit's in final-fit.test.ts.
      settings: { maxEpochs: 5, patience: 2, auto: false, finalFit: false },
    });
    const final = await c.jobs.wait(job.id);
    unsubscribe();
    expect(final.error).toBeNull();
    expect(final.state).toBe('completed');
    const detail = await c.call('student.run', { runId: run.id });
    expect(detail.state).toBe('completed');
    expect(detail.epochs.length).toBe(epochs.length);
    expect(detail.epochs[0].trainLoss).toBeGreaterThan(detail.epochs[detail.epochs.length - 1].trainLoss);
    expect(detail.bestEpoch).toBe(
      detail.epochs.reduce((b, e) => (e.valMacroF1 > b.valMacroF1 ? e : b), detail.epochs[0]).epoch,
    );
    expect(detail.checkpoints.some((k) => k.isBest && k.epoch === detail.bestEpoch)).toBe(true);
    expect(detail.modelPath).toBeTruthy();
    const meta = JSON.parse(readFileSync(join(detail.modelPath ?? '', 'model.json'), 'utf8')) as {
      meta: { epoch: number };
    };
    expect(meta.meta.epoch).toBe(detail.bestEpoch);

    const tried = await c.call('student.predict', { runId: run.id, texts: [dev[0].text, 'hello'] });
    expect(tried.labels).toEqual(labels);
    expect(tried.probs).toHaveLength(2);
    for (const p of tried.probs) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);

    const predictor = await loadStudent(detail.modelPath ?? '');
    expect(predictor.labels).toEqual(labels);
    const probs = await predictor.predict(dev.map((d) => d.text));
    predictor.dispose();
    const correct = probs.filter((p, i) => labels[p.indexOf(Math.max(...p))] === dev[i].label).length;
    const counts = new Map<string, number>();
    for (const d of dev) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / dev.length;
    const accuracy = correct / dev.length;
    expect(majority).toBeLessThan(0.4);
    expect(accuracy).toBeGreaterThan(0.7);
  }, 120_000);
});

describe('distillation from a teacher run', () => {
  it('learns from teacher distributions alone (no human label on the training split)', async () => {
    const c = await core();
    const { labels, train } = loadKuake();
    const rows = train.slice(0, 2000);
    const { projectId, labelIds, exampleIds } = insertProject(
      c.db,
      labels,
      rows.map((r, i) => ({
        text: r.text,
        label: i % 10 === 0 ? r.label : null,
        split: i % 10 === 0 ? 'validation' : 'train',
      })),
    );
    // A confident but imperfect teacher: 0.6 on the right label, the rest spread evenly.
    const snapshot = labels.map((name) => ({ id: labelIds.get(name) ?? 0, name }));
    const outputs = rows.map((r, i) => ({
      exampleId: exampleIds[i],
      probs: labels.map((l) => (l === r.label ? 0.6 : 0.4 / (labels.length - 1))),
    }));
    const teacherRunId = insertTeacherRun(c.db, projectId, snapshot, outputs);
    const { run, job } = await c.call('student.train', {
      projectId,
      settings: { maxEpochs: 4, auto: false, finalFit: false },
    });
    expect(run.teacherRunId).toBe(teacherRunId);
    expect(run.data).toMatchObject({
      trainCount: 1800,
      humanCount: 0,
      teacherCount: 1800,
      validationCount: 200,
    });
    expect((await c.jobs.wait(job.id)).state).toBe('completed');
    const detail = await c.call('student.run', { runId: run.id });
    // Well above always answering the validation split's commonest label (soft targets are class-weighted by
    // default, which trades some accuracy on this imbalanced set for macro-F1), and still improving.
    const validation = rows.filter((_, i) => i % 10 === 0).map((r) => r.label);
    const commonest =
      Math.max(...labels.map((l) => validation.filter((x) => x === l).length)) / validation.length;
    const accuracy = detail.epochs.map((e) => e.valAccuracy);
    expect(Math.max(...accuracy)).toBeGreaterThan(commonest + 0.1);
    expect(accuracy[accuracy.length - 1]).toBeGreaterThan(accuracy[0]!);
  }, 60_000);
});
