import type { StudentPredictor } from './predictor';
import { softmax } from './distill';
import { featurize } from './featurizer';
import { linearLogits, meanEmbedding, rowLookup } from './model';
import { readModel } from './modelFile';

/** Loads a student model folder (student_runs.model_path) for inference in this thread. */
export async function loadStudent(modelDir: string): Promise<StudentPredictor> {
  const model = readModel(modelDir);
  const rowOf = rowLookup(model.rowIds);
  const h = new Float64Array(model.dim);
  const logits = new Float64Array(model.labels.length);
  let disposed = false;
  return {
    labels: model.labels,
    predict: async (texts) => {
      if (disposed) throw new Error('This student model was disposed.');
      return texts.map((text) => {
        meanEmbedding(featurize(text, model.featurizer), rowOf, model.embeddings, model.dim, h);
        linearLogits(h, model.weight, model.bias, logits);
        return Array.from(softmax(logits));
      });
    },
    dispose: () => {
      disposed = true;
    },
  };
}
