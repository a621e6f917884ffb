import type { exportContract } from '../../../shared/export';
import type { Feature } from '../../core/feature';

export const exportFeature: Feature<typeof exportContract> = {
  name: 'export',
  handlers: {},
};
