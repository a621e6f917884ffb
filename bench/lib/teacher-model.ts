/**
 * The benchmarks' teacher: one generated qwen2 GGUF of real size (>= 100M parameters, random weights: compute-bound,
 * so timings are representative of a ~100M model), written once to bench/.work/ and reused, and its prompt plan for
 * unfair_tos. Shared by bench/teacher.ts and bench/export.ts so that both measure the same model file.
 */
import { join } from 'node:path';
import type { PromptPlan } from '../../src/main/features/teacher/protocol';
import {
  tinyModelParameters,
  writeTinyModel,
  type TinyModelOptions,
} from '../../tests/fixtures/gguf/generate';

export const BENCH_TEACHER_MODEL: TinyModelOptions = {
  seed: 7,
  embedding: 768,
  heads: 12,
  kvHeads: 2,
  feedForward: 3072,
  layers: 12,
  contextLength: 4096,
  dtype: 'f16',
  weightScale: 1,
  name: 'Bench qwen2 100M (generated)',
};

/** Writes the bench teacher into bench/.work/ unless it is there already; returns its path and size. */
export function benchTeacherModel(): { path: string; parameters: number } {
  const parameters = tinyModelParameters(BENCH_TEACHER_MODEL);
  if (parameters < 100e6) throw new Error(`The bench teacher has only ${parameters} parameters.`);
  const file = join(import.meta.dirname, '..', '.work', `bench-qwen2-${Math.round(parameters / 1e6)}M.gguf`);
  return { path: writeTinyModel(file, BENCH_TEACHER_MODEL), parameters };
}

export const BENCH_TEACHER_PLAN: PromptPlan = {
  before:
    'Decide whether a sentence from an online Terms of Service is a potentially unfair clause.\n\n' +
    'Classify the text into exactly one of these labels:\n' +
    '- fair: An ordinary clause that does not put the consumer at an unfair disadvantage.\n' +
    '- unfair: A potentially unfair clause: unilateral change or termination, limitation of liability, arbitration, ' +
    'choice of law or jurisdiction, content removal, or consent by merely using the service.\n' +
    'Answer with the label name only.\n\nText:\n',
  after: '',
  labels: ['fair', 'unfair'],
  mode: 'direct',
  reasoningBudget: 32,
};
