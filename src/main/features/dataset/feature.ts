import type { datasetContract } from '../../../shared/dataset';
import type { Feature } from '../../core/feature';

export const datasetFeature: Feature<typeof datasetContract> = {
  name: 'dataset',
  handlers: {},
};
