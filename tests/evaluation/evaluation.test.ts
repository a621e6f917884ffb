import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { AppError } from '../../src/main/core/errors';
import { evaluationHandlers } from '../../src/main/features/evaluation/feature';
import {
  markReviewRequestsDone,
  openReviewRequests,
} from '../../src/main/features/evaluation/reviewRequests';
import { modelInfo } from '../../src/main/features/evaluation/modelInfo';
import { ROOT, testCore } from '../helpers';
import { fakeStudentLoader, seedProject, type SeededProject } from './seed';

type Handlers = ReturnType<typeof evaluationHandlers>;

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let seeded: SeededProject;
let h: Handlers;
let loadedFrom: string[];

beforeEach(async () => {
  t = await testCore();
  core = t.core;
  seeded = seedProject(core.db, t.dataDir);
  const fake = fakeStudentLoader();
  loadedFrom = fake.loadedFrom;
  h = evaluationHandlers(fake.load);
});
afterEach(async () => {
  await t.close();
});

const teacher = (): { kind: 'teacher'; runId: number } => ({ kind: 'teacher', runId: seeded.teacherRunId });
const student = (): { kind: 'student'; runId: number } => ({ kind: 'student', runId: seeded.studentRunId });

/** `p` is a promise, or a function for handlers that throw before returning one. */
async function rejectsWith(p: unknown, code: string): Promise<AppError> {
  try {
    await (typeof p === 'function' ? (p as () => unknown)() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected an AppError ${code}`);
}

describe('evaluating a teacher run on the gold test split', () => {
  it('counts only non-excluded, human-labelled test documents and stores one result per run', async () => {
    const e = await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: teacher(), seed: 42, iterations: 200 },
      core.ctx,
    );
    expect(e.n).toBe(10);
    expect(e.missing).toBe(0);
    expect(e.labels).toEqual(['fair', 'unfair']);
    expect(e.accuracy.value).toBeCloseTo(0.7, 12);
    expect(e.confusion).toEqual([
      [3, 2],
      [1, 4],
    ]);
    expect(e.perClass[1].support).toBe(5);
    expect(e.latencyMsPerDoc).toBe(850);
    expect(e.accuracy.low).not.toBeNull();
    expect(e.accuracy.low!).toBeLessThanOrEqual(0.7);
    expect(e.accuracy.high!).toBeGreaterThanOrEqual(0.7);

    // Evaluating again with the same seed gives the same intervals and replaces the stored row.
    const again = await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: teacher(), seed: 42, iterations: 200 },
      core.ctx,
    );
    expect(again.accuracy).toEqual(e.accuracy);
    expect(again.kappa).toEqual(e.kappa);
    const rows = core.db
      .prepare("SELECT COUNT(*) AS n FROM metrics WHERE kind = 'eval' AND teacher_run_id = ?")
      .get(seeded.teacherRunId) as { n: number };
    expect(rows.n).toBe(1);
    const stored = await h['evaluation.get']({ projectId: seeded.projectId, model: teacher() }, core.ctx);
    expect(stored?.macroF1).toEqual(again.macroF1);
    expect(stored?.id).toBe(again.id);
  });

  it('uses the latest human label and reports gold documents the teacher did not see as missing', async () => {
    const [first, second] = seeded.test;
    // A person corrects the first document's gold label (append-only annotations: the newest wins).
    core.db
      .prepare(
        `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
         VALUES (?, ?, ?, 'dr.kim', 'human', '2026-11-28T00:00:00.000Z')`,
      )
      .run(seeded.projectId, first.id, seeded.labelIds.fair);
    core.db
      .prepare('DELETE FROM teacher_outputs WHERE run_id = ? AND example_id = ?')
      .run(seeded.teacherRunId, second.id);
    const e = await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: teacher(), seed: 1, iterations: 0 },
      core.ctx,
    );
    expect(e.n).toBe(9);
    expect(e.missing).toBe(1);
    expect(e.predictions.find((p) => p.exampleId === first.id)?.gold).toBe(0);
    expect(e.accuracy.low).toBeNull();
  });

  it('refuses to evaluate without gold labels, and says what to do', async () => {
    core.db.prepare("UPDATE examples SET split = 'train' WHERE project_id = ?").run(seeded.projectId);
    const err = await rejectsWith(
      h['evaluation.evaluate'](
        { projectId: seeded.projectId, model: teacher(), seed: 42, iterations: 10 },
        core.ctx,
      ),
      'CONFLICT',
    );
    expect(err.message).toMatch(/Label some test documents/);
    await rejectsWith(
      h['evaluation.evaluate'](
        { projectId: seeded.projectId, model: { kind: 'teacher', runId: 999 }, seed: 42, iterations: 10 },
        core.ctx,
      ),
      'NOT_FOUND',
    );
  });
});

describe('evaluating a student run with a fake StudentPredictor (no trained model needed)', () => {
  it('predicts the gold texts with the model folder of the run and measures latency', async () => {
    const e = await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: student(), seed: 42, iterations: 100 },
      core.ctx,
    );
    expect(loadedFrom).toEqual([seeded.modelDir]);
    expect(e.accuracy.value).toBeCloseTo(0.8, 12);
    expect(e.confusion).toEqual([
      [4, 1],
      [1, 4],
    ]);
    expect(e.modelBytes).toBe(48000);
    expect(e.latencyMsPerDoc).not.toBeNull();
    expect(e.latencyMsPerDoc!).toBeGreaterThanOrEqual(0);
  });

  it('refuses a model whose labels differ from its run, and a run without a model', async () => {
    const other = evaluationHandlers(fakeStudentLoader(['unfair', 'fair']).load);
    const err = await rejectsWith(
      other['evaluation.evaluate'](
        { projectId: seeded.projectId, model: student(), seed: 42, iterations: 10 },
        core.ctx,
      ),
      'CONFLICT',
    );
    expect(err.message).toMatch(/Train it again/);
    core.db.prepare('UPDATE student_runs SET model_path = NULL WHERE id = ?').run(seeded.studentRunId);
    await rejectsWith(
      h['evaluation.evaluate'](
        { projectId: seeded.projectId, model: student(), seed: 42, iterations: 10 },
        core.ctx,
      ),
      'CONFLICT',
    );
    expect(await h['evaluation.get']({ projectId: seeded.projectId, model: student() }, core.ctx)).toBeNull();
  });

  it('compares teacher and student: agreement, accuracy of each, F1 ratio, size and speed', async () => {
    core.db
      .prepare(
        `INSERT INTO teacher_models (name, file_path, sha256, size_bytes, created_at) VALUES ('qwen', '/m.gguf', 'abc123', 4000000000, 'now')`,
      )
      .run();
    core.db.prepare('UPDATE teacher_runs SET model_id = 1 WHERE id = ?').run(seeded.teacherRunId);
    const tv = await h['evaluation.teacherVsStudent'](
      { projectId: seeded.projectId, studentRunId: seeded.studentRunId },
      core.ctx,
    );
    expect(tv.shared).toBe(10);
    expect(tv.agreement).toBeCloseTo(0.9, 12);
    expect(tv.teacher.accuracy.value).toBeCloseTo(0.7, 12);
    expect(tv.student.accuracy.value).toBeCloseTo(0.8, 12);
    expect(tv.f1Ratio).toBeCloseTo(tv.student.macroF1.value! / tv.teacher.macroF1.value!, 12);
    expect(tv.sizeRatio).toBeCloseTo(4000000000 / 48000, 6);
    expect(tv.teacher.modelName).toBe(`Teacher run ${seeded.teacherRunId} (qwen)`);
  });
});

describe('drilling down and sending documents to review', () => {
  it('lists the documents behind a confusion cell with both models’ distributions', async () => {
    await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: student(), seed: 42, iterations: 10 },
      core.ctx,
    );
    const page = await h['evaluation.documents'](
      {
        projectId: seeded.projectId,
        model: student(),
        filter: { kind: 'cell', gold: 0, predicted: 1 },
        limit: 100,
      },
      core.ctx,
    );
    expect(page.total).toBe(1);
    const doc = page.items[0];
    expect(doc.text).toBe('Prices include VAT unfair');
    expect(doc.gold).toBe('fair');
    expect(doc.predicted).toBe('unfair');
    expect(doc.distributions.map((d) => d.model.kind)).toEqual(['student', 'teacher']);
    expect(doc.distributions[1].probs[1]).toBeCloseTo(0.55, 12);

    // A point on the ROC curve of "unfair": at threshold 0.8 the student's false positives are the one fair doc.
    const fp = await h['evaluation.documents'](
      {
        projectId: seeded.projectId,
        model: student(),
        filter: { kind: 'threshold', classIndex: 1, threshold: 0.8, outcome: 'fp' },
        limit: 100,
      },
      core.ctx,
    );
    expect(fp.items.map((d) => d.exampleId)).toEqual([doc.exampleId]);

    const sent = await h['evaluation.sendToReview'](
      { projectId: seeded.projectId, exampleIds: [doc.exampleId, doc.exampleId], reason: 'student wrong' },
      core.ctx,
    );
    expect(sent).toEqual({ added: 1, alreadyQueued: 0 });
    const twice = await h['evaluation.sendToReview'](
      { projectId: seeded.projectId, exampleIds: [doc.exampleId], reason: '' },
      core.ctx,
    );
    expect(twice).toEqual({ added: 0, alreadyQueued: 1 });
    expect(openReviewRequests(core.db, seeded.projectId).map((r) => r.exampleId)).toEqual([doc.exampleId]);
    const after = await h['evaluation.documents'](
      {
        projectId: seeded.projectId,
        model: student(),
        filter: { kind: 'cell', gold: 0, predicted: 1 },
        limit: 100,
      },
      core.ctx,
    );
    expect(after.items[0].inReviewQueue).toBe(true);
    expect(markReviewRequestsDone(core.db, seeded.projectId, [doc.exampleId])).toBe(1);
    expect(openReviewRequests(core.db, seeded.projectId)).toEqual([]);
  });

  it('sends nothing when one of the documents is not in the project', async () => {
    await rejectsWith(
      () =>
        h['evaluation.sendToReview'](
          { projectId: seeded.projectId, exampleIds: [seeded.test[0].id, 99999], reason: '' },
          core.ctx,
        ),
      'NOT_FOUND',
    );
    expect(openReviewRequests(core.db, seeded.projectId)).toEqual([]);
  });

  it('asks for an evaluation before drilling down', async () => {
    const err = await rejectsWith(
      () =>
        h['evaluation.documents'](
          { projectId: seeded.projectId, model: teacher(), filter: { kind: 'bin', bin: 0 }, limit: 10 },
          core.ctx,
        ),
      'NOT_FOUND',
    );
    expect(err.message).toMatch(/Evaluate/);
  });
});

describe('operating point', () => {
  it('chooses a threshold by target recall or precision and saves it with the student model', async () => {
    await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: teacher(), seed: 42, iterations: 10 },
      core.ctx,
    );
    const base = { projectId: seeded.projectId, model: teacher(), classIndex: 1, costFp: 1, costFn: 5 };
    // Teacher "unfair" scores of gold-unfair docs: 0.92 0.85 0.4 0.7 0.95; of gold-fair: 0.1 0.3 0.65 0.2 0.55.
    const byRecall = await h['evaluation.operatingPoint']({ ...base, by: 'recall', value: 1 }, core.ctx);
    expect(byRecall).toMatchObject({ threshold: 0.4, tp: 5, fn: 0, fp: 2, tn: 3, achieved: true, cost: 2 });
    const byPrecision = await h['evaluation.operatingPoint'](
      { ...base, by: 'precision', value: 1 },
      core.ctx,
    );
    expect(byPrecision).toMatchObject({ threshold: 0.7, tp: 4, fp: 0, fn: 1, achieved: true, cost: 5 });
    const fixed = await h['evaluation.operatingPoint']({ ...base, by: 'threshold', value: 0.5 }, core.ctx);
    expect(fixed).toMatchObject({ tp: 4, fp: 2, fn: 1, tn: 3 });

    await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: student(), seed: 42, iterations: 10 },
      core.ctx,
    );
    const saved = await h['evaluation.saveThreshold'](
      {
        projectId: seeded.projectId,
        runId: seeded.studentRunId,
        classIndex: 1,
        by: 'recall',
        value: 0.8,
        costFp: 1,
        costFn: 1,
      },
      core.ctx,
    );
    expect(saved).toMatchObject({ label: 'unfair', threshold: 0.8, by: 'recall', target: 0.8 });
    const row = core.db
      .prepare('SELECT threshold FROM student_runs WHERE id = ?')
      .get(seeded.studentRunId) as {
      threshold: string;
    };
    expect(JSON.parse(row.threshold)).toEqual(saved);
    const o = await h['evaluation.overview']({ projectId: seeded.projectId }, core.ctx);
    expect(o.candidates.find((c) => c.model.kind === 'student')?.threshold).toEqual(saved);
    expect(o.goldCount).toBe(10);
    expect(o.goldPerLabel).toEqual([
      { label: 'fair', count: 5 },
      { label: 'unfair', count: 5 },
    ]);
  });
});

describe('comparing runs and the model report', () => {
  it('diffs two runs: changed settings and every metric', async () => {
    await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: teacher(), seed: 42, iterations: 10 },
      core.ctx,
    );
    await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: student(), seed: 42, iterations: 10 },
      core.ctx,
    );
    const diff = await h['evaluation.compare'](
      { projectId: seeded.projectId, a: teacher(), b: student() },
      core.ctx,
    );
    expect(diff.settings.find((s) => s.key === 'kind')).toEqual({ key: 'kind', a: 'teacher', b: 'student' });
    const acc = diff.metrics.find((m) => m.name === 'accuracy');
    expect(acc?.delta).toBeCloseTo(0.1, 12);
    expect(diff.metrics.map((m) => m.name)).toContain('F1 unfair');
    // A smaller ECE is the better one: the UI colours the change by this, not by its sign alone.
    expect(diff.metrics.find((m) => m.name === 'ECE')?.lowerIsBetter).toBe(true);
    expect(acc?.lowerIsBetter).toBe(false);
    // The same 10 gold documents: B right on one more, which could well be chance.
    expect(diff.significance).toMatchObject({ shared: 10, significant: false });
    expect(diff.significance.onlyB - diff.significance.onlyA).toBe(1);
    expect(diff.significance.pValue).toBeGreaterThan(0.05);
    // Only settings a model reads, and no prompt printed whole (it made rows hundreds of pixels tall).
    const keys = diff.settings.map((s) => s.key);
    expect(keys.some((k) => k.startsWith('plan.') || k === 'template')).toBe(false);
    core.db
      .prepare('UPDATE student_runs SET settings = ? WHERE id = ?')
      .run(JSON.stringify({ temperature: 2, filters: 64, kernelSize: 3, dim: 100 }), seeded.studentRunId);
    const info = modelInfo(core.db, seeded.projectId, student());
    expect(info.settings).toMatchObject({ temperature: '2', dim: '100' });
    expect(info.settings).not.toHaveProperty('filters');
    expect(info.settings).not.toHaveProperty('kernelSize');
    await rejectsWith(
      () => h['evaluation.compare']({ projectId: seeded.projectId, a: teacher(), b: teacher() }, core.ctx),
      'INVALID_INPUT',
    );
  });

  it('writes the report in Chinese when asked (HTML lang, every section and table heading), and the PDF too', async () => {
    await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: student(), seed: 42, iterations: 50 },
      core.ctx,
    );
    const html = await h['evaluation.exportReport'](
      { projectId: seeded.projectId, model: student(), format: 'html', language: 'zh-CN' },
      core.ctx,
    );
    expect(html.fileName).toMatch(/-zh-CN\.html$/);
    const text = readFileSync(html.path, 'utf8');
    expect(text).toContain('<html lang="zh-CN">');
    for (const section of [
      '预期用途',
      '数据',
      '训练',
      '金标准测试集上的指标',
      '已知局限',
      '金标准标签',
      '可复现性',
    ])
      expect(text).toContain(`<h2>${section}</h2>`);
    expect(text).toContain('<th>精确率</th>');
    expect(text).toContain('只有 5 篇金标准文档');
    // No English section heading or table heading is left.
    // The words drawn inside the charts too.
    for (const chart of ['混淆矩阵（行：金标准，列：预测）', '可靠性（ECE', '完美校准', '置信度：正确与错误'])
      expect(text).toContain(chart);
    for (const english of [
      'Intended use',
      'Known limitations',
      '<th>precision</th>',
      'Labelled documents',
      'Confusion matrix',
      'perfect calibration',
      'right vs wrong',
    ])
      expect(text).not.toContain(english);
    const pdf = await h['evaluation.exportReport'](
      { projectId: seeded.projectId, model: student(), format: 'pdf', language: 'zh-CN' },
      core.ctx,
    );
    expect(readFileSync(pdf.path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('exports a self-contained HTML report and a PDF with the charts', async () => {
    await h['evaluation.evaluate'](
      { projectId: seeded.projectId, model: student(), seed: 42, iterations: 50 },
      core.ctx,
    );
    const html = await h['evaluation.exportReport'](
      { projectId: seeded.projectId, model: student(), format: 'html' },
      core.ctx,
    );
    const text = readFileSync(html.path, 'utf8');
    expect(Buffer.from(html.base64, 'base64').toString('utf8')).toBe(text);
    for (const section of [
      'Intended use',
      'Data',
      'Training',
      'Metrics on the gold test set',
      'Known limitations',
      'Gold labels',
    ])
      expect(text).toContain(`<h2>${section}</h2>`);
    expect(text.match(/<svg /g)?.length).toBe(6);
    expect(text).toContain('aria-label="Confusion matrix"');
    expect(text).toContain('dr.lee');
    expect(text).toContain('only 5 gold documents');
    // Self-contained: nothing is fetched (the only URL is the SVG namespace).
    expect(text.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:|src=/);

    const pdf = await h['evaluation.exportReport'](
      { projectId: seeded.projectId, model: student(), format: 'pdf' },
      core.ctx,
    );
    const bytes = readFileSync(pdf.path);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.mimeType).toBe('application/pdf');
    const info = spawnSync('pdfinfo', [pdf.path], { encoding: 'utf8' });
    if (info.status === 0) expect(Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1])).toBeGreaterThanOrEqual(2);
  });
});

describe('distillery eval (CLI)', () => {
  it('evaluates a teacher run and writes its report, with --json on stdout only', async () => {
    const dataDir = t.dataDir;
    await t.close({ keep: true });
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dataDir, '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const run = cli(
      'eval',
      'run',
      '--project',
      String(seeded.projectId),
      '--teacher',
      String(seeded.teacherRunId),
      '--iterations',
      '20',
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ n: 10, accuracy: { value: 0.7 } });
    const report = cli(
      'eval',
      'report',
      '--project',
      String(seeded.projectId),
      '--teacher',
      String(seeded.teacherRunId),
      '--format',
      'pdf',
    );
    expect(report.status).toBe(0);
    const out = JSON.parse(report.stdout) as { path: string; bytes: number };
    expect(readFileSync(out.path).subarray(0, 4).toString('latin1')).toBe('%PDF');
    const bad = cli('eval', 'run', '--teacher', '1');
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stderr)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const reopened = await testCore({ dataDir });
    t = {
      ...reopened,
      close: async () => {
        await reopened.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
});

describe('a real trained student on the demo project', () => {
  it('trains a small student (human labels only), evaluates it with the real loader and reports it', async () => {
    const demo = await testCore({ seedDemo: true });
    try {
      const c = demo.core;
      const [project] = await c.call('projects.list', {});
      const { run, job } = await c.call('student.train', {
        projectId: project.id,
        settings: { useTeacher: false, maxEpochs: 2 },
      });
      expect((await c.jobs.wait(job.id)).state).toBe('completed');
      const model = { kind: 'student' as const, runId: run.id };
      const e = await c.call('evaluation.evaluate', { projectId: project.id, model, iterations: 100 });
      const o = await c.call('evaluation.overview', { projectId: project.id });
      expect(e.n).toBe(o.goldCount);
      expect(e.labels).toEqual(['fair', 'unfair']);
      expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(e.n);
      expect(e.modelBytes).toBeGreaterThan(0);
      expect(e.latencyMsPerDoc).toBeGreaterThan(0);
      const html = await c.call('evaluation.exportReport', { projectId: project.id, model, format: 'html' });
      const text = readFileSync(html.path, 'utf8');
      expect(text).toContain('Training loss');
      expect(text).toContain('Validation scores');
    } finally {
      await demo.close();
    }
  });
});
