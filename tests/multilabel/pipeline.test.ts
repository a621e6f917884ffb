import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetStats, ImportResult } from '../../src/shared/dataset';
import type { ExportResult } from '../../src/shared/export';
import type { MultiLabelEvaluation } from '../../src/shared/multilabelEvaluation';
import type { Project } from '../../src/shared/projects';
import type { StudentRunDetail } from '../../src/shared/student';
import type { TeacherModel, TeacherRun } from '../../src/shared/teacher';
import type { PredictSummary } from '../../src/main/features/export/cli';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { ROOT, tempDir } from '../helpers';
import { CLAUDETTE_LABELS, claudettePerLabel } from './fixture';

const run = promisify(execFile);

/**
 * A small CLAUDETTE subset (../shared/datasets/unfair_tos, the corpus's own |-joined labels): the first PER_LABEL
 * sentences of each of the 8 labels (a sentence with two labels counts for both), NONE sentences with no label
 * ("none of these") and UNLABELLED sentences imported without a label column, for the teacher and the review.
 */
const PER_LABEL = 6;
const NONE = 24;
const UNLABELLED = 10;

function writeSubset(dir: string): { labelled: string; unlabelled: string; rows: number; multi: number } {
  const { labelled: kept, none: all } = claudettePerLabel(PER_LABEL);
  const none = all.filter((r) => r.text.length > 40);
  const labelled = join(dir, 'claudette-labelled.tsv');
  writeFileSync(
    labelled,
    ['text\tlabels', ...[...kept, ...none.slice(0, NONE)].map((r) => `${r.text}\t${r.labels}`)].join('\n') +
      '\n',
  );
  const unlabelled = join(dir, 'claudette-unlabelled.tsv');
  writeFileSync(
    unlabelled,
    ['text', ...none.slice(NONE, NONE + UNLABELLED).map((r) => r.text)].join('\n') + '\n',
  );
  return {
    labelled,
    unlabelled,
    rows: kept.length + NONE,
    multi: kept.filter((r) => r.labels.includes('|')).length,
  };
}

interface SearchRow {
  readonly id: number;
  readonly text: string;
  readonly split: 'train' | 'validation' | 'test' | null;
  readonly labelSet: readonly string[] | null;
  readonly source: string;
}

describe('a multi-label project through every step of the command line (real SQLite, tiny GGUF teacher, real training)', () => {
  const t = tempDir('distillery-ml-pipeline-');
  afterAll(() => t.cleanup());
  const dataDir = join(t.dir, 'data');

  async function cli<T>(...args: string[]): Promise<T> {
    const { stdout } = await run(
      process.execPath,
      ['bin/distillery.mjs', ...args, '--data-dir', dataDir, '--json'],
      {
        cwd: ROOT,
        maxBuffer: 64 << 20,
      },
    );
    return JSON.parse(stdout) as T;
  }
  /** A command that must fail: its JSON error (stdout under --json). */
  async function cliError(...args: string[]): Promise<{ code: string; message: string }> {
    const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dataDir, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    const parsed = JSON.parse(r.stdout.trim() || r.stderr.trim()) as {
      ok: false;
      error: { code: string; message: string };
    };
    return parsed.error;
  }

  it('creates, imports, labels with the teacher, reviews, trains, evaluates, exports and predicts', async () => {
    const subset = writeSubset(t.dir);
    expect(subset.multi).toBeGreaterThan(0);

    // Data: a multi-label project, the |-joined label column read as a list, the unlabelled sentences beside it.
    const project = await cli<Project>('projects', 'create', 'ToS pipeline', '--multi-label');
    expect(project.kind).toBe('multi');
    const p = String(project.id);
    const imported = await cli<ImportResult>(
      'data',
      'import',
      p,
      subset.labelled,
      '--text',
      'text',
      '--label',
      'labels',
      '--label-format',
      'list',
      '--label-delimiter',
      '|',
    );
    expect(imported).toMatchObject({ imported: subset.rows, skipped: 0 });
    expect([...imported.labelsCreated].sort()).toEqual(CLAUDETTE_LABELS);
    const more = await cli<ImportResult>('data', 'import', p, subset.unlabelled, '--text', 'text');
    expect(more.imported).toBe(UNLABELLED);
    const stats = await cli<DatasetStats>(
      'data',
      'split',
      p,
      '--train',
      '0.6',
      '--validation',
      '0.2',
      '--test',
      '0.2',
      '--seed',
      '7',
    );
    expect(stats.total).toBe(subset.rows + UNLABELLED);
    expect(stats.labelled).toBe(subset.rows);
    // Iterative stratification: every label reaches the test split (the gold set) and the training split.
    for (const l of stats.perLabel.filter((x) => x.labelId !== null)) {
      expect(l.counts.test, l.name ?? '').toBeGreaterThan(0);
      expect(l.counts.train, l.name ?? '').toBeGreaterThan(0);
    }

    // Teacher: the tiny GGUF through node-llama-cpp, every label asked on its own, only the unlabelled documents.
    const model = await cli<TeacherModel>('teacher', 'import', tinyModelPath());
    const teacherRun = await cli<TeacherRun>(
      'teacher',
      'run',
      p,
      '--model',
      String(model.id),
      '--threads',
      '1',
      '--sequences',
      '1',
      '--context-size',
      '512',
      '--unlabelled',
    );
    expect(teacherRun).toMatchObject({
      kind: 'multi',
      targetCount: UNLABELLED,
      outputCount: UNLABELLED,
      failedCount: 0,
    });
    expect(teacherRun.labels).toHaveLength(8);

    // Review: three saves by label names (a set of two, none of these, the teacher's set accepted).
    const search = await cli<{ rows: SearchRow[] }>('data', 'search', p, '', '--limit', '500');
    expect(search.rows).toHaveLength(subset.rows + UNLABELLED);
    const open = search.rows.filter((r) => r.labelSet === null);
    expect(open).toHaveLength(UNLABELLED);
    const [a, b, c] = open.filter((r) => r.split === 'train');
    const twoLabels = await cli<{ labels: string[] }>(
      'review',
      'label',
      p,
      String(a.id),
      '--label',
      'arbitration',
      '--label',
      'Jurisdiction',
      '--annotator',
      'ana',
    );
    expect(twoLabels.labels).toEqual(['Arbitration', 'Jurisdiction']);
    expect((await cli<{ labels: string[] }>('review', 'label', p, String(b.id), '--none')).labels).toEqual(
      [],
    );
    const accepted = await cli<{ labels: string[] }>('review', 'label', p, String(c.id), '--accept-teacher');
    const unknown = await cliError('review', 'label', p, String(c.id), '--label', 'Refunds');
    expect(unknown.code).toBe('INVALID_INPUT');
    expect(unknown.message).toMatch(/"Refunds" is not a label of this project/);
    const testDoc = open.find((r) => r.split === 'test');
    if (testDoc) {
      // The gold set is a person's: the teacher's answer cannot be accepted on the test split.
      expect((await cliError('review', 'label', p, String(testDoc.id), '--accept-teacher')).code).toBe(
        'CONFLICT',
      );
    }
    const after = await cli<{ rows: SearchRow[] }>('data', 'search', p, '', '--limit', '500');
    const setOf = (id: number): readonly string[] | null =>
      after.rows.find((r) => r.id === id)?.labelSet ?? null;
    expect(setOf(a.id)).toEqual(['Arbitration', 'Jurisdiction']);
    expect(setOf(b.id)).toEqual([]);
    expect([...(setOf(c.id) ?? ['?'])].sort()).toEqual([...accepted.labels].sort());

    // Train: the sparse student with sigmoid outputs on human sets and the teacher's independent probabilities.
    const trained = await cli<StudentRunDetail>('train', p, '--no-auto', '--epochs', '6', '--seed', '3');
    expect(trained).toMatchObject({ kind: 'multi', state: 'completed', teacherRunId: teacherRun.id });
    expect(trained.labels).toHaveLength(8);
    const inTrain = (rows: readonly SearchRow[]): SearchRow[] => rows.filter((r) => r.split === 'train');
    expect(trained.data.trainCount).toBe(inTrain(after.rows).length);
    // Human sets (imported and the three reviewed) and, for the rest of the training split, the teacher.
    expect(trained.data.humanCount).toBe(inTrain(after.rows).filter((r) => r.labelSet !== null).length);
    expect(trained.data.teacherCount).toBe(inTrain(after.rows).filter((r) => r.labelSet === null).length);
    expect(trained.thresholds).toHaveLength(8);
    for (const x of trained.thresholds ?? []) expect(x > 0 && x < 1).toBe(true);

    // Evaluate on the gold test split: the figures agree with the per-label counts they come from.
    const evaluation = await cli<MultiLabelEvaluation>(
      'eval',
      'run',
      '--project',
      p,
      '--student',
      String(trained.id),
      '--iterations',
      '200',
      '--seed',
      '1',
    );
    expect(evaluation.kind).toBe('multi');
    expect(evaluation.n).toBe(after.rows.filter((r) => r.split === 'test' && r.labelSet !== null).length);
    expect(evaluation.perLabel).toHaveLength(8);
    let tp = 0;
    let predictedPositives = 0;
    let support = 0;
    evaluation.perLabel.forEach((l, k) => {
      // The diagonals: gold documents carrying label k, and those among them predicted k.
      expect(evaluation.coOccurrence[k][k]).toBe(l.support);
      expect(l.recall).toBeCloseTo(l.support ? evaluation.predictedVsTrue[k][k] / l.support : 0, 12);
      tp += evaluation.predictedVsTrue[k][k];
      predictedPositives += l.predicted;
      support += l.support;
    });
    expect(support).toBe(
      stats.perLabel.filter((x) => x.labelId !== null).reduce((s, x) => s + x.counts.test, 0),
    );
    expect(evaluation.microF1.value).toBeCloseTo((2 * tp) / (predictedPositives + support), 12);
    for (const m of [evaluation.microF1, evaluation.macroF1, evaluation.samplesF1, evaluation.hammingLoss]) {
      const v = m.value ?? Number.NaN;
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(m.low ?? 0).toBeLessThanOrEqual(v + 1e-12);
      expect(m.high ?? 1).toBeGreaterThanOrEqual(v - 1e-12);
    }

    // A threshold typed in for one label travels into the export.
    await cli(
      'eval',
      'thresholds',
      '--project',
      p,
      '--student',
      String(trained.id),
      '--set',
      'Arbitration=0.2',
    );

    // Export: a folder that runs without Distillery, with each label's threshold.
    const out = join(t.dir, 'exported');
    const exported = await cli<ExportResult>('export', p, '--run', String(trained.id), '--out', out);
    expect(exported.files).toEqual(
      expect.arrayContaining(['deployment.json', 'model/model.json', 'predict.mjs']),
    );
    const deployment = JSON.parse(readFileSync(join(out, 'deployment.json'), 'utf8')) as {
      labels: string[];
      threshold: unknown;
      labelThresholds: number[];
    };
    expect(deployment.threshold).toBeNull();
    expect(deployment.labels).toEqual(trained.labels);
    const arbitration = deployment.labels.indexOf('Arbitration');
    expect(deployment.labelThresholds[arbitration]).toBe(0.2);
    deployment.labelThresholds.forEach((x, k) => {
      if (k !== arbitration) expect(x).toBe(trained.thresholds?.[k]);
    });

    // Predict: every label at or above its threshold, with its probability, most probable first.
    const texts = [
      ...open.slice(0, 3).map((r) => r.text),
      'Any dispute shall be resolved by binding arbitration in the courts of California.',
      'We may terminate or suspend your account at any time without notice.',
      'You can contact our support team by email.',
    ];
    const input = join(t.dir, 'predict-in.jsonl');
    writeFileSync(
      input,
      texts.map((text, i) => JSON.stringify({ id: `d${i}`, text })).join('\n') + '\nnot json\n',
    );
    const output = join(t.dir, 'predict-out.jsonl');
    const summary = await cli<PredictSummary>(
      'predict',
      '--model',
      out,
      '--input',
      input,
      '--output',
      output,
    );
    expect(summary.predicted).toBe(texts.length);
    expect(summary.malformed).toEqual([{ line: texts.length + 1, error: 'not valid JSON' }]);
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            labels: Array<{ label: string; probability: number }>;
            probabilities: Record<string, number>;
          },
      );
    expect(lines.map((l) => l.id)).toEqual(texts.map((_, i) => `d${i}`));
    const counts: Record<string, number> = Object.fromEntries(deployment.labels.map((l) => [l, 0]));
    let none = 0;
    for (const l of lines) {
      expect(Object.keys(l.probabilities)).toEqual(deployment.labels);
      const expected = deployment.labels
        .filter((name, k) => l.probabilities[name] >= deployment.labelThresholds[k])
        .map((name) => ({ label: name, probability: l.probabilities[name] }))
        .sort((x, y) => y.probability - x.probability);
      expect(l.labels).toEqual(expected);
      for (const x of l.labels) counts[x.label]++;
      if (!l.labels.length) none++;
    }
    expect(summary.labelCounts).toEqual(counts);
    expect(summary.noneOfThese).toBe(none);

    // The same predictions from the exported folder's own runtime, and as text a person reads.
    const standalone = spawnSync(process.execPath, [join(out, 'predict.mjs')], {
      input: readFileSync(input, 'utf8'),
      encoding: 'utf8',
    });
    const fromRuntime = standalone.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { labels: unknown; probabilities: Record<string, number> });
    expect(fromRuntime.map((l) => l.labels)).toEqual(lines.map((l) => l.labels));
    const { stdout: text } = await run(
      process.execPath,
      [
        'bin/distillery.mjs',
        'predict',
        '--model',
        out,
        '--input',
        input,
        '--format',
        'text',
        '--data-dir',
        dataDir,
      ],
      { cwd: ROOT },
    );
    const textLines = text.trim().split('\n');
    expect(textLines).toHaveLength(texts.length);
    textLines.forEach((line, i) => {
      const set = lines[i].labels;
      expect(line).toBe(
        `line ${i + 1} [d${i}]: ${
          set.length
            ? set.map((x) => `${x.label} ${(100 * x.probability).toFixed(1)}%`).join(', ')
            : 'none of these'
        }`,
      );
    });
  }, 300_000);
});
