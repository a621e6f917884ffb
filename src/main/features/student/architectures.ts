import type { StudentArchitectureName } from '../../../shared/student';
import { CNN } from './cnnArch';
import { FASTTEXT } from './fastTextArch';
import type { StudentArchitecture } from './training/architecture';
import { TRANSFORMER } from './transformerArch';

/**
 * Every student architecture the trainer can run, by the name the settings use. Adding one: its file (a
 * `StudentArchitecture`), its name in `STUDENT_ARCHITECTURES` (shared/student.ts), and an entry here.
 */
export const ARCHITECTURES: Readonly<Record<StudentArchitectureName, StudentArchitecture>> = {
  fasttext: FASTTEXT,
  cnn: CNN,
  transformer: TRANSFORMER,
};
