import type { StudentArchitectureName } from '../../../shared/student';
import { CNN } from './cnnArch';
import { FASTTEXT } from './fastTextArch';
import { SPARSE } from './sparseArch';
import type { StudentArchitecture } from './training/architecture';
import { TRANSFORMER } from './transformerArch';

/**
 * Every student architecture the trainer can run, by the name the settings use: the training registry (the
 * exported runtime's registry of pure models is `MODEL_KINDS`, modelKinds.ts). docs/development.md, "Adding a
 * student architecture", lists what a new one touches.
 */
export const ARCHITECTURES: Readonly<Record<StudentArchitectureName, StudentArchitecture>> = {
  sparse: SPARSE,
  fasttext: FASTTEXT,
  cnn: CNN,
  transformer: TRANSFORMER,
};
