import type { TrainSettings } from '../../../../shared/student';
import { AppError } from '../../../core/errors';
import { ARCHITECTURES } from '../architectures';
import type { FeaturizerConfig } from '../featurizer';
import type { StudentModel } from '../model';

function sameFeaturizer(a: FeaturizerConfig, b: FeaturizerConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every(
    (k) => (a as unknown as Record<string, unknown>)[k] === (b as unknown as Record<string, unknown>)[k],
  );
}

/**
 * Refuses to start a run from an earlier model whose architecture, labels (names and order), featurizer or sizes
 * differ from the new run's: its rows and head would mean something else.
 */
export function checkInitModel(
  model: StudentModel,
  expected: { labels: readonly string[]; featurizer: FeaturizerConfig; settings: TrainSettings },
  fromRunId: number | undefined,
): void {
  const which = fromRunId === undefined ? 'The earlier model' : `The model of training run ${fromRunId}`;
  const { settings } = expected;
  if (model.architecture !== settings.architecture) {
    throw AppError.keyed('CONFLICT', 'student.studentRunTrainsStudent', {
      which,
      architecture: model.architecture,
      architecture2: settings.architecture,
    });
  }
  const sameLabels =
    model.labels.length === expected.labels.length && model.labels.every((l, i) => l === expected.labels[i]);
  if (!sameLabels) {
    throw AppError.keyed('CONFLICT', 'student.trainedOtherLabelsProject', {
      which,
      labels: model.labels.join(', '),
      labels2: expected.labels.join(', '),
    });
  }
  if (!sameFeaturizer(model.featurizer, expected.featurizer)) {
    throw AppError.keyed('CONFLICT', 'student.readsTextAnotherFeaturizer', { which });
  }
  const sizes = ARCHITECTURES[settings.architecture].initMismatch(model, settings, which);
  if (sizes) throw AppError.keyed('CONFLICT', 'student.cannotStartFromRun', { reason: sizes });
  const dim = ARCHITECTURES[settings.architecture].modelDim(settings, expected.labels.length);
  if (model.dim !== dim) {
    throw AppError.keyed('CONFLICT', 'student.hasModelSizeEmbedding', { which, dim: model.dim, dim2: dim });
  }
}
