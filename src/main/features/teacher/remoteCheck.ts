import type { EndpointCheck, EndpointRefusal, TeacherEndpoint } from '../../../shared/teacher';
import type { PromptPlan } from './protocol';
import type { EngineInfo } from './remoteEngines';
import { buildPrompt, scoreDocument, type EndpointParts } from './remotePrompt';
import { normalise } from './scoring';

/**
 * The self-check a remote endpoint passes before it labels anything (remote.ts `connect`), and the check reported
 * when an endpoint is refused, with what to do about it.
 */

/** Fixed prompts of the self-check: two labels whose token sequences are not prefixes of each other. */
export const CHECK_PROMPTS: ReadonlyArray<{ plan: PromptPlan; text: string }> = [
  {
    plan: {
      before: 'Is this sentence about the weather? Answer yes or no.\n\nText:\n',
      after: '',
      labels: ['yes', 'no'],
      mode: 'direct',
      reasoningBudget: 16,
    },
    text: 'It is raining in the city today.',
  },
  {
    plan: {
      before: 'Classify the review as positive or negative.\n\nText:\n',
      after: '\n\nAnswer with the label only.',
      labels: ['positive', 'negative'],
      mode: 'direct',
      reasoningBudget: 16,
    },
    text: 'The food was cold and the staff ignored us.',
  },
];

/** The self-check on fixed prompts; null when it passes, else why not. */
export async function selfCheck(
  conn: EndpointParts,
  signal?: AbortSignal,
): Promise<{ problem: string | null; maxSumError: number; covered: boolean }> {
  let maxSumError = 0;
  let covered = true;
  for (const { plan, text } of CHECK_PROMPTS) {
    const rp = await buildPrompt(conn, plan, signal);
    const s = await scoreDocument(conn, rp, plan, text, signal);
    covered &&= s.covered;
    if (!s.covered) {
      return {
        problem: s.problem ?? 'the log-probabilities do not cover every prompt token',
        maxSumError,
        covered,
      };
    }
    if (!s.ll.every((x) => Number.isFinite(x) && x <= 1e-6)) {
      return {
        problem: s.problem ?? `the log-probabilities are not valid (${s.ll.join(', ')})`,
        maxSumError,
        covered,
      };
    }
    // The two labels are disjoint events: their probabilities add to at most 1, and normalised to exactly 1.
    const raw = s.ll.reduce((a, l) => a + Math.exp(l), 0);
    const err = Math.abs(normalise(s.ll).probs.reduce((a, p) => a + p, 0) - 1);
    maxSumError = Math.max(maxSumError, err);
    if (raw > 1 + 1e-6 || err > 1e-6) {
      return {
        problem: `the label probabilities do not form a distribution (they add to ${raw})`,
        maxSumError,
        covered,
      };
    }
  }
  return { problem: null, maxSumError, covered };
}

const REFUSAL_HINT: Record<EndpointRefusal, string> = {
  unreachable: 'Check that the server runs and the address is right.',
  ollama:
    'Ollama does not return log-probabilities for the prompt, so it cannot score labels exactly. Serve the same model with vLLM or llama.cpp’s llama-server instead.',
  'no-tokenize':
    'This server has no /tokenize, so Distillery cannot know the model’s tokens. Use vLLM or llama.cpp’s llama-server.',
  'no-prompt-logprobs':
    'This server cannot give the log-probabilities of given text, so it would label at chance. Use vLLM, or a recent llama.cpp llama-server (native /completion with n_probs).',
  'self-check':
    'The numbers are not exact, so this endpoint would label wrongly. Use vLLM or a recent llama-server.',
  'no-template': 'Paste the model’s chat template (Jinja) for this endpoint.',
  'no-model': 'Give the model name the server serves (see its /v1/models).',
};

export function refusedCheck(
  endpoint: TeacherEndpoint,
  info: EngineInfo | null,
  refusal: EndpointRefusal,
  reason: string,
  extra: Partial<EndpointCheck> = {},
): EndpointCheck {
  return {
    url: endpoint.url,
    engine: info?.engine ?? null,
    engineVersion: info?.version ?? null,
    models: info?.models ?? [],
    model: info?.model ?? endpoint.model,
    capabilities: {
      tokenize: info?.hasTokenize ?? false,
      promptLogprobs: null,
      echoPromptLogprobs: null,
      nativeProbs: null,
      generate: false,
    },
    method: null,
    templateSource: null,
    contextSize: info?.contextSize ?? null,
    capacity: info?.capacity ?? null,
    concurrency: 0,
    selfCheck: null,
    ...extra,
    accepted: false,
    refusal,
    reason: `${reason} ${REFUSAL_HINT[refusal]}`,
  };
}
