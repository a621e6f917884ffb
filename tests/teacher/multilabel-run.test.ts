import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { teacherOutputReader } from '../../src/main/core/labels';
import { MIN_LABEL_CALIBRATION } from '../../src/main/features/teacher/calibrate';
import { TeacherRunResult, type TeacherModel } from '../../src/shared/teacher';
import { ROOT, testCore } from '../helpers';
import { importTinyModel } from './fixtures';
import { ML_LABELS, multiLabelProject } from './multilabelFixture';

const local = { threads: 1, sequences: 1, contextSize: 512 } as const;

describe('the teacher on a multi-label project (real core, SQLite file, teacher process, tiny GGUF)', () => {
  let t: Awaited<ReturnType<typeof testCore>>;
  let core: Core;
  let model: TeacherModel;
  beforeAll(async () => {
    t = await testCore();
    core = t.core;
    model = await importTinyModel(core);
  }, 120_000);
  afterAll(async () => t.close());

  it('previews and runs: independent per-label probabilities stored by the agreed convention, calibrated per label', async () => {
    const { projectId, rows } = await multiLabelProject(core, t.dataDir);
    const choice = {
      projectId,
      modelId: model.id,
      endpoints: [],
      mode: 'direct' as const,
      fewShot: 0,
      reasoningBudget: 256,
      ...local,
    };
    const preview = await core.call('teacher.preview', { ...choice, count: 2 });
    expect(preview).toHaveLength(2);
    for (const item of preview) {
      expect(item.distribution).toBeNull();
      expect(item.labelProbabilities?.labels.map((l) => l.name).sort()).toEqual([...ML_LABELS].sort());
      for (const p of item.labelProbabilities!.probs) expect(p >= 0 && p <= 1).toBe(true);
    }
    const prompt = await core.call('teacher.promptPreview', choice);
    expect(prompt.template).toMatch(/\{\{label\}\}/);
    expect(prompt.rendered).toMatch(/Answer yes or no/);

    const { run, job } = await core.call('teacher.run', choice);
    expect(run.kind).toBe('multi');
    const done = await core.jobs.wait(job.id);
    expect(done.state).toBe('completed');
    const result = TeacherRunResult.parse(done.result);
    expect(result.labelled).toBe(rows.length);

    // Storage: probs independent in [0,1], predicted_label_id NULL, entropy = mean binary entropy, margin = min |2p-1|.
    const stored = core.db
      .prepare(
        'SELECT example_id, probs, logprobs, predicted_label_id, entropy, margin FROM teacher_outputs WHERE run_id = ?',
      )
      .all(run.id) as Array<{
      example_id: number;
      probs: string;
      logprobs: string;
      predicted_label_id: number | null;
      entropy: number;
      margin: number;
    }>;
    expect(stored).toHaveLength(rows.length);
    let sumsOffOne = 0;
    for (const o of stored) {
      const p = JSON.parse(o.probs) as number[];
      expect(p).toHaveLength(3);
      expect(JSON.parse(o.logprobs)).toHaveLength(3);
      expect(o.predicted_label_id).toBeNull();
      for (const x of p) expect(x >= 0 && x <= 1).toBe(true);
      const h = p.reduce((a, x) => a - x * Math.log(x) - (1 - x) * Math.log(1 - x), 0) / 3;
      expect(o.entropy).toBeCloseTo(h, 12);
      expect(o.margin).toBeCloseTo(Math.min(...p.map((x) => Math.abs(2 * x - 1))), 12);
      if (Math.abs(p.reduce((a, b) => a + b, 0) - 1) > 1e-3) sumsOffOne++;
    }
    expect(sumsOffOne).toBeGreaterThan(0);
    // The shared reader gives the same row to review and training.
    const read = teacherOutputReader(core.db, run.id)(stored[0].example_id);
    expect(read?.predictedLabelId).toBeNull();
    expect(read?.probs).toEqual(JSON.parse(stored[0].probs));

    // Calibration: "Unilateral change" has 6 validation positives and 8 negatives; the others too few positives.
    const labelCalibration = result.labelCalibration!;
    const byLabel = new Map(labelCalibration.labels.map((l) => [l.label, l]));
    expect(byLabel.get('Unilateral change')).toMatchObject({ calibrated: true, positives: 6, negatives: 8 });
    expect(byLabel.get('Arbitration')).toMatchObject({ calibrated: false, positives: 2 });
    expect(byLabel.get('Content removal')).toMatchObject({ calibrated: false, positives: 0 });
    const runs = await core.call('teacher.runs', { projectId });
    expect(runs[0].labelCalibration?.minimumPerClass).toBe(MIN_LABEL_CALIBRATION);
    expect(runs[0].validationLabelled).toBe(14);
    // A calibrated label's probabilities are Platt-scaled log-odds; an uncalibrated one's are sigmoid(log-odds).
    const k = run.labels.findIndex((l) => l.name === 'Arbitration');
    for (const o of stored) {
      const z = (JSON.parse(o.logprobs) as number[])[k];
      expect((JSON.parse(o.probs) as number[])[k]).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
    }
    // Recalibrating gives the same report (deterministic), and a single-label calibration is refused with the reason.
    const again = await core.call('teacher.calibrateLabels', { runId: run.id });
    expect(again.labels).toEqual(labelCalibration.labels);
    await expect(core.call('teacher.calibrate', { runId: run.id })).rejects.toThrow(/calibrated per label/);

    // The check compares with people's label sets on the 14 validation documents.
    const check = await core.call('teacher.labelCheck', { runId: run.id });
    expect(check.examples).toBe(14);
    expect(check.perLabel.map((l) => l.label).sort()).toEqual([...ML_LABELS].sort());
    expect(check.perLabel.find((l) => l.label === 'Unilateral change')?.support).toBe(6);
    expect(['useful', 'weak', 'chance']).toContain(check.verdict);

    // A second identical run carries every output over instead of labelling again.
    const second = await core.call('teacher.run', choice);
    const secondDone = await core.jobs.wait(second.job.id);
    expect(secondDone.state).toBe('completed');
    const carried = core.db
      .prepare('SELECT probs FROM teacher_outputs WHERE run_id = ? ORDER BY example_id')
      .pluck()
      .all(second.run.id);
    const first = core.db
      .prepare('SELECT probs FROM teacher_outputs WHERE run_id = ? ORDER BY example_id')
      .pluck()
      .all(run.id);
    expect(carried).toEqual(first);
  }, 300_000);

  it('refuses reasoning mode and a template without {{label}} for a multi-label project, saying why', async () => {
    const { projectId } = await multiLabelProject(core, t.dataDir);
    const base = { projectId, modelId: model.id, endpoints: [], fewShot: 0, reasoningBudget: 64, ...local };
    await expect(core.call('teacher.preview', { ...base, mode: 'reasoning', count: 1 })).rejects.toThrow(
      /answers each label directly/,
    );
    await expect(
      core.call('teacher.preview', { ...base, mode: 'direct', count: 1, template: 'Text: {{text}}' }),
    ).rejects.toThrow(/\{\{label\}\}/);
  });

  it('imports per-label probabilities from JSONL (no sum-to-1 rule), with numbered errors; the check counts exactly', async () => {
    const { projectId, rows } = await multiLabelProject(core, t.dataDir);
    const validation = rows.filter((r) => r.split === 'validation');
    const bad = join(t.dataDir, 'bad.jsonl');
    writeFileSync(
      bad,
      [
        JSON.stringify({
          text: validation[0].text,
          probs: { 'Unilateral change': 0.9, Arbitration: 0.8, 'Content removal': 0.7 },
        }),
        JSON.stringify({
          text: validation[1].text,
          probs: { 'Unilateral change': 1.2, Arbitration: 0, 'Content removal': 0 },
        }),
        JSON.stringify({ text: validation[2].text, probs: { 'Unilateral change': 0.5 } }),
      ].join('\n'),
    );
    const error = await core.call('teacher.importRun', { projectId, path: bad }).then(
      () => null,
      (e: unknown) => e as { message: string; details: { lineErrors: Array<{ line: number }> } },
    );
    expect(error?.details.lineErrors.map((e) => e.line)).toEqual([2, 3]);
    expect(error?.message).toMatch(/Line 2: The probability of "Unilateral change" is outside 0 to 1/);
    expect(error?.message).toMatch(
      /Line 3: Give a probability for every label .*missing: Arbitration, Content removal/,
    );

    // A teacher that is right about every label except: it adds Arbitration to the first two "Unilateral change"
    // sentences and misses Unilateral change on the third.
    const good = join(t.dataDir, 'good.jsonl');
    writeFileSync(
      good,
      validation
        .map((r, i) => {
          const has = (l: string): boolean => r.labels.includes(l);
          const uc = i === 2 ? 0.2 : has('Unilateral change') ? 0.85 : 0.1;
          const arb = i < 2 ? 0.7 : has('Arbitration') ? 0.9 : 0.05;
          return JSON.stringify({
            text: r.text,
            probs: { 'Unilateral change': uc, Arbitration: arb, 'Content removal': 0 },
          });
        })
        .join('\n'),
    );
    const imported = await core.call('teacher.importRun', { projectId, path: good });
    expect(imported.imported).toBe(14);
    expect(imported.run.kind).toBe('multi');
    const out = await core.call('teacher.outputs', { runId: imported.run.id, limit: 50 });
    expect(out.items.every((o) => o.predictedLabelId === null)).toBe(true);
    const check = await core.call('teacher.labelCheck', { runId: imported.run.id });
    const uc = check.perLabel.find((l) => l.label === 'Unilateral change')!;
    expect(uc).toMatchObject({ support: 6, predicted: 5, precision: 1 });
    expect(uc.recall).toBeCloseTo(5 / 6, 12);
    const arb = check.perLabel.find((l) => l.label === 'Arbitration')!;
    expect(arb).toMatchObject({ support: 2, predicted: 4, recall: 1 });
    expect(arb.precision).toBeCloseTo(0.5, 12);
    // tp = 5 + 2, fp = 2, fn = 1 (Content removal: none either way).
    expect(check.microF1.value).toBeCloseTo((2 * 7) / (2 * 7 + 2 + 1), 12);
    expect(check.macroF1).toBeCloseTo(((2 * 5) / (2 * 5 + 1) + (2 * 2) / (2 * 2 + 2) + 0) / 3, 12);
    expect(check.alwaysMicroF1).toBeCloseTo((2 * 8) / (2 * 8 + (14 * 3 - 8)), 12);
    expect(check.verdict).toBe('weak');
  });

  it('runs from the command line: distillery teacher run and check on a multi-label project with --json', async () => {
    const { projectId } = await multiLabelProject(core, t.dataDir);
    await t.core.dispose();
    const cli = (...args: string[]): Promise<{ stdout: string }> =>
      promisify(execFile)(
        process.execPath,
        ['bin/distillery.mjs', ...args, '--data-dir', t.dataDir, '--json'],
        {
          cwd: ROOT,
          maxBuffer: 1 << 24,
        },
      );
    const { stdout } = await cli(
      'teacher',
      'run',
      String(projectId),
      '--model',
      String(model.id),
      '--threads',
      '1',
      '--sequences',
      '1',
      '--context-size',
      '512',
      '--split',
      'validation',
    );
    const run = JSON.parse(stdout) as {
      id: number;
      kind: string;
      outputCount: number;
      labelCalibration: unknown;
    };
    expect(run).toMatchObject({ kind: 'multi', outputCount: 14 });
    expect(run.labelCalibration).not.toBeNull();
    const check = JSON.parse((await cli('teacher', 'check', String(run.id))).stdout) as {
      examples: number;
      perLabel: unknown[];
    };
    expect(check.examples).toBe(14);
    expect(check.perLabel).toHaveLength(3);
  }, 300_000);
});
