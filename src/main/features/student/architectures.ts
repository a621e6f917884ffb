import type { StudentArchitectureName } from '../../../shared/student';
import { CNN } from './cnnArch';
import { FASTTEXT } from './fastTextArch';
import { SPARSE } from './sparseArch';
import type { StudentArchitecture } from './training/architecture';
import { TRANSFORMER } from './transformerArch';

/**
 * Every student architecture the trainer can run, by the name the settings use. Adding one: its model (a pure
 * `ModelKind`: tensors, forward pass, input; the exported runtime bundles it, so it cannot load TensorFlow) and its
 * training side (a `StudentArchitecture`, whose dense tensor shapes come from the model kind), its name in
 * `STUDENT_ARCHITECTURES` (shared/student.ts), and an entry here and in `MODEL_KINDS` (modelKinds.ts).
 */
export const ARCHITECTURES: Readonly<Record<StudentArchitectureName, StudentArchitecture>> = {
  sparse: SPARSE,
  fasttext: FASTTEXT,
  cnn: CNN,
  transformer: TRANSFORMER,
};
