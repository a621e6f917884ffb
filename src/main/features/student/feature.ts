import type { studentContract } from '../../../shared/student';
import type { Feature } from '../../core/feature';

export const studentFeature: Feature<typeof studentContract> = {
  name: 'student',
  handlers: {},
};
