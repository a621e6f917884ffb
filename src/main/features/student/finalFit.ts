import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { architectureReads, FinalFitInfo, type TrainSettings } from '../../../shared/student';
import { readCheckpointFile } from './training/checkpoint';
import {
  FINAL_MODEL_DIR,
  isFinalCheckpoint,
  runTraining,
  type TrainHooks,
  type TrainInput,
  type TrainOutcome,
} from './trainer';
import { FinalFitModelJson } from './storedFiles';

/**
 * The final fit (settings.finalFit; issue 21). A run chooses its configuration and its best epoch E on the
 * validation split, then trains that configuration once more, from scratch, on the training documents and the
 * human-labelled validation ones, for E epochs, and keeps that model: the tuned references of the bench also
 * cross-validate and then refit on their whole training split. The learning rate follows the run's own schedule
 * epoch for epoch (linear decay over maxEpochs epochs by step, the steps of an epoch growing with the documents), so
 * the final model ends where the chosen epoch did, with a tenth more data. Validation documents labelled only by
 * the teacher's top label are left out (the run data keeps no teacher distribution for them, and a hard teacher
 * label is not what the soft loss teaches). No validation figure is measured after it: the final model has seen
 * the validation documents, and the run's figures are those measured before.
 *
 * Only single-label sparse runs that start from scratch have one (a multi-label run's thresholds are tuned on the
 * validation documents; a warm-started run keeps the model it validated). A run interrupted during its final fit
 * resumes it from its last `final-NNNN.ckpt`, which holds the validated run's result.
 */

/** Whether a run with these settings and data ends with a final fit. */
export function hasFinalFit(input: Pick<TrainInput, 'data' | 'settings' | 'initFrom'>): boolean {
  const { settings } = input;
  return (
    settings.finalFit &&
    architectureReads(settings.architecture, 'finalFit') &&
    input.data.kind !== 'multi' &&
    settings.initFromRunId === undefined &&
    !input.initFrom
  );
}

/** The validated run's result held by a final-fit checkpoint, when `resumeFrom` is one that exists. */
export function finalFitToResume(resumeFrom: string | null): { epochs: number; main: TrainOutcome } | null {
  if (!resumeFrom || !isFinalCheckpoint(resumeFrom) || !existsSync(resumeFrom)) return null;
  return readCheckpointFile(resumeFrom).header.finalFit ?? null;
}

/** Trains the final fit of `main` (the validated run of `settings`), or resumes it from `input.resumeFrom`. */
export function runFinalFit(
  input: TrainInput,
  settings: TrainSettings,
  hooks: TrainHooks,
  fit: { epochs: number; main: TrainOutcome },
  resume: boolean,
): Promise<TrainOutcome> {
  return runTraining(
    { ...input, settings, resumeFrom: resume ? input.resumeFrom : null, initFrom: null, finalFit: fit },
    {
      ...hooks,
      onEpoch: () => Promise.resolve(),
    },
  );
}

/** What the final fit that made the model folder `modelPath` did (its model.json), or null when none made it. */
export function readFinalFit(modelPath: string | null): FinalFitInfo | null {
  if (!modelPath || basename(modelPath) !== FINAL_MODEL_DIR) return null;
  try {
    const json = FinalFitModelJson.parse(JSON.parse(readFileSync(join(modelPath, 'model.json'), 'utf8')));
    const parsed = FinalFitInfo.safeParse(json.meta?.finalFit);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
