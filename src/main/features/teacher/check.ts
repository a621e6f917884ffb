/**
 * The teacher check: how a teacher run's labels agree with the labels people chose on the validation split, and
 * whether that is any better than chance, before a student trains on it.
 *
 * Accuracy, macro-F1 and Cohen's kappa (with seeded bootstrap 95% intervals) come from the Evaluate step's
 * `computeEvaluation`, so that they mean exactly what they mean there. Two baselines show what chance looks like on
 * these documents: always answering the commonest label (majority class) and answering uniformly at random (its
 * expected confusion matrix, n_c / k in every cell of row c). The verdict:
 *   - 'too-few'  fewer than MIN_CHECK_EXAMPLES documents: nothing can be said yet;
 *   - 'chance'   kappa's interval reaches 0 (the agreement could be luck), or neither accuracy nor macro-F1 is above
 *                the better baseline;
 *   - 'useful'   kappa at least 0.6 ("substantial" agreement, Landis and Koch) and macro-F1 above both baselines;
 *   - 'weak'     anything in between.
 */

import type {
  LabelAgreement,
  LabelTeacherCheck,
  TeacherCheck,
  TeacherCheckLabel,
  TeacherVerdict,
} from '../../../shared/teacher';
import type { MetricInterval } from '../../../shared/evaluation';
import { notFound } from '../../core/errors';
import { personLabelSets, personLabels, teacherLabelSnapshot, teacherOutputReader } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { computeEvaluation, finiteOrNull, type ScoredItem } from '../evaluation/compute';
import { confusionMatrix, prfFromConfusion } from '../evaluation/metrics';
import { multiLabelIntervals, multiLabelReport, setMetrics } from '../evaluation/multilabelMetrics';

export const MIN_CHECK_EXAMPLES = 10;
export const USEFUL_KAPPA = 0.6;
const ITERATIONS = 1000;
const SEED = 42;

interface Baselines {
  readonly majority: TeacherCheck['baselines']['majority'];
  readonly uniform: TeacherCheck['baselines']['uniform'];
}

function baselines(labels: readonly string[], gold: readonly number[]): Baselines {
  const k = labels.length;
  const n = gold.length;
  if (n === 0 || k === 0) {
    return {
      majority: { label: null, accuracy: null, macroF1: null },
      uniform: { accuracy: null, macroF1: null },
    };
  }
  const counts = new Array<number>(k).fill(0);
  for (const g of gold) counts[g]++;
  let major = 0;
  for (let c = 1; c < k; c++) if (counts[c] > counts[major]) major = c;
  const majority = prfFromConfusion(confusionMatrix(gold, new Array<number>(n).fill(major), k));
  const uniform = prfFromConfusion(counts.map((count) => new Array<number>(k).fill(count / k)));
  return {
    majority: { label: labels[major], accuracy: counts[major] / n, macroF1: majority.macroF1 },
    uniform: { accuracy: 1 / k, macroF1: uniform.macroF1 },
  };
}

/** The verdict from the numbers (see the module comment). */
export function verdictOf(
  n: number,
  m: { accuracy: MetricInterval; macroF1: MetricInterval; kappa: MetricInterval },
  b: Baselines,
): TeacherVerdict {
  if (n < MIN_CHECK_EXAMPLES) return 'too-few';
  const chanceAccuracy = Math.max(b.majority.accuracy ?? 0, b.uniform.accuracy ?? 0);
  const chanceF1 = Math.max(b.majority.macroF1 ?? 0, b.uniform.macroF1 ?? 0);
  const kappa = m.kappa.value ?? 0;
  const kappaLow = m.kappa.low ?? kappa;
  const accuracy = m.accuracy.value ?? 0;
  const f1 = m.macroF1.value ?? 0;
  if (kappaLow <= 0 || (accuracy <= chanceAccuracy && f1 <= chanceF1)) return 'chance';
  if (kappa >= USEFUL_KAPPA && f1 > chanceF1) return 'useful';
  return 'weak';
}

/** The check of one teacher run (throws NOT_FOUND for an unknown run). */
export function teacherCheck(db: Db, runId: number): TeacherCheck {
  const run = db.prepare('SELECT project_id, labels_snapshot FROM teacher_runs WHERE id = ?').get(runId) as
    { project_id: number; labels_snapshot: string } | undefined;
  if (!run) throw notFound('Teacher run', runId);
  const snapshot = teacherLabelSnapshot(run.labels_snapshot);
  const labels = snapshot.map((l) => l.name);
  const index = new Map(snapshot.map((l, i) => [l.id, i]));
  const people = personLabels(db, run.project_id, 'validation');
  // The run's answers for the people's documents only, one seek each: a run over a million documents is not read.
  const output = teacherOutputReader(db, runId);
  const items: ScoredItem[] = [];
  for (const [exampleId, labelId] of people) {
    const gold = index.get(labelId);
    const p = gold === undefined ? undefined : output(exampleId)?.probs;
    if (gold === undefined || !p) continue;
    items.push({ exampleId, gold, probs: p });
  }
  items.sort((a, b) => a.exampleId - b.exampleId);
  const e = computeEvaluation(labels, items, { seed: SEED, iterations: ITERATIONS });
  const b = baselines(
    labels,
    items.map((i) => i.gold),
  );
  const predictedCount = labels.map((_, c) => e.confusion.reduce((a, row) => a + row[c], 0));
  const perLabel: TeacherCheckLabel[] = e.perClass.map((c, i) => ({
    label: c.label,
    support: c.support,
    predicted: predictedCount[i],
    precision: c.precision,
    recall: c.recall,
    f1: c.f1,
  }));
  const confusions: Array<{ gold: string; predicted: string; count: number }> = [];
  e.confusion.forEach((row, g) =>
    row.forEach((count, p) => {
      if (g !== p && count > 0) confusions.push({ gold: labels[g], predicted: labels[p], count });
    }),
  );
  confusions.sort((x, y) => y.count - x.count);
  return {
    runId,
    examples: items.length,
    validationLabelled: people.size,
    minimum: MIN_CHECK_EXAMPLES,
    accuracy: e.accuracy,
    macroF1: e.macroF1,
    kappa: e.kappa,
    baselines: {
      majority: {
        label: b.majority.label,
        accuracy: b.majority.accuracy === null ? null : finiteOrNull(b.majority.accuracy),
        macroF1: b.majority.macroF1 === null ? null : finiteOrNull(b.majority.macroF1),
      },
      uniform: b.uniform,
    },
    verdict: verdictOf(items.length, e, b),
    perLabel,
    neverPredicted: perLabel.filter((l) => l.support > 0 && l.predicted === 0).map((l) => l.label),
    confusions: confusions.slice(0, 5),
  };
}

/** Micro and macro F1 at least this high (with micro F1 clear of chance) make a multi-label teacher 'useful'. */
export const USEFUL_F1 = 0.6;

/**
 * The teacher check of a multi-label run (`LabelTeacherCheck`): each label applies when the run's (calibrated)
 * probability is at least 0.5, compared with the label sets people chose on the validation split (an accepted
 * teacher label is not a person's choice, as in `teacherCheck`). Metrics are the Evaluate step's multi-label ones.
 */
export function labelTeacherCheck(db: Db, runId: number): LabelTeacherCheck {
  const run = db.prepare('SELECT project_id, labels_snapshot FROM teacher_runs WHERE id = ?').get(runId) as
    { project_id: number; labels_snapshot: string } | undefined;
  if (!run) throw notFound('Teacher run', runId);
  const snapshot = teacherLabelSnapshot(run.labels_snapshot);
  const people = personLabelSets(db, run.project_id, 'validation');
  const output = teacherOutputReader(db, runId);
  const y: number[][] = [];
  const scores: number[][] = [];
  for (const [exampleId, set] of [...people.entries()].sort((a, b) => a[0] - b[0])) {
    const p = output(exampleId)?.probs;
    if (!p || p.length !== snapshot.length) continue;
    y.push(snapshot.map((l) => (set.includes(l.id) ? 1 : 0)));
    scores.push(p);
  }
  const thresholds = snapshot.map(() => 0.5);
  const n = y.length;
  const report = n ? multiLabelReport(y, scores, thresholds) : null;
  const always = n
    ? setMetrics(
        y,
        y.map((row) => row.map(() => 1)),
        [...y.keys()],
      )
    : null;
  const intervals =
    n >= MIN_CHECK_EXAMPLES
      ? multiLabelIntervals(y, scores, thresholds, { iterations: ITERATIONS, seed: SEED })
      : null;
  const microF1: MetricInterval = {
    value: report ? report.microF1 : null,
    low: intervals?.microF1.low ?? null,
    high: intervals?.microF1.high ?? null,
  };
  const alwaysMicroF1 = always?.microF1 ?? 0;
  let verdict: TeacherVerdict;
  if (n < MIN_CHECK_EXAMPLES || !report) verdict = 'too-few';
  else if ((microF1.low ?? report.microF1) <= alwaysMicroF1) verdict = 'chance';
  else if (report.microF1 >= USEFUL_F1 && report.macroF1 >= USEFUL_F1) verdict = 'useful';
  else verdict = 'weak';
  const perLabel: LabelAgreement[] = snapshot.map((l, k) => {
    const support = y.reduce((a, row) => a + row[k], 0);
    return {
      label: l.name,
      support,
      predicted: report?.perLabel[k].predicted ?? 0,
      precision: report?.perLabel[k].precision ?? 0,
      recall: report?.perLabel[k].recall ?? 0,
      f1: report?.perLabel[k].f1 ?? 0,
      alwaysF1: n ? (2 * support) / (n + support) : 0,
    };
  });
  return {
    runId,
    examples: n,
    validationLabelled: people.size,
    minimum: MIN_CHECK_EXAMPLES,
    microF1,
    macroF1: report?.macroF1 ?? 0,
    alwaysMicroF1,
    verdict,
    perLabel,
  };
}
