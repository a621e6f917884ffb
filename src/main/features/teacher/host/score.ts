import type { PromptPlan, ScoreItem, ScoreResult, ScoreStrategy } from '../protocol';
import { HostError, acquire, release, requireModel, sequenceCount } from './model';
import { planTokens } from './promptTokens';
import { scoreMulti } from './scoreMulti';
import { scoreSingle } from './scoreSingle';

/**
 * Scores a batch of examples on up to `strategy.parallel` of the context's sequences at once. node-llama-cpp gathers
 * the evaluations that the sequences queue in the same tick into one llama.cpp batch: several documents per forward
 * pass, which on a GPU is most of the speed.
 */
export async function score(
  plan: PromptPlan,
  items: readonly ScoreItem[],
  strategy: ScoreStrategy,
): Promise<ScoreResult[]> {
  requireModel();
  if (plan.multi && plan.mode !== 'direct') {
    throw new HostError(
      'INVALID_INPUT',
      'A multi-label teacher answers each label directly: reasoning mode is for single-label projects.',
    );
  }
  if (plan.multi && plan.multi.questions.length !== plan.labels.length) {
    throw new HostError('INVALID_INPUT', 'A multi-label prompt needs one question per label.');
  }
  const p = planTokens(plan);
  const results = new Array<ScoreResult>(items.length);
  let next = 0;
  const sequences = sequenceCount();
  const parallel = Math.max(1, Math.min(strategy.parallel ?? sequences, sequences));
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const seq = await acquire();
      try {
        results[i] = plan.multi
          ? await scoreMulti(seq, plan, p, items[i], strategy)
          : await scoreSingle(seq, plan, p, items[i], strategy);
      } finally {
        release(seq);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}
