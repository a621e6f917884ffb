import type { StoppingMetric } from '../../../../shared/student';

/** Early stopping: the best epoch so far by the run's metric, and how many epochs since it did not improve. */
export interface EarlyStopState {
  bestEpoch: number;
  bestMetric: number;
  badEpochs: number;
}

export function newEarlyStop(): EarlyStopState {
  return { bestEpoch: -1, bestMetric: 0, badEpochs: 0 };
}

/** Higher is better for F1 and accuracy, lower for loss; returns whether this epoch is the new best. */
export function updateEarlyStop(
  state: EarlyStopState,
  epoch: number,
  value: number,
  metric: StoppingMetric,
): boolean {
  const better =
    state.bestEpoch < 0 || (metric === 'loss' ? value < state.bestMetric : value > state.bestMetric);
  if (better) {
    state.bestEpoch = epoch;
    state.bestMetric = value;
    state.badEpochs = 0;
  } else state.badEpochs++;
  return better;
}

/** Whether a run has waited `patience` epochs without a new best. */
export function shouldStop(state: EarlyStopState, patience: number): boolean {
  return state.bestEpoch >= 0 && state.badEpochs >= patience;
}
