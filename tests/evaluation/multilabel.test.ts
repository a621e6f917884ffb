import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { MultiLabelEvaluation } from '../../src/shared/multilabelEvaluation';
import { judgeMultiLabelTarget } from '../../src/shared/target';
import { ROOT, tempDir, testCore } from '../helpers';
import { importFile } from '../dataset/fixtures';
import { EVAL_LABELS, writeEvaluationSubset } from './multilabelFixture';

/** The TSV's label sets of one split, as the test expects them to be counted. */
function setsOf(path: string, split: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((c) => c[2] === split)
    .map((c) => (c[1] ? c[1].split('|') : []));
}

function pdfText(dir: string, base64: string): string {
  const file = join(dir, 'report.pdf');
  writeFileSync(file, Buffer.from(base64, 'base64'));
  const out = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  expect(out.error, 'pdftotext (poppler-utils) must be installed').toBeUndefined();
  return out.stdout.replace(/\s+/g, ' ');
}

describe('the Evaluate step of a multi-label project (CLAUDETTE subset, a real trained student)', () => {
  let t: Awaited<ReturnType<typeof testCore>>;
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let projectId: number;
  let runId: number;
  beforeAll(async () => {
    t = await testCore();
    core = t.core;
    dir = tempDir('distillery-ml-eval-');
    file = writeEvaluationSubset(dir.dir).path;
    projectId = (await core.call('projects.create', { name: 'Unfair terms', kind: 'multi' })).id;
    const { result } = await importFile(core, {
      projectId,
      path: file,
      textColumn: 'text',
      labelColumn: 'labels',
      splitColumn: 'split',
      multiLabel: { format: 'list', delimiter: '|' },
    });
    expect(result).not.toBeNull();
    const { run, job } = await core.call('student.train', {
      projectId,
      settings: { auto: false, maxEpochs: 6 },
    });
    const done = await core.jobs.wait(job.id);
    expect(done.state, done.error ?? '').toBe('completed');
    runId = run.id;
  }, 300_000);
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('overview: the gold set and validation set per label, each trained run with its thresholds in force', async () => {
    const o = await core.call('evaluation.multiOverview', { projectId });
    const gold = setsOf(file, 'test');
    const validation = setsOf(file, 'validation');
    expect(o.goldCount).toBe(gold.length);
    expect(o.goldNone).toBe(gold.filter((s) => s.length === 0).length);
    expect(o.goldNone).toBeGreaterThan(0);
    expect(o.validationCount).toBe(validation.length);
    for (const label of EVAL_LABELS) {
      expect(o.goldPerLabel.find((g) => g.label === label)?.count).toBe(
        gold.filter((s) => s.includes(label)).length,
      );
      expect(o.validationPerLabel.find((g) => g.label === label)?.count).toBe(
        validation.filter((s) => s.includes(label)).length,
      );
    }
    expect(o.runs).toHaveLength(1);
    const [run] = o.runs;
    expect(run.runId).toBe(runId);
    expect(run.evaluation).toBeNull();
    expect(run.saved).toBeNull();
    expect(run.stale).toBe(false);
    expect(run.thresholds).toEqual((await core.call('student.run', { runId })).thresholds);
  });

  it('evaluates, then a threshold tuned on validation makes the evaluation stale until evaluated again', async () => {
    const e = await core.call('evaluation.multiEvaluate', { projectId, runId, iterations: 100 });
    expect(e.goldNone).toBe(setsOf(file, 'test').filter((s) => s.length === 0).length);
    let o = await core.call('evaluation.multiOverview', { projectId });
    expect(o.runs[0].evaluation).toMatchObject({
      id: e.id,
      n: e.n,
      microF1: e.microF1,
      samplesF1: e.samplesF1,
      hammingLoss: e.hammingLoss,
      thresholdSource: 'model',
    });
    expect(o.runs[0].stale).toBe(false);

    const label = EVAL_LABELS[0];
    const saved = await core.call('evaluation.multiThresholds', {
      projectId,
      runId,
      tune: { label, by: 'recall', value: 1 },
    });
    expect(saved?.targets[0]).toMatchObject({ label, by: 'recall', value: 1 });
    o = await core.call('evaluation.multiOverview', { projectId });
    expect(o.runs[0].saved).toEqual(saved);
    expect(o.runs[0].thresholds).toEqual(saved?.thresholds);
    // Recall 1 on validation: the threshold is the label's lowest score among the validation documents carrying it.
    const k = e.labels.indexOf(label);
    saved?.thresholds.forEach((th, l) => l !== k && expect(th).toBe(e.thresholds[l]));
    expect(o.runs[0].stale).toBe(saved?.thresholds[k] !== e.thresholds[k]);
    const again = await core.call('evaluation.multiEvaluate', { projectId, runId, iterations: 100 });
    expect(again.thresholdSource).toBe('saved');
    o = await core.call('evaluation.multiOverview', { projectId });
    expect(o.runs[0].stale).toBe(false);
    expect(o.runs[0].evaluation?.thresholds).toEqual(saved?.thresholds);
  });

  it('writes the HTML report with the set metrics, each explained, the per-label table, curves and co-occurrence', async () => {
    const e = (await core.call('evaluation.multiGet', { projectId, runId })) as MultiLabelEvaluation;
    const html = await core.call('evaluation.exportReport', {
      projectId,
      model: { kind: 'student', runId },
      format: 'html',
    });
    const text = Buffer.from(html.base64, 'base64').toString('utf8');
    expect(readFileSync(html.path, 'utf8')).toBe(text);
    for (const s of [
      'samples F1',
      'Hamming loss',
      'subset accuracy (exact match)',
      'label ranking average precision',
      'The share of documents whose whole set of labels is exactly right.',
      'Per label, at its threshold',
      'aria-label="Gold co-occurrence (documents with both labels)"',
      'aria-label="Predicted for gold (rows: gold label, columns: predicted)"',
      'none of these (no label)',
      `--student ${runId} --seed ${e.seed} --iterations ${e.iterations}`,
      'Thresholds per label: saved in the Evaluate step',
      `&quot;${EVAL_LABELS[0]}&quot;: tuned on validation for recall at least 1`,
    ])
      expect(text, s).toContain(s);
    // One row per label: its name, its threshold, its gold documents, its predicted ones.
    for (const l of e.perLabel)
      expect(text).toContain(
        `<td>${l.label}</td><td>${l.threshold.toFixed(3)}</td><td>${l.precision.toFixed(3)}</td><td>${l.recall.toFixed(3)}</td><td>${l.f1.toFixed(3)}</td><td>${l.support}</td><td>${l.predicted}</td>`,
      );
    expect(text).toContain(`aria-label="ROC per label (macro AUC ${e.macroRocAuc?.toFixed(3)})"`);
    // The legend names every label with its AUC.
    for (const l of e.perLabel) expect(text).toContain(`${l.label.slice(0, 10)}`);
    // The single-label figures are not there.
    expect(text).not.toContain('Reliability');
    expect(text).not.toContain('Confusion matrix');
  });

  it('writes the report in Simplified Chinese, and as a PDF whose text poppler reads', async () => {
    const zh = await core.call('evaluation.exportReport', {
      projectId,
      model: { kind: 'student', runId },
      format: 'html',
      language: 'zh-CN',
    });
    const text = Buffer.from(zh.base64, 'base64').toString('utf8');
    for (const s of [
      '<html lang="zh-CN"',
      '汉明损失',
      '样本平均 F1',
      '各标签（按其阈值）',
      '金标准共现',
      '都不是（无标签）',
    ])
      expect(text, s).toContain(s);
    const pdf = await core.call('evaluation.exportReport', {
      projectId,
      model: { kind: 'student', runId },
      format: 'pdf',
    });
    expect(pdf.mimeType).toBe('application/pdf');
    const words = pdfText(dir.dir, pdf.base64);
    for (const s of ['Hamming loss', 'Per label, at its threshold', ...EVAL_LABELS])
      expect(words, s).toContain(s);
  });

  it('refuses a report of the teacher, and of a run never evaluated, saying what to do', async () => {
    await expect(
      core.call('evaluation.exportReport', {
        projectId,
        model: { kind: 'teacher', runId: 1 },
        format: 'html',
      }),
    ).rejects.toThrow(/report is of a student run/);
    core.db.prepare("DELETE FROM metrics WHERE kind = 'eval_multi' AND student_run_id = ?").run(runId);
    await expect(
      core.call('evaluation.exportReport', { projectId, model: { kind: 'student', runId }, format: 'html' }),
    ).rejects.toThrow(/has not been evaluated yet. Evaluate it first/);
  });

  it('distillery eval run --target gives a multi-label project the verdict of each target (CLI, --json)', async () => {
    const dataDir = t.dataDir;
    await t.close({ keep: true });
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dataDir, '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    try {
      const base = [
        'eval',
        'run',
        '--project',
        String(projectId),
        '--student',
        String(runId),
        '--iterations',
        '50',
      ];
      const label = EVAL_LABELS[1];
      const run = cli(...base, '--target', `recall:${label}>=0.5`, '--target', 'subset-accuracy>=0.99');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout) as MultiLabelEvaluation & {
        targets: Array<{ target: unknown; verdict: string; value: number | null }>;
      };
      expect(out.targets).toEqual([
        {
          target: { metric: 'recall', label, min: 0.5 },
          ...judgeMultiLabelTarget(out, { metric: 'recall', label, min: 0.5 }),
        },
        {
          target: { metric: 'subsetAccuracy', min: 0.99 },
          ...judgeMultiLabelTarget(out, { metric: 'subsetAccuracy', min: 0.99 }),
        },
      ]);
      expect(out.targets[1].verdict).toBe('not-met');
      const bad = cli(...base, '--target', 'accuracy>=0.9');
      expect(bad.status).toBe(1);
      expect(JSON.parse(bad.stderr)).toMatchObject({
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message: expect.stringContaining('not a target of a multi-label project'),
        },
      });
      const unknown = cli(...base, '--target', 'recall:Arbitration>=0.9');
      expect(JSON.parse(unknown.stderr)).toMatchObject({
        error: { message: expect.stringContaining('"Arbitration", which is not a label') },
      });
    } finally {
      const reopened = await testCore({ dataDir });
      t = reopened;
      core = reopened.core;
    }
  }, 240_000);

  it('refuses the multi-label overview of a single-label project', async () => {
    const single = await core.call('projects.create', { name: 'one label' });
    await expect(core.call('evaluation.multiOverview', { projectId: single.id })).rejects.toThrow(
      /one label per document/,
    );
  });
});

describe('a target against a multi-label evaluation', () => {
  // "a": 20 gold documents, 19 found, 22 predicted; "b": no gold document.
  const e = {
    labels: ['a', 'b'],
    microF1: { value: 0.9, low: 0.85, high: 0.95 },
    macroF1: { value: 0.45, low: 0.4, high: 0.5 },
    samplesF1: { value: 0.8, low: 0.7, high: 0.9 },
    subsetAccuracy: { value: 0.7, low: 0.6, high: 0.8 },
    perLabel: [
      { label: 'a', precision: 19 / 22, recall: 0.95, f1: 0.9, support: 20, predicted: 22 },
      { label: 'b', precision: 0, recall: 0, f1: 0, support: 0, predicted: 3 },
    ],
    predictedVsTrue: [
      [19, 2],
      [0, 0],
    ],
  } as unknown as MultiLabelEvaluation;

  it('judges set metrics by their bootstrap interval', () => {
    expect(judgeMultiLabelTarget(e, { metric: 'microF1', min: 0.8 }).verdict).toBe('met');
    expect(judgeMultiLabelTarget(e, { metric: 'samplesF1', min: 0.75 }).verdict).toBe('uncertain');
    expect(judgeMultiLabelTarget(e, { metric: 'subsetAccuracy', min: 0.75 })).toEqual({
      verdict: 'not-met',
      value: 0.7,
      low: 0.6,
      high: 0.8,
    });
  });

  it("judges a label's recall and precision with the Wilson interval of its true positives", () => {
    // 19 of 20: scipy's Wilson interval is 0.7639-0.9911, so recall >= 0.9 is met here but not sure.
    const recall = judgeMultiLabelTarget(e, { metric: 'recall', label: 'a', min: 0.9 });
    expect(recall.verdict).toBe('uncertain');
    expect(recall.value).toBeCloseTo(0.95, 12);
    expect(recall.low).toBeCloseTo(0.763868806553258, 12);
    expect(judgeMultiLabelTarget(e, { metric: 'recall', label: 'a', min: 0.7 }).verdict).toBe('met');
    const precision = judgeMultiLabelTarget(e, { metric: 'precision', label: 'a', min: 0.9 });
    expect(precision.value).toBeCloseTo(19 / 22, 12);
    expect(precision.verdict).toBe('not-met');
    expect(judgeMultiLabelTarget(e, { metric: 'f1', label: 'a', min: 0.9 })).toEqual({
      verdict: 'met',
      value: 0.9,
      low: null,
      high: null,
    });
  });

  it('cannot tell for a label without gold documents or a label that does not exist', () => {
    expect(judgeMultiLabelTarget(e, { metric: 'recall', label: 'b', min: 0.5 }).verdict).toBe('undefined');
    expect(judgeMultiLabelTarget(e, { metric: 'f1', label: 'b', min: 0.5 }).verdict).toBe('undefined');
    expect(judgeMultiLabelTarget(e, { metric: 'precision', label: 'zzz', min: 0.5 }).verdict).toBe(
      'undefined',
    );
  });
});
