import type { teacherContract } from '../../../shared/teacher';
import type { Feature } from '../../core/feature';

export const teacherFeature: Feature<typeof teacherContract> = {
  name: 'teacher',
  handlers: {},
};
