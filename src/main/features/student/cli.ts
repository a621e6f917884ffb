import type { AutoReport, FinalFitInfo, StudentRun, TrainSettingsInput } from '../../../shared/student';
import { TrainSettings } from '../../../shared/student';
import { defineCommand, PROJECT_ID } from '../../cli/command';
import { schemaOptions } from '../../cli/schemaOptions';
import { followJob } from '../../cli/jobs';
import type { CliCommand } from '../../cli/types';
import { AppError } from '../../core/errors';
import { checkLines } from '../teacher/cliText';
import {
  DEFAULT_LABEL_THRESHOLD,
  MIN_HUMAN_VALIDATION,
  MIN_THRESHOLD_POSITIVES,
} from '../../../shared/student';

/** A validation figure and the documents it is over ('-' when there are none). */
function people(value: number, count: number): string {
  return Number.isFinite(value) ? `${value.toFixed(4)} (${count})` : '-';
}

/** Every training setting a person can give, from the settings schema (its defaults, ranges and descriptions). */
const trainOptions = schemaOptions(TrainSettings, {
  architecture: {},
  auto: {},
  autoBudgetSeconds: { flag: 'auto-budget' },
  finalFit: { flag: 'final-fit' },
  features: {},
  l2: {},
  l2Rows: { flag: 'l2-rows' },
  averageWeights: { flag: 'average-weights' },
  temperature: {},
  alpha: {},
  learningRate: {},
  batchSize: {},
  maxEpochs: { flag: 'epochs' },
  patience: {},
  metric: {},
  seed: {},
  dim: {},
  classBalance: {},
  lrSchedule: {},
  filters: {},
  kernelSize: {},
  maxTokens: {},
  dropout: {},
  initFromRunId: {
    flag: 'from-run',
    value: 'RUN_ID',
    help: 'Start from the best model of an earlier finished run of the project (same labels)',
  },
});

function runLine(r: StudentRun): string {
  const best =
    r.bestEpoch === null
      ? ''
      : `  best epoch ${r.bestEpoch} (${r.settings.metric} ${r.bestMetric?.toFixed(4)})`;
  const teacher = r.teacherRunId === null ? 'human labels only' : `teacher run ${r.teacherRunId}`;
  return `${String(r.id).padStart(4)}  ${r.state.padEnd(11)} ${r.architecture}  ${r.data.trainCount} train / ${r.data.validationCount} validation, ${teacher}${best}`;
}

/** What the final fit did, and that the validation figures predate it (none when the model is the best epoch's). */
function finalFitLines(finalFit: FinalFitInfo | null, bestEpoch: number | null): string[] {
  if (!finalFit) return [];
  return [
    `final fit: after validation chose epoch ${bestEpoch}, the same settings trained again for ${finalFit.epochs} epochs on all ${finalFit.documents} labelled documents (${finalFit.validation} of them validation documents); that is the model kept.`,
    'The validation figures were measured before the final fit: the final model has seen the validation documents. Evaluate it on the test split.',
  ];
}

/** What Auto mode tried for a run, one line per configuration (none when the run did not use it). */
function autoLines(auto: AutoReport | null): string[] {
  if (!auto) return [];
  const lines = [
    `auto: tried ${auto.trials.length} of ${auto.configurations} configurations` +
      (auto.chosen === null ? '' : `, trained number ${auto.chosen}`) +
      (auto.skipped > 0 ? ` (${auto.skipped} not tried: the ${auto.budgetSeconds} s budget was spent)` : ''),
  ];
  for (const t of auto.trials) {
    const f1 = t.valMacroF1 === null ? '-' : t.valMacroF1.toFixed(4);
    const on = t.measuredOn === 'people' ? 'human-labelled' : 'validation (teacher labels included)';
    lines.push(
      `  ${t.trial}. features ${t.features}, class balance ${t.classBalance}, learning rate ${t.learningRate}` +
        (t.l2 === undefined ? '' : `, l2 ${t.l2}`) +
        (t.averageWeights ? ', weights averaged over epochs' : '') +
        ': ' +
        `validation macro-F1 ${f1} on ${t.validationCount} ${on} documents, ${t.seconds.toFixed(1)} s` +
        (t.trial === auto.chosen ? '  <- chosen' : ''),
    );
  }
  return lines;
}

export const studentCommands: CliCommand[] = [
  defineCommand({
    name: 'train',
    summary: 'Train a student model on a project (human labels and the latest teacher run)',
    args: [PROJECT_ID],
    from: trainOptions,
    options: {
      'human-only': { type: 'boolean', decides: 'useTeacher', help: 'Train on human labels only' },
      'use-teacher': {
        type: 'boolean',
        decides: 'useTeacher',
        help: 'Use the teacher run even when its check says it is no better than chance (left out by default then)',
      },
      detach: { type: 'boolean', help: 'Start the run and return without following it' },
    },
    run: async ({ id, values, given }, io) => {
      const projectId = id(0);
      if (values['human-only'] && values['use-teacher'])
        throw AppError.keyed('INVALID_INPUT', 'student.giveEitherHumanOnly', {});
      const core = await io.core();
      let useTeacher: boolean | undefined = values['human-only']
        ? false
        : values['use-teacher']
          ? true
          : undefined;
      if (useTeacher === undefined) {
        // The default the Train step shows: human labels only when the teacher check says chance.
        const overview = await core.call('student.overview', { projectId });
        if (overview.teacherCheck?.verdict === 'chance') {
          for (const line of checkLines(overview.teacherCheck)) io.note(line);
          io.note('Training on human labels only. Give --use-teacher to use the teacher anyway.');
          useTeacher = false;
        }
      }
      const settings: TrainSettingsInput = { useTeacher, ...given };
      const { run, job } = await core.call('student.train', { projectId, settings });
      io.note(
        `Training run ${run.id} (job ${job.id}): ${run.data.trainCount} training and ${run.data.validationCount} validation examples.`,
      );
      if (run.settings.initFromRunId !== undefined)
        io.note(`Starting from the best model of training run ${run.settings.initFromRunId}.`);
      for (const w of run.data.warnings) io.note(`Warning: ${w}`);
      if (values.detach) return { run, job };
      const off = core.events.subscribe((e) => {
        if (e.name !== 'student.epoch') return;
        const p = e.payload;
        if (p.runId !== run.id) return;
        io.print(
          `epoch ${String(p.epoch).padStart(3)}  train loss ${p.trainLoss.toFixed(4)}  validation loss ${p.valLoss?.toFixed(4)}  ${run.settings.metric} ${p.valMetric?.toFixed(4)}`,
        );
      });
      try {
        await followJob(core, job, io);
      } finally {
        off();
      }
      const detail = await core.call('student.run', { runId: run.id });
      for (const line of autoLines(detail.auto)) io.print(line);
      const best = detail.epochs.find((e) => e.epoch === detail.bestEpoch);
      if (detail.kind === 'multi' && best?.valMicroF1 !== undefined) {
        io.print(
          `Multi-label validation at the best epoch (threshold 0.5): macro-F1 ${best.valMacroF1.toFixed(4)}, micro-F1 ${best.valMicroF1.toFixed(4)}, samples-F1 ${(best.valSamplesF1 ?? Number.NaN).toFixed(4)}, subset accuracy ${best.valAccuracy.toFixed(4)}.`,
        );
      }
      io.print(
        `Done: best epoch ${detail.bestEpoch} (validation ${detail.settings.metric} ${detail.bestMetric?.toFixed(4)}), model ${detail.modelPath} (${detail.modelBytes} bytes), trained on ${detail.backend ?? '-'}.`,
      );
      for (const line of finalFitLines(detail.finalFit, detail.bestEpoch)) io.print(line);
      return detail;
    },
  }),
  defineCommand({
    name: 'train runs',
    summary: "List a project's training runs",
    args: [PROJECT_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const runs = await core.call('student.runs', { projectId: id(0) });
      if (runs.length === 0) io.print('No training runs yet. Start one with "distillery train PROJECT_ID".');
      for (const r of runs) io.print(runLine(r));
      return runs;
    },
  }),
  defineCommand({
    name: 'train show',
    summary: 'Show a training run: settings, data, curves and the best checkpoint',
    args: [{ name: 'RUN_ID', id: { what: 'run', hint: 'distillery train runs PROJECT_ID' } }],
    run: async ({ id }, io) => {
      const core = await io.core();
      const d = await core.call('student.run', { runId: id(0) });
      io.print(runLine(d));
      io.print(`settings: ${JSON.stringify(d.settings)}`);
      for (const line of autoLines(d.auto)) io.print(line);
      io.print(`backend: ${d.backend ?? '-'}   model: ${d.modelPath ?? '-'} (${d.modelBytes ?? 0} bytes)`);
      for (const line of finalFitLines(d.finalFit, d.bestEpoch)) io.print(line);
      for (const w of d.data.warnings) io.print(`warning: ${w}`);
      io.print(
        'epoch  train loss  val loss  val acc  val macro-F1  people F1 (n)  teacher agreement (n)  examples/s',
      );
      const last = d.epochs[d.epochs.length - 1];
      if (last && Number.isFinite(last.valHumanCount)) {
        io.print(
          last.valHumanCount >= MIN_HUMAN_VALIDATION
            ? `The best epoch is chosen on the ${last.valHumanCount} validation documents labelled by people; "teacher agreement" is on the ${last.valTeacherCount} with only the teacher's label.`
            : `Only ${last.valHumanCount} validation documents are labelled by people (fewer than ${MIN_HUMAN_VALIDATION}): the best epoch is chosen on all ${last.valHumanCount + last.valTeacherCount}, teacher labels included.`,
        );
      }
      if (d.kind === 'multi') {
        io.print(
          'Multi-label run: val acc is subset accuracy (whole set right), val macro-F1 is over labels at threshold 0.5, val loss the mean binary cross-entropy.',
        );
      }
      for (const e of d.epochs) {
        const multi =
          e.valMicroF1 === undefined
            ? ''
            : `  micro-F1 ${e.valMicroF1.toFixed(4)}  samples-F1 ${(e.valSamplesF1 ?? Number.NaN).toFixed(4)}`;
        io.print(
          `${String(e.epoch).padStart(5)}  ${e.trainLoss.toFixed(4).padStart(10)}  ${e.valLoss.toFixed(4).padStart(8)}  ${e.valAccuracy.toFixed(4).padStart(7)}  ${e.valMacroF1.toFixed(4).padStart(12)}  ${people(e.valHumanMacroF1, e.valHumanCount).padStart(13)}  ${people(e.valTeacherMacroF1, e.valTeacherCount).padStart(21)}  ${Math.round(e.examplesPerSecond).toString().padStart(10)}${multi}${e.epoch === d.bestEpoch ? '  <- best' : ''}`,
        );
      }
      if (d.thresholds) {
        io.print(
          `thresholds (a label applies at or above; tuned on validation with at least ${MIN_THRESHOLD_POSITIVES} positives, else one shared by such labels, tuned on all labels pooled, or ${DEFAULT_LABEL_THRESHOLD}):`,
        );
        d.labels.forEach((l, k) =>
          io.print(`  ${l.padEnd(24)} ${(d.thresholds?.[k] ?? Number.NaN).toFixed(4)}`),
        );
      }
      return d;
    },
  }),
];
