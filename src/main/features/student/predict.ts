import type { StudentPredictor } from './predictor';
import { outputProbabilities } from './model';
import { createForward, modelInput } from './modelKinds';
import { readModel } from './modelFile';

/** Loads a student model folder (student_runs.model_path) for inference in this thread. */
export async function loadStudent(modelDir: string): Promise<StudentPredictor> {
  const model = readModel(modelDir);
  const forward = createForward(model);
  let disposed = false;
  return {
    labels: model.labels,
    kind: model.kind === 'multi' ? 'multi' : 'single',
    thresholds: model.kind === 'multi' ? (model.thresholds ?? null) : null,
    predict: async (texts) => {
      if (disposed) throw new Error('This student model was disposed.');
      return texts.map((text) => outputProbabilities(model, forward(modelInput(model, text))));
    },
    dispose: () => {
      disposed = true;
    },
  };
}
