import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { readAnswer } from '../../src/shared/answers';
import { contract, type ChannelName } from '../../src/shared/contract';
import type { Job } from '../../src/shared/jobs';
import type { Result } from '../../src/shared/result';
import { tempDir, testCore } from '../helpers';
import { writeEvaluationSubset } from '../evaluation/multilabelFixture';
import { insertTeacherRun } from '../student/fixtures';

// The dataset, evaluation and student channels declare their answers' schemas (src/shared/dataset.ts,
// evaluation.ts, multilabelEvaluation.ts, student.ts): browser mode reads every answer with them. Here the real server
// (a real core on a real SQLite project, a student really trained) answers over HTTP, and each answer must read back
// as it was sent: a schema that refuses it, or leaves out a field the server sends, fails here.

let t: Awaited<ReturnType<typeof testCore>>;
let server: RunningServer;
let files: ReturnType<typeof tempDir>;
beforeAll(async () => {
  t = await testCore();
  files = tempDir('distillery-answers-');
  server = await startServer({ core: t.core, staticDir: files.dir });
});
afterAll(async () => {
  await server.close();
  await t.close();
  files.cleanup();
});

function schemaOf(channel: ChannelName): z.ZodType {
  const schema = (contract[channel] as { output?: z.ZodType }).output;
  if (!schema) throw new Error(`${channel} has no response schema`);
  return schema;
}

async function fetchJson(channel: ChannelName, request: unknown): Promise<{ ok: boolean; value?: unknown }> {
  const res = await fetch(`${server.url}api/invoke/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
    body: JSON.stringify(request),
  });
  return (await res.json()) as { ok: boolean; value?: unknown };
}

/**
 * Asks the server on `channel` and reads its answer with the channel's schema: the answer must be a success that reads
 * back as sent (as JSON: a figure JSON carried as null may be read as NaN). Returns the value read.
 */
async function ask<T = unknown>(channel: ChannelName, request: unknown): Promise<T> {
  const body = await fetchJson(channel, request);
  expect(body, `${channel}: ${JSON.stringify(body).slice(0, 300)}`).toMatchObject({ ok: true });
  const read = readAnswer(body, channel, schemaOf(channel)) as Result<T>;
  if (!read.ok) throw new Error(`${channel}: ${read.error.message}`);
  expect(JSON.parse(JSON.stringify(read.value)), channel).toEqual(body.value);
  return read.value;
}

/** Uploads a file as the browser's file picker does; returns the path a request may name. */
async function upload(path: string): Promise<string> {
  const res = await fetch(
    `${server.url}api/upload?name=${encodeURIComponent(path.split('/').pop() ?? 'file')}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: readFileSync(path),
    },
  );
  const body = (await res.json()) as { ok: boolean; value: { path: string } };
  expect(body.ok).toBe(true);
  return body.value.path;
}

async function finished(job: Job): Promise<void> {
  const done = await t.core.jobs.wait(job.id);
  expect(done.state, done.error ?? '').toBe('completed');
}

/**
 * A two-label contract project's CSV: labelled documents on every split, a test document leaking from training, a
 * text that cleaning changes (full-width letters, runs of spaces).
 */
function writeContracts(): string {
  const rows = Array.from({ length: 90 }, (_, i) => {
    const yes = i % 2 === 0;
    const text = yes
      ? `Clause ${i}: the landlord may enter the flat at any time without notice, fee ${i % 7}`
      : `Clause ${i}: the tenant receives a signed copy of the agreement within ${i % 5} days`;
    const split = i % 6 === 4 ? 'validation' : i % 6 === 5 ? 'test' : 'train';
    return [text, yes ? 'unfair' : 'fair', split];
  });
  rows.push([
    'Clause 0: the landlord may enter the flat at any time without notice, fee 0',
    'unfair',
    'test',
  ]);
  rows.push(['Ｃｌａｕｓｅ   90:   the tenant   may   end   the lease', 'fair', 'train']);
  const path = join(files.dir, 'contracts.csv');
  writeFileSync(path, ['text,label,split', ...rows.map((r) => r.map((c) => `"${c}"`).join(','))].join('\n'));
  return path;
}

describe('the dataset, student and evaluation answers read with their schemas', () => {
  let projectId: number;
  let runId: number;
  let teacherRunId: number;

  it('dataset: preview, import, statistics, labels, cleaning, splits, leakage, lock and export', async () => {
    projectId = (await t.core.call('projects.create', { name: 'Leases' })).id;
    const path = await upload(writeContracts());
    const preview = await ask<{ columns: string[] }>('dataset.preview', { path });
    expect(preview.columns).toEqual(['text', 'label', 'split']);
    const job = await ask<Job>('dataset.import', {
      projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      splitColumn: 'split',
    });
    expect(job.kind).toBe('dataset.import');
    await finished(job);

    const stats = await ask<{ total: number }>('dataset.stats', { projectId });
    expect(stats.total).toBe(92);
    expect(await ask('dataset.count', { projectId, filters: { labelId: 0 } })).toEqual({ count: 0 });
    const labels = await ask<Array<{ id: number; name: string }>>('dataset.labels', { projectId });
    const saved = await ask<Array<{ id: number; name: string }>>('dataset.saveLabels', {
      projectId,
      labels: [...labels, { name: 'unsure', hotkey: 'q' }],
    });
    const unsure = saved.find((l) => l.name === 'unsure');
    expect(unsure).toBeDefined();
    await ask('dataset.deleteLabel', { projectId, labelId: unsure?.id });

    const options = { nearDuplicates: true, minChars: 10 };
    const plan = await ask<{ changedByNormalisation: number }>('dataset.cleanPreview', {
      projectId,
      options,
    });
    expect(plan.changedByNormalisation).toBeGreaterThan(0);
    await ask('dataset.cleanApply', { projectId, options });
    await ask('dataset.cleanUndo', { projectId });
    const ids = (
      t.core.db.prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id').all(projectId) as Array<{
        id: number;
      }>
    ).map((r) => r.id);
    await ask('dataset.setExcluded', { projectId, exampleIds: [ids[1]], excluded: true });
    await ask('dataset.setExcluded', { projectId, exampleIds: [ids[1]], excluded: false });
    const leakage = await ask<{ pairs: unknown[] }>('dataset.leakage', { projectId });
    expect(leakage.pairs.length).toBeGreaterThan(0);
    await ask('dataset.split', { projectId, seed: 7 });
    await ask('dataset.lockTest', { projectId, locked: true });
    await ask('dataset.export', { projectId, format: 'jsonl' });
  });

  it('student: overview with a teacher check, training, runs, a run with its epochs, predictions', async () => {
    const labels = t.core.db
      .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position')
      .all(projectId) as Array<{ id: number; name: string }>;
    const docs = t.core.db
      .prepare('SELECT id, text FROM examples WHERE project_id = ? ORDER BY id')
      .all(projectId) as Array<{ id: number; text: string }>;
    teacherRunId = insertTeacherRun(
      t.core.db,
      projectId,
      labels,
      docs.map((d, i) => {
        const unfair = d.text.includes('landlord') ? 0.6 + (i % 4) / 10 : 0.1 + (i % 3) / 10;
        return { exampleId: d.id, probs: labels.map((l) => (l.name === 'unfair' ? unfair : 1 - unfair)) };
      }),
    );
    const overview = await ask<{ teacherCheck: unknown }>('student.overview', { projectId });
    expect(overview.teacherCheck).not.toBeNull();
    const started = await ask<{ run: { id: number }; job: Job }>('student.train', {
      projectId,
      settings: { auto: false, maxEpochs: 2 },
    });
    runId = started.run.id;
    await finished(started.job);
    await ask('student.runs', { projectId });
    const run = await ask<{ epochs: unknown[]; state: string }>('student.run', { runId });
    expect(run.state).toBe('completed');
    expect(run.epochs.length).toBeGreaterThan(0);
    const predicted = await ask<{ probs: number[][] }>('student.predict', {
      runId,
      texts: ['the landlord may enter at any time', 'a signed copy of the agreement'],
    });
    expect(predicted.probs).toHaveLength(2);
  }, 120_000);

  it('evaluation: overview, evaluations of both models, documents, operating point, comparisons, report', async () => {
    const student = { kind: 'student', runId };
    const teacher = { kind: 'teacher', runId: teacherRunId };
    await ask('evaluation.overview', { projectId });
    expect(await ask('evaluation.get', { projectId, model: student })).toBeNull();
    const e = await ask<{ predictions: Array<{ exampleId: number }> }>('evaluation.evaluate', {
      projectId,
      model: student,
      iterations: 50,
    });
    await ask('evaluation.evaluate', { projectId, model: teacher, iterations: 50 });
    await ask('evaluation.get', { projectId, model: student });
    await ask('evaluation.overview', { projectId });
    await ask('evaluation.documents', {
      projectId,
      model: student,
      filter: { kind: 'threshold', classIndex: 1, threshold: 0.5, outcome: 'tp' },
    });
    const target = { classIndex: 1, by: 'recall', value: 0.8 };
    await ask('evaluation.operatingPoint', { projectId, model: student, ...target });
    await ask('evaluation.saveThreshold', { projectId, runId, ...target });
    await ask('evaluation.sendToReview', { projectId, exampleIds: [e.predictions[0].exampleId] });
    await ask('evaluation.teacherVsStudent', { projectId, studentRunId: runId });
    await ask('evaluation.compare', { projectId, a: teacher, b: student });
    const report = await ask<{ mimeType: string }>('evaluation.exportReport', { projectId, model: student });
    expect(report.mimeType).toBe('text/html');
  }, 120_000);

  it('multi-label evaluation: overview, evaluation, thresholds tuned and reset', async () => {
    const multi = (await t.core.call('projects.create', { name: 'Unfair terms', kind: 'multi' })).id;
    const subset = writeEvaluationSubset(files.dir, { perLabel: 20, none: 30 });
    const job = await ask<Job>('dataset.import', {
      projectId: multi,
      path: await upload(subset.path),
      textColumn: 'text',
      labelColumn: 'labels',
      splitColumn: 'split',
      multiLabel: { format: 'list', delimiter: '|' },
    });
    await finished(job);
    await ask('dataset.stats', { projectId: multi });
    const started = await ask<{ run: { id: number }; job: Job }>('student.train', {
      projectId: multi,
      settings: { auto: false, maxEpochs: 2 },
    });
    await finished(started.job);
    const multiRun = started.run.id;
    await ask('student.run', { runId: multiRun });
    await ask('evaluation.multiOverview', { projectId: multi });
    expect(await ask('evaluation.multiGet', { projectId: multi, runId: multiRun })).toBeNull();
    await ask('evaluation.multiEvaluate', { projectId: multi, runId: multiRun, iterations: 50 });
    await ask('evaluation.multiGet', { projectId: multi, runId: multiRun });
    const labels = (await ask<{ labels: string[] }>('evaluation.multiOverview', { projectId: multi })).labels;
    const tuned = await ask<{ targets: unknown[] }>('evaluation.multiThresholds', {
      projectId: multi,
      runId: multiRun,
      tune: { label: labels[0], by: 'f1' },
    });
    expect(tuned.targets).toHaveLength(1);
    await ask('evaluation.multiOverview', { projectId: multi });
    expect(
      await ask('evaluation.multiThresholds', { projectId: multi, runId: multiRun, reset: true }),
    ).toBeNull();
  }, 180_000);

  it('an answer of another shape is refused with badAnswer, naming the channel and the field', async () => {
    const refused = (channel: ChannelName, body: unknown, field: string): void => {
      const read = readAnswer(body, channel, schemaOf(channel));
      expect(read.ok, channel).toBe(false);
      if (read.ok) return;
      expect(read.error).toMatchObject({ code: 'INTERNAL', key: 'badAnswer', params: { channel } });
      expect(read.error.params?.problem, channel).toContain(field);
    };
    type Body = { ok: true; value: Record<string, unknown> };
    const student = { kind: 'student', runId };

    const stats = (await fetchJson('dataset.stats', { projectId })) as Body;
    delete (stats.value.splits as Record<string, unknown>).test;
    refused('dataset.stats', stats, 'splits.test');

    const evaluation = (await fetchJson('evaluation.get', { projectId, model: student })) as Body;
    (evaluation.value.confusion as unknown[][])[1][0] = '3';
    refused('evaluation.get', evaluation, 'confusion.1.0');

    const leakage = (await fetchJson('dataset.leakage', { projectId })) as Body;
    (leakage.value.pairs as Array<Record<string, unknown>>)[0].otherSplit = 'test';
    refused('dataset.leakage', leakage, 'pairs.0.otherSplit');

    const run = (await fetchJson('student.run', { runId })) as Body;
    const epochs = run.value.epochs as Array<Record<string, unknown>>;
    epochs[0].trainLoss = 'low';
    refused('student.run', run, 'epochs.0.trainLoss');
    // A figure JSON carried as null (NaN where the app's window sees it) reads back as NaN, not as a refusal.
    epochs[0].trainLoss = null;
    const read = readAnswer(run, 'student.run', schemaOf('student.run'));
    expect(read.ok && (read.value as { epochs: Array<{ trainLoss: number }> }).epochs[0].trainLoss).toBeNaN();

    const train = (await fetchJson('student.runs', { projectId })) as { ok: true; value: unknown[] };
    (train.value[0] as Record<string, unknown>).state = 'sleeping';
    refused('student.runs', train, '0.state');
  });
});
