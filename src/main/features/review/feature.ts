import type { reviewContract } from '../../../shared/review';
import type { Feature } from '../../core/feature';

export const reviewFeature: Feature<typeof reviewContract> = {
  name: 'review',
  handlers: {},
};
