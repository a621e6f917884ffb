import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  architectureReads,
  AutoReport,
  autoConfigurations,
  MIN_HUMAN_VALIDATION,
  type AutoTrial,
  TrainSettings,
} from '../../../shared/student';
import { defaultFeaturizerLike, hasCjk } from './featurizer';
import { finalFitToResume, hasFinalFit, runFinalFit } from './finalFit';
import { readModel, writeFileAtomic } from './modelFile';
import {
  isFinalCheckpoint,
  runTraining,
  type EpochReport,
  type TrainHooks,
  type TrainInput,
  type TrainOutcome,
} from './trainer';

/**
 * Auto mode (settings.auto, sparse student): before the run trains, each configuration of AUTO_CONFIGURATIONS (what
 * the student reads x class balance; a multi-label run: MULTI_LABEL_AUTO_CONFIGURATIONS, L2 x learning rate) trains a student on the run's training split, in order, while the time spent on trials is below
 * settings.autoBudgetSeconds (the first always runs; time paused is not counted); each is scored by its best
 * epoch's macro-F1 on the validation split, measured as the loop measures it (evaluation/metrics.ts, on the
 * human-labelled validation documents when there are at least MIN_HUMAN_VALIDATION, else on all). The best (the
 * earlier on a tie) is then trained as the run itself, with its epochs, checkpoints and model. Never reads a test
 * split: there is none here.
 *
 * What was tried is written to runs/<id>/auto.json after every trial (atomically): a run interrupted during the
 * trials continues after the last finished one; one interrupted in its final training resumes from its checkpoint
 * with the configuration chosen. A warm start (settings.initFromRunId) skips the trials: the earlier model fixes
 * what the student reads.
 *
 * On Chinese, Japanese or Korean text (a single-label run) every trial averages its weights over epochs
 * (settings.averageWeights, training/average.ts; `autoConfigurations`), and so does the run trained after them.
 */

export const AUTO_FILE = 'auto.json';

export interface AutoProgress {
  readonly epoch: number;
  readonly done: number;
  readonly total: number;
  readonly examplesPerSecond: number;
  /** Set while a configuration is being tried: which (1-based) and of how many. */
  readonly auto?: { readonly trial: number; readonly of: number };
  /** Set during the final fit (finalFit.ts): its length in epochs. */
  readonly finalFit?: { readonly epochs: number };
}

export interface AutoHooks extends Omit<TrainHooks, 'onProgress'> {
  onProgress(p: AutoProgress): Promise<void>;
  /** After each trial and once the choice is made (optional). */
  onAuto?(report: AutoReport): Promise<void>;
}

/** The Auto report of a run folder, or null when the run has none (or it cannot be read). */
export function readAutoReport(runDir: string): AutoReport | null {
  const file = join(runDir, AUTO_FILE);
  if (!existsSync(file)) return null;
  try {
    return AutoReport.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

function writeAutoReport(runDir: string, report: AutoReport): void {
  writeFileAtomic(join(runDir, AUTO_FILE), JSON.stringify(report, null, 2));
}

/** What a run trains with when Auto is off (the settings' defaults): Auto's extra trial for teacher-taught runs. */
const MANUAL_DEFAULTS = (({ features, classBalance, learningRate, l2 }: TrainSettings) => ({
  features,
  classBalance,
  learningRate,
  l2,
}))(TrainSettings.parse({}));

/**
 * The configurations Auto tries on a run's data: `autoConfigurations` of its kind, without those that read only
 * words when no training text holds a CJK character (they would read exactly what `both` reads). A single-label run
 * that learns from a teacher's distributions also tries the manual defaults (a tenth of the learning rate, class
 * balance 0.5): Auto's own configurations were chosen on human labels, and on soft targets they fit the teacher
 * badly (unfair_tos with 1% human labels: validation .652 with them, .818 with the defaults; docs/student-model.md).
 * Validation chooses, as for every trial.
 */
export function runConfigurations(
  data: Pick<TrainInput['data'], 'kind' | 'train'>,
): ReturnType<typeof autoConfigurations> {
  const base = autoConfigurations(
    data.kind === 'multi' ? 'multi' : 'single',
    data.train.some((e) => hasCjk(e.text)),
  );
  if (data.kind === 'multi' || !data.train.some((e) => e.teacher !== null)) return base;
  return [...base, { ...base[0], ...MANUAL_DEFAULTS }];
}

/** The settings of trial `trial` (1-based) of `configurations` on top of the run's. */
export function trialSettings(
  settings: TrainSettings,
  trial: number,
  configurations: ReturnType<typeof autoConfigurations>,
): TrainSettings {
  return { ...settings, ...configurations[trial - 1] };
}

/**
 * The settings the run trains with once Auto has chosen (or as given when it did not run): the chosen trial's
 * recorded configuration, so that a run keeps what it chose when the list of configurations changes (a trial
 * without `l2`, written before Auto tried it, trained the run's own).
 */
export function chosenSettings(settings: TrainSettings, report: AutoReport | null): TrainSettings {
  const t = report?.chosen ? report.trials.find((x) => x.trial === report.chosen) : undefined;
  if (!t) return settings;
  return {
    ...settings,
    features: t.features,
    classBalance: t.classBalance,
    learningRate: t.learningRate,
    ...(t.l2 === undefined ? {} : { l2: t.l2 }),
    ...(t.averageWeights === undefined ? {} : { averageWeights: t.averageWeights }),
  };
}

function best(trials: readonly AutoTrial[]): AutoTrial | null {
  let top: AutoTrial | null = null;
  const score = (t: AutoTrial): number => t.valMacroF1 ?? -Infinity;
  for (const t of trials) if (top === null || score(t) > score(top)) top = t;
  return top;
}

/**
 * Trains a run: Auto's trials first when settings.auto is on (see the file comment), then the run itself, then its
 * final fit when it has one (finalFit.ts); a run interrupted during its final fit resumes there.
 */
export async function runAuto(
  given: TrainInput,
  hooks: AutoHooks,
  now: () => number = () => performance.now(),
): Promise<TrainOutcome & { auto?: AutoReport }> {
  const input = warmStartFeaturizer(given);
  const resumed = finalFitToResume(input.resumeFrom);
  const usesAuto = autoRuns(input);
  const report = usesAuto ? readAutoReport(input.runDir) : null;
  if (resumed && (!usesAuto || (report !== null && report.chosen !== null))) {
    const outcome = await finalFit(input, chosenSettings(input.settings, report), hooks, resumed, true);
    return report ? { ...outcome, auto: report } : outcome;
  }
  // A final fit's checkpoint never resumes the validated run (its features include the validation documents).
  const start = isFinalCheckpoint(input.resumeFrom ?? '') ? { ...input, resumeFrom: null } : input;
  const validated: TrainOutcome & { auto?: AutoReport } = usesAuto
    ? await autoThenRun(start, hooks, now)
    : await runTraining(start, hooks);
  if (!hasFinalFit(input) || validated.bestEpoch < 1) return validated;
  const { auto, ...main } = validated;
  const settings = chosenSettings(input.settings, auto ?? null);
  const outcome = await finalFit(input, settings, hooks, { epochs: main.bestEpoch, main }, false);
  return auto ? { ...outcome, auto } : outcome;
}

/** A fresh warm start (input.initFrom) reads text as the earlier model did (`defaultFeaturizerLike`). */
function warmStartFeaturizer(input: TrainInput): TrainInput {
  if (!input.initFrom || input.featurizer) return input;
  return { ...input, featurizer: defaultFeaturizerLike(readModel(input.initFrom).featurizer) };
}

function autoRuns(input: TrainInput): boolean {
  const { settings } = input;
  return (
    settings.auto &&
    architectureReads(settings.architecture, 'auto') &&
    settings.initFromRunId === undefined &&
    !input.initFrom
  );
}

/** The final fit, its progress marked as such. */
function finalFit(
  input: TrainInput,
  settings: TrainSettings,
  hooks: AutoHooks,
  fit: { epochs: number; main: TrainOutcome },
  resume: boolean,
): Promise<TrainOutcome> {
  return runFinalFit(
    input,
    settings,
    {
      ...hooks,
      onProgress: (p) => hooks.onProgress({ ...p, finalFit: { epochs: fit.epochs } }),
    },
    fit,
    resume,
  );
}

/** Auto's trials (those not yet run), its choice, then the run with the chosen configuration. */
async function autoThenRun(
  input: TrainInput,
  hooks: AutoHooks,
  now: () => number,
): Promise<TrainOutcome & { auto?: AutoReport }> {
  const { settings, runDir } = input;
  const of = runConfigurations(input.data).length;
  let report: AutoReport = readAutoReport(runDir) ?? {
    budgetSeconds: settings.autoBudgetSeconds,
    configurations: of,
    trials: [],
    chosen: null,
    skipped: 0,
  };
  if (report.chosen === null) {
    let spent = report.trials.reduce((s, t) => s + t.seconds, 0);
    for (let trial = report.trials.length + 1; trial <= of; trial++) {
      if (trial > 1 && spent >= settings.autoBudgetSeconds) break;
      const result = await runTrial(input, hooks, trial, of, now);
      spent += result.seconds;
      report = { ...report, trials: [...report.trials, result] };
      writeAutoReport(runDir, report);
      await hooks.onAuto?.(report);
    }
    rmSync(join(runDir, 'auto'), { recursive: true, force: true });
    const top = best(report.trials);
    report = { ...report, chosen: top?.trial ?? null, skipped: of - report.trials.length };
    writeAutoReport(runDir, report);
    await hooks.onAuto?.(report);
  }
  const outcome = await runTraining({ ...input, settings: chosenSettings(settings, report) }, hooks);
  return { ...outcome, auto: report };
}

/** Trains one configuration in runs/<id>/auto/trial-N (removed afterwards) and scores it. */
async function runTrial(
  input: TrainInput,
  hooks: AutoHooks,
  trial: number,
  of: number,
  now: () => number,
): Promise<AutoTrial> {
  const dir = join(input.runDir, 'auto', `trial-${trial}`);
  rmSync(dir, { recursive: true, force: true });
  const settings = trialSettings(input.settings, trial, runConfigurations(input.data));
  const epochs: EpochReport[] = [];
  const started = now();
  let waited = 0;
  try {
    const outcome = await runTraining(
      { ...input, settings, runDir: dir, resumeFrom: null, initFrom: null, persist: false },
      {
        onProgress: async (p) => {
          const t = now();
          await hooks.onProgress({ ...p, auto: { trial, of } });
          waited += now() - t;
        },
        onEpoch: async (e) => void epochs.push(e),
      },
    );
    const at = epochs.find((e) => e.epoch === outcome.bestEpoch) ?? epochs[epochs.length - 1];
    const people = at.valHumanCount >= MIN_HUMAN_VALIDATION;
    return {
      trial,
      features: settings.features,
      classBalance: settings.classBalance,
      learningRate: settings.learningRate,
      l2: settings.l2,
      ...(input.data.kind === 'multi' ? {} : { averageWeights: settings.averageWeights }),
      valMacroF1: Number.isFinite(at.valMacroF1) ? at.valMacroF1 : null,
      valAccuracy: Number.isFinite(at.valAccuracy) ? at.valAccuracy : null,
      measuredOn: people ? 'people' : 'all',
      validationCount: people ? at.valHumanCount : at.valHumanCount + at.valTeacherCount,
      bestEpoch: outcome.bestEpoch,
      seconds: Math.max(0, (now() - started - waited) / 1000),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
