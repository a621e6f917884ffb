import {
  type CalibrationReport,
  type LabelCalibration,
  type LabelCalibrationReport,
} from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import {
  humanLabelSets,
  humanLabels,
  independentLabelColumns,
  projectKind,
  teacherLabelSnapshot,
} from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import {
  allFinite,
  binaryScores,
  entropy,
  fitPlatt,
  fitTemperature,
  margin,
  reliability,
  sigmoid,
  type Platt,
} from './scoring';
import { argmax, softmax } from '../../../shared/math';
import { MIN_CALIBRATION_EXAMPLES, scaledProbabilities } from './choice';
import { runRow } from './runStore';
import { storedNumbers } from '../../core/store/storedJson';

/** Fits the run's temperature on human-labelled validation examples and rewrites its probabilities with it. */
export function calibrateRun(db: Db, runId: number): CalibrationReport {
  const run = runRow(db, runId);
  if (projectKind(db, run.project_id) === 'multi') {
    throw AppError.keyed('INVALID_INPUT', 'teacher.multiLabelRunCalibrated', {});
  }
  const labels = teacherLabelSnapshot(run.labels_snapshot);
  const index = new Map(labels.map((l, i) => [l.id, i]));
  const human = humanLabels(db, run.project_id, { split: 'validation' });
  const rows = db
    .prepare('SELECT example_id, logprobs FROM teacher_outputs WHERE run_id = ?')
    .all(runId) as Array<{
    example_id: number;
    logprobs: string;
  }>;
  const x: number[][] = [];
  const y: number[] = [];
  for (const r of rows) {
    const label = human.get(r.example_id);
    const k = label === undefined ? undefined : index.get(label);
    if (k === undefined) continue;
    x.push(storedNumbers(r.logprobs, 'teacher_outputs.logprobs', r.example_id));
    y.push(k);
  }
  if (x.length < MIN_CALIBRATION_EXAMPLES) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.calibrationNeedsLeastHuman', {
      MIN_CALIBRATION_EXAMPLES,
      xLength: x.length,
    });
  }
  const temperature = fitTemperature(x, y);
  const report: CalibrationReport = {
    temperature,
    examples: x.length,
    before: reliability(x, y, 1),
    after: reliability(x, y, temperature),
  };
  const update = db.prepare(
    'UPDATE teacher_outputs SET probs = ?, entropy = ?, margin = ?, predicted_label_id = ? WHERE run_id = ? AND example_id = ?',
  );
  db.transaction(() => {
    for (const r of rows) {
      const probs = Array.from(
        softmax(storedNumbers(r.logprobs, 'teacher_outputs.logprobs', r.example_id), temperature),
      );
      if (!allFinite(probs)) continue;
      update.run(
        JSON.stringify(probs),
        entropy(probs),
        margin(probs),
        labels[argmax(probs)].id,
        runId,
        r.example_id,
      );
    }
    db.prepare('UPDATE teacher_runs SET calibration_temperature = ? WHERE id = ?').run(temperature, runId);
    db.prepare("DELETE FROM metrics WHERE teacher_run_id = ? AND kind = 'teacher_calibration'").run(runId);
    db.prepare(
      `INSERT INTO metrics (project_id, teacher_run_id, kind, split, name, value, payload, created_at)
       VALUES (?, ?, 'teacher_calibration', 'validation', 'ece_after', ?, ?, ?)`,
    ).run(run.project_id, runId, report.after.ece, JSON.stringify(report), nowIso());
  })();
  return report;
}

/** Validation positives and negatives a label needs (each) before Platt scaling is fitted for it. */
export const MIN_LABEL_CALIBRATION = 5;

/**
 * Fits a multi-label run's calibration: per label, Platt scaling of its log-odds on the validation documents that
 * people labelled and the run scored, when the label has at least MIN_LABEL_CALIBRATION positives and as many
 * negatives there; a label with fewer keeps its uncalibrated probabilities (`calibrated: false`). The run's
 * probabilities are rewritten with it and the report kept with the run (metrics, kind 'teacher_label_calibration').
 */
export function calibrateLabels(db: Db, runId: number): LabelCalibrationReport {
  const run = runRow(db, runId);
  if (projectKind(db, run.project_id) !== 'multi') {
    throw AppError.keyed('INVALID_INPUT', 'teacher.singleLabelRunCalibrated', {});
  }
  const labels = teacherLabelSnapshot(run.labels_snapshot);
  const sets = humanLabelSets(db, run.project_id, { split: 'validation' });
  const rows = db
    .prepare('SELECT example_id, logprobs FROM teacher_outputs WHERE run_id = ? ORDER BY example_id')
    .all(runId) as Array<{ example_id: number; logprobs: string }>;
  const z: number[][] = [];
  const y: Array<Array<0 | 1>> = [];
  for (const r of rows) {
    const set = sets.get(r.example_id);
    if (!set) continue;
    const odds = storedNumbers(r.logprobs, 'teacher_outputs.logprobs', r.example_id);
    if (odds.length !== labels.length || !allFinite(odds)) continue;
    z.push(odds);
    y.push(labels.map((l) => (set.includes(l.id) ? 1 : 0)));
  }
  const scaling: Array<Platt | null> = [];
  const reports: LabelCalibration[] = labels.map((l, k) => {
    const zk = z.map((row) => row[k]);
    const yk = y.map((row) => row[k]);
    const positives = yk.filter((v) => v === 1).length;
    const negatives = yk.length - positives;
    const enough = positives >= MIN_LABEL_CALIBRATION && negatives >= MIN_LABEL_CALIBRATION;
    const platt = enough ? fitPlatt(zk, yk) : null;
    scaling.push(platt);
    const before = binaryScores(zk.map(sigmoid), yk);
    const after = platt
      ? binaryScores(
          zk.map((v) => sigmoid(platt.a * v + platt.b)),
          yk,
        )
      : before;
    return {
      label: l.name,
      positives,
      negatives,
      calibrated: platt !== null,
      a: platt?.a ?? 1,
      b: platt?.b ?? 0,
      before,
      after,
    };
  });
  const report: LabelCalibrationReport = {
    examples: z.length,
    minimumPerClass: MIN_LABEL_CALIBRATION,
    labels: reports,
  };
  const update = db.prepare(
    'UPDATE teacher_outputs SET probs = ?, entropy = ?, margin = ?, predicted_label_id = ? WHERE run_id = ? AND example_id = ?',
  );
  db.transaction(() => {
    for (const r of rows) {
      const odds = storedNumbers(r.logprobs, 'teacher_outputs.logprobs', r.example_id);
      if (odds.length !== labels.length || !allFinite(odds)) continue;
      const o = independentLabelColumns(scaledProbabilities(odds, scaling));
      update.run(o.probs, o.entropy, o.margin, o.predictedLabelId, runId, r.example_id);
    }
    db.prepare("DELETE FROM metrics WHERE teacher_run_id = ? AND kind = 'teacher_label_calibration'").run(
      runId,
    );
    const calibrated = reports.filter((l) => l.calibrated);
    db.prepare(
      `INSERT INTO metrics (project_id, teacher_run_id, kind, split, name, value, payload, created_at)
       VALUES (?, ?, 'teacher_label_calibration', 'validation', 'log_loss_after', ?, ?, ?)`,
    ).run(
      run.project_id,
      runId,
      calibrated.length ? calibrated.reduce((a, l) => a + l.after.logLoss, 0) / calibrated.length : null,
      JSON.stringify(report),
      nowIso(),
    );
  })();
  return report;
}
