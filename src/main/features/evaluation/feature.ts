import type { evaluationContract } from '../../../shared/evaluation';
import type { Feature } from '../../core/feature';

export const evaluationFeature: Feature<typeof evaluationContract> = {
  name: 'evaluation',
  handlers: {},
};
