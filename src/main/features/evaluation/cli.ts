import { copyFileSync } from 'node:fs';
import {
  judgeMultiLabelTarget,
  judgeTarget,
  parseMultiLabelTarget,
  parseTarget,
  type TargetVerdict,
} from '../../../shared/target';
import { resolve } from 'node:path';
import type { EvaluationSummary, MetricInterval, ModelRef, OperatingBy } from '../../../shared/evaluation';
import { EvaluateRequest, OPERATING_BY, OperatingTarget } from '../../../shared/evaluation';
import type { MultiLabelEvaluation } from '../../../shared/multilabelEvaluation';
import { z } from 'zod';
import { contract } from '../../../shared/contract';
import { defineCommand, idOption, type ExtraOption } from '../../cli/command';
import { schemaOptions } from '../../cli/schemaOptions';
import type { Core } from '../../core/core';
import { AppError } from '../../core/errors';
import type { CliCommand } from '../../cli/types';

/** The bootstrap's options and the operating point's costs, from their request schemas. */
const evaluateOptions = schemaOptions(EvaluateRequest, { seed: {}, iterations: {} });
const costOptions = schemaOptions(OperatingTarget, { costFp: {}, costFn: {} });
/** --recall R, --precision P, --threshold T: an operating target's value, checked by its schema. */
const Target = OperatingTarget.shape.value;
const targetOptions = schemaOptions(z.object({ recall: Target, precision: Target, threshold: Target }), {
  recall: { value: 'R', help: 'The highest threshold whose recall reaches R' },
  precision: { value: 'P', help: 'The lowest threshold whose precision reaches P' },
  threshold: { value: 'T', help: 'This threshold' },
});
const reportOptions = schemaOptions(contract['evaluation.exportReport'].input, {
  format: { help: 'The report format' },
  language: {},
});

function projectOf(values: Record<string, unknown>): number {
  const id = idOption(values, 'project', 'project');
  if (id === undefined) throw AppError.keyed('INVALID_INPUT', 'evaluation.sayWhichProjectProject', {});
  return id;
}

/** --student N or --teacher N; without either, the newest student run with a model, else the newest teacher run. */
async function modelOf(
  core: Core,
  projectId: number,
  values: Record<string, unknown>,
  prefix = '',
): Promise<ModelRef> {
  const student = values[`${prefix}student`];
  const teacher = values[`${prefix}teacher`];
  if (student !== undefined && teacher !== undefined)
    throw AppError.keyed('INVALID_INPUT', 'evaluation.giveEitherStudentTeacher', {});
  if (student !== undefined)
    return { kind: 'student', runId: idOption(values, `${prefix}student`, 'training run') as number };
  if (teacher !== undefined)
    return { kind: 'teacher', runId: idOption(values, `${prefix}teacher`, 'teacher run') as number };
  const overview = await core.call('evaluation.overview', { projectId });
  const first = overview.candidates[0];
  if (!first) throw AppError.keyed('NOT_FOUND', 'evaluation.projectHasTrainedStudent', {});
  return first.model;
}

function ci(m: MetricInterval): string {
  if (m.value === null) return '—';
  return m.low === null || m.high === null
    ? m.value.toFixed(3)
    : `${m.value.toFixed(3)} [${m.low.toFixed(3)}, ${m.high.toFixed(3)}]`;
}

function summaryLines(e: EvaluationSummary): string[] {
  return [
    `${e.modelName}: ${e.n} gold documents${e.missing ? ` (${e.missing} without prediction)` : ''}`,
    `  accuracy     ${ci(e.accuracy)}`,
    `  macro F1     ${ci(e.macroF1)}`,
    `  micro F1     ${ci(e.microF1)}`,
    `  weighted F1  ${ci(e.weightedF1)}`,
    `  kappa        ${ci(e.kappa)}`,
    `  macro AUC    ${e.macroAuc?.toFixed(3) ?? '—'}    ECE ${e.ece?.toFixed(3) ?? '—'}`,
  ];
}

/** A multi-label evaluation as text: the set metrics with intervals, then each label at its threshold. */
function multiLabelLines(e: MultiLabelEvaluation): string[] {
  const n = (x: number | null): string => (x === null ? '—' : x.toFixed(3));
  return [
    `${e.modelName} (multi-label): ${e.n} gold documents, thresholds ${e.thresholdSource === 'saved' ? 'saved in Evaluate' : 'tuned in training'}`,
    `  micro F1         ${ci(e.microF1)}`,
    `  macro F1         ${ci(e.macroF1)}`,
    `  samples F1       ${ci(e.samplesF1)}`,
    `  Hamming loss     ${ci(e.hammingLoss)}  (lower is better)`,
    `  subset accuracy  ${ci(e.subsetAccuracy)}`,
    `  LRAP             ${ci(e.lrap)}`,
    `  micro ROC AUC ${n(e.microRocAuc)}  macro ROC AUC ${n(e.macroRocAuc)}  macro PR AUC ${n(e.macroPrAuc)}`,
    ...e.perLabel.map(
      (c) =>
        `  ${c.label.padEnd(16)} threshold ${c.threshold.toFixed(3)}  P ${c.precision.toFixed(3)}  R ${c.recall.toFixed(3)}  F1 ${c.f1.toFixed(3)}  ROC AUC ${n(c.rocAuc)}  PR AUC ${n(c.prAuc)}  n ${c.support}`,
    ),
  ];
}

/** A target's label, refused when it is none of the model's labels. */
function knownLabel<T extends { label?: string }>(t: T, labels: readonly string[]): T {
  if (t.label !== undefined && !labels.includes(t.label))
    throw AppError.keyed('INVALID_INPUT', 'evaluation.targetNamesWhichLabel', {
      label: t.label,
      labels: labels.join(', '),
    });
  return t;
}

/** Each target's verdict as a line: met, uncertain (met, its interval reaching below), not met, cannot be judged. */
function verdictLines(
  verdicts: ReadonlyArray<TargetVerdict & { target: { metric: string; label?: string; min: number } }>,
): string[] {
  return verdicts.map((v) => {
    const what = v.target.label === undefined ? v.target.metric : `${v.target.metric} of "${v.target.label}"`;
    const range =
      v.low === null || v.high === null ? '' : ` (95% interval ${v.low.toFixed(3)}-${v.high.toFixed(3)})`;
    return `Target ${what} >= ${v.target.min}: ${v.verdict === 'met' ? 'met' : v.verdict === 'uncertain' ? 'uncertain (met here, but the interval reaches below)' : v.verdict === 'not-met' ? 'NOT met' : 'cannot be judged (no documents)'}, ${v.value === null ? '—' : v.value.toFixed(3)}${range}`;
  });
}

const PROJECT_OPTION: Readonly<Record<string, ExtraOption>> = {
  project: { type: 'string', value: 'ID', help: 'The project (see "distillery projects list")' },
};
const MODEL_OPTIONS: Readonly<Record<string, ExtraOption>> = {
  ...PROJECT_OPTION,
  student: { type: 'string', value: 'RUN', help: 'This training run (default: the newest with a model)' },
  teacher: { type: 'string', value: 'RUN', help: 'This teacher run (default: the newest student)' },
};

/** `distillery eval ...` commands. */
export const evaluationCommands: CliCommand[] = [
  defineCommand({
    name: 'eval list',
    summary: 'List the runs of a project and their evaluation on the gold test set',
    options: PROJECT_OPTION,
    run: async ({ values }, io) => {
      const core = await io.core();
      const o = await core.call('evaluation.overview', { projectId: projectOf(values) });
      io.print(
        `Gold test documents: ${o.goldCount} (${o.goldPerLabel.map((g) => `${g.label} ${g.count}`).join(', ')})`,
      );
      for (const c of o.candidates) {
        const e = c.evaluation;
        io.print(
          `${c.model.kind.padEnd(7)} ${String(c.model.runId).padStart(4)}  ${c.name}  ` +
            (e ? `accuracy ${ci(e.accuracy)}  macro F1 ${ci(e.macroF1)}` : 'not evaluated'),
        );
      }
      return o;
    },
  }),
  defineCommand({
    name: 'eval run',
    summary: 'Evaluate a student or teacher run on the gold test set (with bootstrap intervals) and store it',
    from: evaluateOptions,
    options: {
      ...MODEL_OPTIONS,
      target: { type: 'string', multiple: true, value: 'T', help: 'What the model must reach (see below)' },
    },
    notes: [
      '--target sets what the model must reach, e.g. "recall:unfair>=0.95", "precision:LABEL>=0.9", "accuracy>=0.9",\n' +
        '"macroF1>=0.8"; each gets a verdict (met, uncertain: met but its 95% interval reaches below, not met).',
      'A multi-label project: "recall:LABEL>=0.95", "precision:LABEL>=0.9", "f1:LABEL>=0.8", "microF1>=0.8",',
      '"macroF1>=0.7", "samplesF1>=0.8", "subsetAccuracy>=0.6" (at the thresholds in force).',
    ],
    run: async ({ values, given: bootstrap }, io) => {
      const targetTexts = (values.target as string[] | undefined) ?? [];
      const core = await io.core();
      const projectId = projectOf(values);
      const model = await modelOf(core, projectId, values);
      if ((await core.call('projects.get', { projectId })).kind === 'multi') {
        if (model.kind !== 'student')
          throw AppError.keyed('INVALID_INPUT', 'evaluation.multiLabelProjectEvaluate', {});
        const multiTargets = targetTexts.map((text) => {
          const t = parseMultiLabelTarget(text);
          if (!t) throw AppError.keyed('INVALID_INPUT', 'evaluation.targetTargetMultiLabel', { text });
          return t;
        });
        const m = await core.call('evaluation.multiEvaluate', {
          projectId,
          runId: model.runId,
          ...bootstrap,
        });
        for (const line of multiLabelLines(m)) io.print(line);
        const verdicts = multiTargets.map((t) => ({
          target: t,
          ...judgeMultiLabelTarget(m, knownLabel(t, m.labels)),
        }));
        for (const line of verdictLines(verdicts)) io.print(line);
        return verdicts.length ? { ...m, targets: verdicts } : m;
      }
      const targets = targetTexts.map((text) => {
        const t = parseTarget(text);
        if (!t) throw AppError.keyed('INVALID_INPUT', 'evaluation.targetTargetWriteE', { text });
        return t;
      });
      const e = await core.call('evaluation.evaluate', {
        projectId,
        model,
        ...bootstrap,
      });
      for (const line of summaryLines(e)) io.print(line);
      for (const c of e.perClass)
        io.print(
          `  ${c.label.padEnd(16)} P ${c.precision.toFixed(3)}  R ${c.recall.toFixed(3)}  F1 ${c.f1.toFixed(3)}  n ${c.support}`,
        );
      const verdicts = targets.map((t) => ({ target: t, ...judgeTarget(e, knownLabel(t, e.labels)) }));
      for (const line of verdictLines(verdicts)) io.print(line);
      return targets.length ? { ...e, targets: verdicts } : e;
    },
  }),
  defineCommand({
    name: 'eval report',
    summary: 'Write the model report (HTML or PDF) of an evaluated run',
    from: reportOptions,
    options: { ...MODEL_OPTIONS, out: { type: 'string', value: 'FILE', help: 'Copy the report there' } },
    run: async ({ values, given }, io) => {
      const core = await io.core();
      const projectId = projectOf(values);
      const model = await modelOf(core, projectId, values);
      const file = await core.call('evaluation.exportReport', { ...given, projectId, model });
      let path = file.path;
      if (typeof values.out === 'string') {
        path = resolve(values.out);
        copyFileSync(file.path, path);
      }
      io.print(`Wrote ${path} (${file.bytes} bytes)`);
      return { path, fileName: file.fileName, bytes: file.bytes, mimeType: file.mimeType };
    },
  }),
  defineCommand({
    name: 'eval threshold',
    summary: 'Choose and save the operating threshold of a student run by target recall or precision',
    from: costOptions,
    also: [targetOptions],
    options: {
      ...MODEL_OPTIONS,
      label: {
        type: 'string',
        value: 'NAME',
        help: 'The label the threshold is for (default: the second label of a two-label project)',
      },
      'dry-run': { type: 'boolean', help: 'Show the operating point without saving it' },
    },
    notes: ['Give exactly one of --recall, --precision and --threshold.'],
    run: async ({ values, given: costs }, io) => {
      const target = targetOptions.read(values);
      const core = await io.core();
      const projectId = projectOf(values);
      const model = await modelOf(core, projectId, values);
      const given = OPERATING_BY.filter((b) => values[b] !== undefined);
      if (given.length !== 1) throw AppError.keyed('INVALID_INPUT', 'evaluation.giveExactlyOneRecall', {});
      const by: OperatingBy = given[0];
      if (model.kind !== 'student' && !values['dry-run'])
        throw AppError.keyed('INVALID_INPUT', 'evaluation.thresholdSavedStudentModel', {});
      const e = await core.call('evaluation.get', { projectId, model });
      if (!e) throw AppError.keyed('NOT_FOUND', 'evaluation.evaluateRunFirstDistillery', {});
      const classIndex =
        values.label === undefined
          ? e.labels.length === 2
            ? 1
            : -1
          : e.labels.indexOf(String(values.label));
      if (classIndex < 0)
        throw AppError.keyed('INVALID_INPUT', 'evaluation.sayWhichLabelLabel', {
          labels: e.labels.join(', '),
        });
      const operating = { classIndex, by, value: target[by] as number, ...costs };
      const point = await core.call('evaluation.operatingPoint', { projectId, model, ...operating });
      io.print(
        `${point.label}: threshold ${point.threshold.toFixed(4)}${point.achieved ? '' : ' (target not reachable: closest shown)'}` +
          `  precision ${point.precision.toFixed(3)} recall ${point.recall.toFixed(3)}` +
          `  TP ${point.tp} FP ${point.fp} FN ${point.fn} TN ${point.tn}  cost ${point.cost}`,
      );
      if (values['dry-run']) return { point, saved: null };
      const saved = await core.call('evaluation.saveThreshold', {
        projectId,
        runId: model.runId,
        ...operating,
      });
      io.print(`Saved with training run ${model.runId}.`);
      return { point, saved };
    },
  }),
  defineCommand({
    name: 'eval thresholds',
    summary:
      'Multi-label projects: set, tune on validation or reset the threshold of each label of a student run',
    also: [targetOptions],
    options: {
      ...MODEL_OPTIONS,
      label: { type: 'string', value: 'NAME', help: 'Tune this label on the validation documents' },
      f1: { type: 'boolean', help: 'Tune it for the best F1 (the default)' },
      set: { type: 'string', value: 'NAME=T,...', help: 'Type thresholds in (labels not named keep theirs)' },
      reset: { type: 'boolean', help: 'Back to the thresholds tuned in training' },
    },
    notes: [
      'Give --label NAME (--f1 | --recall R | --precision P), --set or --reset. Evaluate again ("distillery eval run")',
      'to see the test figures at the new thresholds.',
    ],
    run: async ({ values }, io) => {
      const core = await io.core();
      const projectId = projectOf(values);
      const runId = idOption(values, 'student', 'training run');
      if (runId === undefined) throw AppError.keyed('INVALID_INPUT', 'evaluation.sayWhichStudentRun', {});
      const tuned = targetOptions.read(values);
      const unit = (v: unknown, what: string): number => {
        const x = Number(v);
        if (!(x >= 0 && x <= 1)) throw AppError.keyed('INVALID_INPUT', 'evaluation.mustBetween', { what });
        return x;
      };
      let saved;
      if (values.reset)
        saved = await core.call('evaluation.multiThresholds', { projectId, runId, reset: true });
      else if (values.set !== undefined) {
        const run = await core.call('student.run', { runId });
        const thresholds = [...(run.thresholds ?? run.labels.map(() => 0.5))];
        for (const part of String(values.set).split(',')) {
          const eq = part.lastIndexOf('=');
          const name = part.slice(0, eq).trim();
          const k = run.labels.indexOf(name);
          if (eq < 0 || k < 0)
            throw AppError.keyed('INVALID_INPUT', 'evaluation.setWriteLabelThreshold', {
              part,
              labels: run.labels.join(', '),
            });
          thresholds[k] = unit(part.slice(eq + 1), 'set');
        }
        saved = await core.call('evaluation.multiThresholds', { projectId, runId, thresholds });
      } else {
        if (values.label === undefined)
          throw AppError.keyed('INVALID_INPUT', 'evaluation.giveLabelNameF', {});
        const by =
          values.recall !== undefined ? 'recall' : values.precision !== undefined ? 'precision' : 'f1';
        const value = by === 'f1' ? undefined : tuned[by];
        saved = await core.call('evaluation.multiThresholds', {
          projectId,
          runId,
          tune: { label: String(values.label), by, value },
        });
      }
      if (!saved) io.print('Thresholds reset to those tuned in training.');
      else {
        const run = await core.call('student.run', { runId });
        run.labels.forEach((l, k) => io.print(`  ${l.padEnd(24)} ${saved.thresholds[k].toFixed(4)}`));
        for (const t of saved.targets)
          io.print(
            `  ${t.label}: ${t.by}${t.value === null ? '' : ` >= ${t.value}`} on ${t.positives} validation document(s) carrying it: ${t.met ? 'reached' : 'NOT reached (threshold kept)'}`,
          );
      }
      return saved;
    },
  }),
  defineCommand({
    name: 'eval compare',
    summary: 'Diff two evaluated runs: what changed in their settings and what it did to each metric',
    options: {
      ...PROJECT_OPTION,
      'a-student': { type: 'string', value: 'RUN', help: 'Run A is this training run' },
      'a-teacher': { type: 'string', value: 'RUN', help: 'Run A is this teacher run' },
      'b-student': { type: 'string', value: 'RUN', help: 'Run B is this training run' },
      'b-teacher': { type: 'string', value: 'RUN', help: 'Run B is this teacher run' },
    },
    run: async ({ values }, io) => {
      const core = await io.core();
      const projectId = projectOf(values);
      const pick = (side: 'a' | 'b'): ModelRef => {
        const s = values[`${side}-student`];
        const t = values[`${side}-teacher`];
        if ((s === undefined) === (t === undefined))
          throw AppError.keyed('INVALID_INPUT', 'evaluation.giveRunStudentRun', {
            p1: side.toUpperCase(),
            side,
          });
        return s !== undefined
          ? { kind: 'student', runId: idOption(values, `${side}-student`, 'training run') as number }
          : { kind: 'teacher', runId: idOption(values, `${side}-teacher`, 'teacher run') as number };
      };
      const diff = await core.call('evaluation.compare', { projectId, a: pick('a'), b: pick('b') });
      io.print(`A = ${diff.a.modelName}, B = ${diff.b.modelName}`);
      for (const s of diff.settings) io.print(`  ${s.key}: ${s.a} -> ${s.b}`);
      for (const m of diff.metrics)
        io.print(
          `  ${m.name.padEnd(20)} ${m.a?.toFixed(3) ?? '—'} -> ${m.b?.toFixed(3) ?? '—'}` +
            (m.delta === null ? '' : ` (${m.delta >= 0 ? '+' : ''}${m.delta.toFixed(3)})`),
        );
      const sig = diff.significance;
      const signed = (v: number | null): string => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(3)}`);
      io.print(
        `On the same ${sig.shared} gold documents: only A right on ${sig.onlyA}, only B right on ${sig.onlyB}; ` +
          `McNemar p = ${sig.pValue === null ? '—' : sig.pValue.toPrecision(3)}; ` +
          `macro-F1 change ${signed(sig.macroF1Delta.value)} (95% interval ${signed(sig.macroF1Delta.low)} to ${signed(sig.macroF1Delta.high)}): ` +
          (sig.significant ? 'a real difference (unlikely to be chance).' : 'could be chance.'),
      );
      return diff;
    },
  }),
];
