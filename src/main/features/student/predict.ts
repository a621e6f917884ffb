import type { StudentPredictor } from './predictor';
import { softmax } from '../../../shared/math';
import { createForward, modelInput } from './modelKinds';
import { readModel } from './modelFile';

/** Loads a student model folder (student_runs.model_path) for inference in this thread. */
export async function loadStudent(modelDir: string): Promise<StudentPredictor> {
  const model = readModel(modelDir);
  const forward = createForward(model);
  let disposed = false;
  return {
    labels: model.labels,
    predict: async (texts) => {
      if (disposed) throw new Error('This student model was disposed.');
      return texts.map((text) => Array.from(softmax(forward(modelInput(model, text)))));
    },
    dispose: () => {
      disposed = true;
    },
  };
}
