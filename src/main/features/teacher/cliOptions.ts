import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { contract, type Request } from '../../../shared/contract';
import type { ArgSpec, ExtraOption } from '../../cli/command';
import { schemaOptions } from '../../cli/schemaOptions';

/** The teacher commands' options, derived from their requests' schemas in shared/teacher.ts. */

const readFile = (raw: string): string => readFileSync(resolve(raw), 'utf8');

/** The teacher and the prompt: fields every teacher request shares (teacher.preview, plan, run, trial...). */
export const choiceFields = {
  modelId: {
    flag: 'model',
    value: 'ID',
    help: 'The imported model to use (see "distillery teacher models")',
  },
  template: { value: 'FILE', help: 'The prompt template, read from this file', parse: readFile },
  mode: { help: "direct: the labels' probabilities at once; reasoning: the teacher thinks first" },
  fewShot: { flag: 'few-shot', help: 'Labelled examples shown in the prompt' },
  reasoningBudget: { flag: 'reasoning-budget', help: 'Tokens the teacher may think for (reasoning mode)' },
  threads: { help: 'CPU threads (default: what this computer suits)' },
  sequences: { help: 'Documents the model works on at once' },
  contextSize: {
    flag: 'context-size',
    help: 'The context size in tokens (default: what the documents need)',
  },
} as const;

/** Which documents a run covers (teacher.plan, teacher.run). */
export const scopeFields = {
  splits: { flag: 'split', help: 'Only documents of this split' },
  unlabelledOnly: { flag: 'unlabelled', help: 'Only documents without a human label yet' },
  sample: { help: 'A random sample of this many of the documents' },
  sampleSeed: { flag: 'seed', help: 'Seed of the sample (the plan and the run pick the same documents)' },
} as const;

/** A remote teacher's settings, from the endpoint schema (teacher.checkEndpoint). */
export const endpointOptions = schemaOptions(contract['teacher.checkEndpoint'].input, {
  model: {
    flag: 'endpoint-model',
    value: 'NAME',
    help: 'The model the server serves (default: its only one)',
  },
  concurrency: { help: 'Requests sent to each endpoint at once' },
  chatTemplate: {
    flag: 'chat-template',
    value: 'FILE',
    help: "A chat template (Jinja) read from this file, instead of the server's",
    parse: readFile,
  },
});

export const endpointOption: Readonly<Record<string, ExtraOption>> = {
  endpoint: {
    type: 'string',
    multiple: true,
    value: 'URL',
    help: 'A remote teacher (vLLM, llama.cpp server) instead of --model; repeat it for more',
  },
};

/** The --endpoint URLs with the endpoint options, as a teacher request's endpoints. */
export function endpointsOf(
  values: Readonly<Record<string, unknown>>,
): Request<'teacher.preview'>['endpoints'] {
  const settings = endpointOptions.read(values);
  return ((values.endpoint as string[] | undefined) ?? []).map((url) => ({ url, ...settings }));
}

export const RUN_ID: ArgSpec = {
  name: 'RUN_ID',
  id: { what: 'run', hint: 'distillery teacher status PROJECT_ID' },
};
export const VERSION_ID: ArgSpec = {
  name: 'VERSION_ID',
  id: { what: 'prompt version', hint: 'distillery teacher prompt list PROJECT_ID' },
};
