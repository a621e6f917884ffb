import { type CalibrationReport } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import { humanLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { allFinite, entropy, fitTemperature, margin, reliability } from './scoring';
import { argmax, softmax } from '../../../shared/math';
import { MIN_CALIBRATION_EXAMPLES } from './choice';
import { runRow } from './runStore';

/** Fits the run's temperature on human-labelled validation examples and rewrites its probabilities with it. */
export function calibrateRun(db: Db, runId: number): CalibrationReport {
  const run = runRow(db, runId);
  const labels = JSON.parse(run.labels_snapshot) as Array<{ id: number; name: string }>;
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
    x.push(JSON.parse(r.logprobs) as number[]);
    y.push(k);
  }
  if (x.length < MIN_CALIBRATION_EXAMPLES) {
    throw new AppError(
      'INVALID_INPUT',
      `Calibration needs at least ${MIN_CALIBRATION_EXAMPLES} human-labelled validation examples that the teacher labelled; this run has ${x.length}. Label more validation examples in Review.`,
    );
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
      const probs = Array.from(softmax(JSON.parse(r.logprobs) as number[], temperature));
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
