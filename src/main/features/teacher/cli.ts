import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Request } from '../../../shared/contract';
import type { MetricInterval } from '../../../shared/evaluation';
import type {
  DiffLine,
  EndpointCheck,
  EndpointRate,
  PromptTrialResult,
  PromptVersion,
  LabelCalibrationReport,
  LabelTeacherCheck,
  TeacherCheck,
  TeacherModel,
  TeacherRun,
  TeacherRunPlan,
} from '../../../shared/teacher';
import { followJob, followJobResult } from '../../cli/jobs';
import type { CliCommand } from '../../cli/types';
import type { Core } from '../../core/core';
import { AppError } from '../../core/errors';
import { DEFAULT_PROMPT_TEMPLATE } from '../../../shared/teacher';
import { projectKind } from '../../core/labels';

function positiveId(value: unknown, what: string, hint: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.giveIdPositiveWhole', { what, hint });
  }
  return n;
}

function optionalInt(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw AppError.keyed('INVALID_INPUT', 'teacher.mustWholeNumber', { what });
  return n;
}

const SPLITS = ['train', 'validation', 'test', 'none'] as const;
type SplitName = (typeof SPLITS)[number];

function splits(value: unknown): SplitName[] | undefined {
  if (value === undefined) return undefined;
  return (value as string[]).map((v) => {
    if (!(SPLITS as readonly string[]).includes(v)) {
      throw AppError.keyed('INVALID_INPUT', 'teacher.splitOne', { SPLITS: SPLITS.join(', '), v });
    }
    return v as SplitName;
  });
}

const gb = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Options shared by preview and run: the teacher and the prompt. */
const choiceOptions = {
  model: { type: 'string' },
  endpoint: { type: 'string', multiple: true },
  'endpoint-model': { type: 'string' },
  concurrency: { type: 'string' },
  'chat-template': { type: 'string' },
  template: { type: 'string' },
  mode: { type: 'string' },
  'few-shot': { type: 'string' },
  'reasoning-budget': { type: 'string' },
  threads: { type: 'string' },
  sequences: { type: 'string' },
  'context-size': { type: 'string' },
} as const;

const choiceUsage =
  '[--model ID | --endpoint URL ... [--endpoint-model NAME] [--concurrency N] [--chat-template FILE]] [--mode direct|reasoning] ' +
  '[--template FILE] [--few-shot N] [--reasoning-budget N] [--threads N] [--sequences N] [--context-size N]';

function choice(projectId: number, values: Record<string, unknown>): Request<'teacher.preview'> {
  const raw = values.mode === undefined ? undefined : String(values.mode);
  if (raw !== undefined && raw !== 'direct' && raw !== 'reasoning') {
    throw AppError.keyed('INVALID_INPUT', 'teacher.modeDirectReasoning', {});
  }
  const mode: 'direct' | 'reasoning' | undefined = raw;
  const urls = (values.endpoint as string[] | undefined) ?? [];
  const concurrency = optionalInt(values.concurrency, 'concurrency') ?? 4;
  return {
    projectId,
    modelId:
      values.model === undefined ? undefined : positiveId(values.model, 'model', 'distillery teacher models'),
    endpoints: urls.map((url) => ({
      url,
      model: String(values['endpoint-model'] ?? ''),
      concurrency,
      ...chatTemplate(values),
    })),
    template:
      values.template === undefined ? undefined : readFileSync(resolve(String(values.template)), 'utf8'),
    mode,
    fewShot: optionalInt(values['few-shot'], 'few-shot'),
    reasoningBudget: optionalInt(values['reasoning-budget'], 'reasoning-budget'),
    threads: optionalInt(values.threads, 'threads'),
    sequences: optionalInt(values.sequences, 'sequences'),
    contextSize: optionalInt(values['context-size'], 'context-size'),
  };
}

function chatTemplate(values: Record<string, unknown>): { chatTemplate?: string } {
  const file = values['chat-template'];
  return file === undefined ? {} : { chatTemplate: readFileSync(resolve(String(file)), 'utf8') };
}

const yesNo = (v: boolean | null): string => (v === null ? 'not needed' : v ? 'yes' : 'no');

/** What an endpoint check found, as lines a person reads. */
function endpointCheckLines(c: EndpointCheck): string[] {
  const engine = c.engine ?? 'nothing answered';
  const lines = [
    `${c.url}: ${c.accepted ? 'accepted' : 'REFUSED'} (${engine}${c.engineVersion ? ` ${c.engineVersion}` : ''})`,
  ];
  if (c.models.length) lines.push(`  models: ${c.models.join(', ')} (using ${c.model || '?'})`);
  if (c.engine && c.engine !== 'ollama') {
    lines.push(
      `  /tokenize: ${yesNo(c.capabilities.tokenize)}, prompt_logprobs: ${yesNo(c.capabilities.promptLogprobs)}, ` +
        `echo covers the prompt: ${yesNo(c.capabilities.echoPromptLogprobs)}, native n_probs: ${yesNo(c.capabilities.nativeProbs)}, ` +
        `reasoning mode: ${yesNo(c.capabilities.generate)}`,
    );
  }
  if (c.selfCheck) {
    lines.push(
      `  self-check: ${c.selfCheck.passed ? 'passed' : 'FAILED'} on ${c.selfCheck.prompts} fixed prompts ` +
        `(prompt tokens covered: ${yesNo(c.selfCheck.promptTokensCovered)}, sum off by ${c.selfCheck.maxSumError.toExponential(1)})`,
    );
  }
  if (c.accepted) {
    lines.push(
      `  scoring: ${c.method}, ${c.concurrency} parallel requests` +
        `${c.capacity !== null ? ` (server slots: ${c.capacity})` : ' (server does not report its capacity)'}, ` +
        `chat template: ${c.templateSource === 'user' ? 'yours' : "the server's"}` +
        `${c.contextSize !== null ? `, context ${c.contextSize} tokens` : ''}`,
    );
  }
  if (c.reason) lines.push(`  ${c.reason}`);
  return lines;
}

function rateLine(r: EndpointRate): string {
  return (
    `${r.url}: ${r.documentsPerSecond.toFixed(2)} documents/s, ${Math.round(r.tokensPerSecond)} tokens/s, ` +
    `${r.documents} documents${r.retries ? `, ${r.retries} retries` : ''}${r.breakerOpen ? ', paused after errors' : ''}`
  );
}

function modelLine(m: TeacherModel): string {
  const meta = m.metadata;
  return (
    `${String(m.id).padStart(4)}  ${m.name}  ${meta.architecture} ${(meta.parameterCount / 1e6).toFixed(1)}M params ` +
    `${meta.quantization}  ctx ${meta.contextLength ?? '?'}  ${gb(m.sizeBytes)}  sha256 ${m.sha256.slice(0, 16)}…`
  );
}

function runLine(r: TeacherRun): string {
  const t = r.calibrationTemperature === null ? '' : `  T=${r.calibrationTemperature.toFixed(2)}`;
  const version = r.promptVersion ? `  prompt v${r.promptVersion.number} "${r.promptVersion.name}"` : '';
  return (
    `run ${r.id}: ${r.modelName ?? r.modelSha256.slice(0, 16)} ${r.mode}  ${r.outputCount}/${r.targetCount} labelled` +
    `${r.failedCount ? `, ${r.failedCount} failed` : ''}${t}${version}  (${r.createdAt})`
  );
}

const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
const withInterval = (m: MetricInterval, f: (v: number | null) => string): string =>
  m.low === null || m.high === null ? f(m.value) : `${f(m.value)} (95% interval ${f(m.low)}–${f(m.high)})`;
const num = (v: number | null): string => (v === null ? '–' : v.toFixed(3));

export const VERDICT_TEXT: Readonly<Record<TeacherCheck['verdict'], string>> = {
  useful: 'useful: it agrees well with people',
  weak: 'weak: better than chance, but it often disagrees with people',
  chance: 'no better than chance: training uses human labels only unless you choose otherwise',
  'too-few': 'too few documents to judge',
};

/** The teacher check as lines of text (also used by `distillery train`). */
export function checkLines(c: TeacherCheck): string[] {
  const lines = [`Teacher check of run ${c.runId}: ${VERDICT_TEXT[c.verdict]}`];
  if (c.verdict === 'too-few') {
    lines.push(
      `  ${c.examples} validation document(s) with a label a person chose were labelled by this run; the check needs ${c.minimum}. ` +
        'Label more validation documents in Review (and run the teacher over them).',
    );
    return lines;
  }
  lines.push(
    `  on ${c.examples} validation documents labelled by people`,
    `  accuracy ${withInterval(c.accuracy, pct)}, macro-F1 ${withInterval(c.macroF1, num)}, kappa ${withInterval(c.kappa, num)}`,
    `  always "${c.baselines.majority.label ?? '–'}": accuracy ${pct(c.baselines.majority.accuracy)}, macro-F1 ${num(c.baselines.majority.macroF1)}; ` +
      `at random: accuracy ${pct(c.baselines.uniform.accuracy)}, macro-F1 ${num(c.baselines.uniform.macroF1)}`,
  );
  if (c.neverPredicted.length) lines.push(`  never predicted: ${c.neverPredicted.join(', ')}`);
  for (const x of c.confusions) lines.push(`  "${x.gold}" taken for "${x.predicted}": ${x.count}`);
  return lines;
}

/** A multi-label check as lines of text. */
export function labelCheckLines(c: LabelTeacherCheck): string[] {
  const lines = [`Teacher check of run ${c.runId} (each label on its own): ${VERDICT_TEXT[c.verdict]}`];
  if (c.verdict === 'too-few') {
    lines.push(
      `  ${c.examples} validation document(s) with labels a person chose were labelled by this run; the check needs ${c.minimum}. ` +
        'Label more validation documents in Review (and run the teacher over them).',
    );
    return lines;
  }
  lines.push(
    `  on ${c.examples} validation documents labelled by people; a label applies when the teacher gives it 50% or more`,
    `  micro-F1 ${withInterval(c.microF1, num)}, macro-F1 ${num(c.macroF1)}; saying every label applies: micro-F1 ${num(c.alwaysMicroF1)}`,
  );
  for (const l of c.perLabel) {
    lines.push(
      `  ${l.label.padEnd(24)} F1 ${num(l.f1)}  precision ${num(l.precision)}  recall ${num(l.recall)}  ` +
        `(people ${l.support}, teacher ${l.predicted}; always-yes F1 ${num(l.alwaysF1)})`,
    );
  }
  return lines;
}

function labelCalibrationLines(r: LabelCalibrationReport | null): string[] {
  if (!r) return [];
  const lines = [`  calibration per label on ${r.examples} validation documents (Platt scaling):`];
  for (const l of r.labels) {
    lines.push(
      l.calibrated
        ? `    ${l.label}: log-loss ${l.before.logLoss.toFixed(3)} -> ${l.after.logLoss.toFixed(3)}`
        : `    ${l.label}: not calibrated (${l.positives} with the label, ${l.negatives} without; needs ${r.minimumPerClass} of each)`,
    );
  }
  return lines;
}

/** Whether a run belongs to a multi-label project (an unknown run is left to the channel to report). */
function isMultiLabelRun(core: Core, runId: number): boolean {
  const row = core.db.prepare('SELECT project_id FROM teacher_runs WHERE id = ?').get(runId) as
    { project_id: number } | undefined;
  return row !== undefined && projectKind(core.db, row.project_id) === 'multi';
}

const scopeOptions = {
  split: { type: 'string', multiple: true },
  unlabelled: { type: 'boolean' },
  sample: { type: 'string' },
  seed: { type: 'string' },
} as const;
const scopeUsage = '[--split train|validation|test|none ...] [--unlabelled] [--sample N [--seed S]]';

function scope(
  values: Record<string, unknown>,
): Pick<Request<'teacher.plan'>, 'splits' | 'unlabelledOnly' | 'sample' | 'sampleSeed'> {
  const sample = optionalInt(values.sample, 'sample');
  if (sample !== undefined && sample <= 0)
    throw AppError.keyed('INVALID_INPUT', 'teacher.sampleMustLeast', {});
  return {
    splits: splits(values.split),
    unlabelledOnly: values.unlabelled === true,
    sample,
    sampleSeed: optionalInt(values.seed, 'seed'),
  };
}

/** A run's scope and cost in one line. */
export function planText(p: TeacherRunPlan): string {
  const time =
    p.minutes === null
      ? 'time unknown (add --time to label a few documents and measure)'
      : `about ${p.minutes < 1 ? '<1' : Math.round(p.minutes)} minute(s) on this computer (timed on ${p.timing?.documents} documents)`;
  return (
    `${p.targets} document(s): ${p.toLabel} to label, ${p.carriedOver} carried over; ~${p.tokens.toLocaleString('en')} prompt tokens; ${time}` +
    (p.tooLong ? `; ${p.tooLong} too long for a context of ${p.contextSize} tokens (cut to fit)` : '')
  );
}

/** `distillery teacher ...` commands. */
export const teacherCommands: CliCommand[] = [
  {
    name: 'teacher models',
    summary: 'List the imported teacher models (and the recommended ones with --recommended)',
    usage: 'distillery teacher models [--recommended]',
    options: { recommended: { type: 'boolean' } },
    run: async ({ values }, io) => {
      const core = await io.core();
      if (values.recommended) {
        const rec = await core.call('teacher.recommended', {});
        for (const r of rec) {
          io.print(
            `${r.name.padEnd(32)} ~${r.fileSizeGb} GB file, ${r.minRamGb} GB RAM or ${r.gpuVramGb} GB GPU: ${r.note}`,
          );
        }
        return rec;
      }
      const models = await core.call('teacher.models', {});
      if (!models.length) io.print('No models yet. Import a .gguf with "distillery teacher import FILE".');
      for (const m of models) io.print(modelLine(m));
      return models;
    },
  },
  {
    name: 'teacher import',
    summary: 'Copy a .gguf model into the model folder (SHA-256 computed, header checked)',
    usage: 'distillery teacher import FILE [--name NAME]',
    options: { name: { type: 'string' } },
    run: async ({ positionals, values }, io) => {
      if (!positionals[0]) throw AppError.keyed('INVALID_INPUT', 'teacher.givePathGgufFile', {});
      const core = await io.core();
      const job = await core.call('teacher.importModel', {
        path: resolve(positionals[0]),
        name: values.name as string | undefined,
      });
      const model = await followJobResult(core, job, io, 'teacher.import');
      io.print(`Imported: ${modelLine(model)}`);
      return model;
    },
  },
  {
    name: 'teacher remove',
    summary: 'Remove a model from the library (runs keep their labels)',
    usage: 'distillery teacher remove MODEL_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const r = await core.call('teacher.removeModel', {
        modelId: positiveId(positionals[0], 'model', 'distillery teacher models'),
      });
      io.print('Removed.');
      return r;
    },
  },
  {
    name: 'teacher hardware',
    summary: 'Show the detected GPU/CPU and whether a model fits',
    usage: 'distillery teacher hardware [--model ID]',
    options: { model: { type: 'string' } },
    run: async ({ values }, io) => {
      const core = await io.core();
      const hw = await core.call('teacher.hardware', {
        modelId:
          values.model === undefined
            ? undefined
            : positiveId(values.model, 'model', 'distillery teacher models'),
      });
      io.print(
        `${hw.gpu.toUpperCase()} ${hw.gpuNames.join(', ')}  VRAM ${gb(hw.vramFreeBytes)} free of ${gb(hw.vramTotalBytes)}`,
      );
      io.print(
        `RAM ${gb(hw.ramFreeBytes)} free of ${gb(hw.ramTotalBytes)}; ${hw.cpuCores} cores, ${hw.recommendedThreads} threads`,
      );
      if (hw.fit) {
        io.print(
          `model ${hw.fit.modelId}: ${hw.fit.placement} (${hw.fit.gpuLayers}/${hw.fit.totalLayers} layers on GPU), ` +
            `RAM ${gb(hw.fit.ramBytes)}, VRAM ${gb(hw.fit.vramBytes)}`,
        );
      }
      return hw;
    },
  },
  {
    name: 'teacher preview',
    summary: "Show the teacher's label distribution for a few examples",
    usage: `distillery teacher preview PROJECT_ID ${choiceUsage} [--count N] [--text TEXT ...]`,
    options: { ...choiceOptions, count: { type: 'string' }, text: { type: 'string', multiple: true } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const projectId = positiveId(positionals[0], 'project', 'distillery projects list');
      const items = await core.call('teacher.preview', {
        ...choice(projectId, values),
        count: optionalInt(values.count, 'count'),
        texts: values.text as string[] | undefined,
      });
      for (const item of items) {
        io.print(item.text.length > 100 ? `${item.text.slice(0, 100)}…` : item.text);
        const lp = item.labelProbabilities;
        if (lp) {
          // Multi-label: each label's own probability (they need not sum to 100%).
          lp.labels.forEach((l, k) => {
            const p = lp.probs[k];
            io.print(
              `  ${l.name.padEnd(20)} ${(100 * p).toFixed(1).padStart(5)}% ${'█'.repeat(Math.round(p * 30))}${p >= 0.5 ? '  applies' : ''}`,
            );
          });
        } else if (!item.distribution) io.print(`  ${item.error}`);
        else {
          const d = item.distribution;
          d.labels.forEach((l, k) => {
            const p = d.probs[k];
            io.print(
              `  ${l.name.padEnd(20)} ${(100 * p).toFixed(1).padStart(5)}% ${'█'.repeat(Math.round(p * 30))}`,
            );
          });
          if (d.reasoning) io.print(`  reasoning: ${d.reasoning.slice(0, 300)}`);
        }
      }
      return items;
    },
  },
  {
    name: 'teacher plan',
    summary: 'Tell what a run would label and cost (documents, tokens, minutes) before starting it',
    usage: `distillery teacher plan PROJECT_ID ${choiceUsage} ${scopeUsage} [--time]\n  --time labels a few documents first to measure this computer's speed.`,
    options: { ...choiceOptions, ...scopeOptions, time: { type: 'boolean' } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const projectId = positiveId(positionals[0], 'project', 'distillery projects list');
      const request = { ...choice(projectId, values), ...scope(values) };
      if (values.time) {
        const timing = await core.call('teacher.time', request);
        io.note(`Timed ${timing.documents} documents: ${Math.round(timing.msPerDocument)} ms each.`);
      }
      const plan = await core.call('teacher.plan', request);
      io.print(planText(plan));
      return plan;
    },
  },
  {
    name: 'teacher run',
    summary: 'Label the examples with the teacher as a resumable job',
    usage: `distillery teacher run PROJECT_ID ${choiceUsage} ${scopeUsage} [--limit N] [--prompt-version ID]\n  --prompt-version runs a saved prompt version (its template, task, mode and few-shot count).`,
    options: {
      ...choiceOptions,
      ...scopeOptions,
      limit: { type: 'string' },
      'prompt-version': { type: 'string' },
    },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const projectId = positiveId(positionals[0], 'project', 'distillery projects list');
      const request = {
        ...choice(projectId, values),
        ...scope(values),
        promptVersionId:
          values['prompt-version'] === undefined
            ? undefined
            : positiveId(
                values['prompt-version'],
                'prompt version',
                'distillery teacher prompt list PROJECT_ID',
              ),
      };
      io.note(`Plan: ${planText(await core.call('teacher.plan', request))}`);
      const { run, job } = await core.call('teacher.run', {
        ...request,
        limit: optionalInt(values.limit, 'limit'),
      });
      io.note(`Teacher run ${run.id} over ${run.targetCount} examples (job ${job.id}).`);
      // Remote endpoints: their live rates every few seconds.
      const timer =
        run.settings.endpoints.length && !io.json
          ? setInterval(() => {
              void core.call('teacher.endpointRates', {}).then((rates) => {
                for (const r of rates) io.note(`  ${rateLine(r)}`);
              });
            }, 5000)
          : undefined;
      try {
        await followJob(core, job, io);
      } finally {
        clearInterval(timer);
      }
      const runs = await core.call('teacher.runs', { projectId });
      const final = runs.find((r) => r.id === run.id) ?? run;
      io.print(runLine(final));
      for (const r of run.settings.endpoints.length ? await core.call('teacher.endpointRates', {}) : []) {
        io.print(`  ${rateLine(r)}`);
      }
      return final;
    },
  },
  {
    name: 'teacher check-endpoint',
    summary: 'Probe a remote teacher (vLLM, llama.cpp server) and run its self-check; refused ones say why',
    usage:
      'distillery teacher check-endpoint URL [--endpoint-model NAME] [--concurrency N] [--chat-template FILE]',
    options: {
      'endpoint-model': { type: 'string' },
      concurrency: { type: 'string' },
      'chat-template': { type: 'string' },
    },
    run: async ({ positionals, values }, io) => {
      const url = positionals[0];
      if (!url) throw AppError.keyed('INVALID_INPUT', 'teacher.giveEndpointAddressE', {});
      const core = await io.core();
      const check = await core.call('teacher.checkEndpoint', {
        url,
        model: String(values['endpoint-model'] ?? ''),
        concurrency: optionalInt(values.concurrency, 'concurrency') ?? 4,
        ...chatTemplate(values),
      });
      for (const line of endpointCheckLines(check)) io.print(line);
      if (!check.accepted) {
        throw AppError.keyed(
          'UNSUPPORTED',
          'teacher.endpointRefused',
          { reason: check.reason ?? url },
          { check },
        );
      }
      return check;
    },
  },
  {
    name: 'teacher status',
    summary: "Show a project's teacher runs and their calibration",
    usage: 'distillery teacher status PROJECT_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const runs = await core.call('teacher.runs', {
        projectId: positiveId(positionals[0], 'project', 'distillery projects list'),
      });
      if (!runs.length)
        io.print('No teacher runs yet. Start one with "distillery teacher run PROJECT_ID --model ID".');
      for (const r of runs) {
        io.print(runLine(r));
        for (const line of labelCalibrationLines(r.labelCalibration)) io.print(line);
        if (r.calibration) {
          io.print(
            `  calibration on ${r.calibration.examples} validation examples: ECE ${r.calibration.before.ece.toFixed(3)} -> ${r.calibration.after.ece.toFixed(3)}`,
          );
        }
        const verdict =
          r.kind === 'multi'
            ? (await core.call('teacher.labelCheck', { runId: r.id })).verdict
            : (await core.call('teacher.check', { runId: r.id })).verdict;
        io.print(`  teacher check: ${VERDICT_TEXT[verdict]}`);
      }
      return runs;
    },
  },
  {
    name: 'teacher check',
    summary:
      "Check a teacher run against people's labels on the validation split (accuracy, macro-F1, kappa, verdict)",
    usage: 'distillery teacher check RUN_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const runId = positiveId(positionals[0], 'run', 'distillery teacher status PROJECT_ID');
      if (isMultiLabelRun(core, runId)) {
        const check = await core.call('teacher.labelCheck', { runId });
        for (const line of labelCheckLines(check)) io.print(line);
        return check;
      }
      const check = await core.call('teacher.check', { runId });
      for (const line of checkLines(check)) io.print(line);
      return check;
    },
  },
  {
    name: 'teacher import-run',
    summary:
      'Import teacher outputs made elsewhere (JSONL of {"id" or "text", "probs" or "logprobs"}) as a run',
    usage: 'distillery teacher import-run PROJECT_ID FILE.jsonl',
    run: async ({ positionals }, io) => {
      const projectId = positiveId(positionals[0], 'project', 'distillery projects list');
      if (!positionals[1]) throw AppError.keyed('INVALID_INPUT', 'teacher.givePathJsonlFile', {});
      const core = await io.core();
      const r = await core.call('teacher.importRun', { projectId, path: resolve(positionals[1]) });
      io.print(`Imported ${r.imported} teacher outputs as ${runLine(r.run)}`);
      return r;
    },
  },
  {
    name: 'teacher calibrate',
    summary:
      "Fit a run's calibration on human-labelled validation examples (a temperature; per label for multi-label runs)",
    usage: 'distillery teacher calibrate RUN_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const runId = positiveId(positionals[0], 'run', 'distillery teacher status PROJECT_ID');
      if (isMultiLabelRun(core, runId)) {
        const labelReport = await core.call('teacher.calibrateLabels', { runId });
        for (const line of labelCalibrationLines(labelReport)) io.print(line);
        return labelReport;
      }
      const report = await core.call('teacher.calibrate', { runId });
      io.print(
        `T = ${report.temperature.toFixed(3)} on ${report.examples} examples; ECE ${report.before.ece.toFixed(3)} -> ${report.after.ece.toFixed(3)}, ` +
          `NLL ${report.before.nll.toFixed(3)} -> ${report.after.nll.toFixed(3)}`,
      );
      return report;
    },
  },
];

const versionLine = (v: PromptVersion): string =>
  `${String(v.id).padStart(4)}  v${v.number} "${v.name}"  by ${v.createdBy} at ${v.createdAt}  changed: ${v.changed.join(', ')}`;

const diffLines = (lines: readonly DiffLine[]): string[] =>
  lines.map((l) => `${l.kind === 'added' ? '+' : l.kind === 'removed' ? '-' : ' '} ${l.text}`);

/** A preview run's accuracy in one line. */
export function trialLine(r: PromptTrialResult): string {
  const who = r.versionNumber === null ? 'the given prompt' : `v${r.versionNumber} "${r.versionName}"`;
  const acc =
    r.accuracy.value === null
      ? 'no document with a human label to compare with'
      : `accuracy ${pct(r.accuracy.value)} (95% interval ${pct(r.accuracy.low)}–${pct(r.accuracy.high)}), ${r.correct} of ${r.scored} right`;
  return `${who} on ${r.items.length} document(s): ${acc}`;
}

function readText(values: Record<string, unknown>, inline: string, file: string): string | undefined {
  if (values[file] !== undefined) return readFileSync(resolve(String(values[file])), 'utf8');
  return values[inline] === undefined ? undefined : String(values[inline]);
}

/** `distillery teacher prompt ...`: the prompt lab. */
export const promptCommands: CliCommand[] = [
  {
    name: 'teacher prompt list',
    summary: "List a project's saved prompt versions (who saved each, what changed)",
    usage: 'distillery teacher prompt list PROJECT_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const versions = await core.call('teacher.promptVersions', {
        projectId: positiveId(positionals[0], 'project', 'distillery projects list'),
      });
      if (!versions.length)
        io.print('No prompt versions yet. Save one with "distillery teacher prompt save".');
      for (const v of versions) io.print(versionLine(v));
      return versions;
    },
  },
  {
    name: 'teacher prompt show',
    summary: 'Show a prompt version; with --document, the exact text the teacher reads for that document',
    usage: `distillery teacher prompt show VERSION_ID [--document ID ${choiceUsage}]`,
    options: { ...choiceOptions, document: { type: 'string' } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const versionId = positiveId(
        positionals[0],
        'prompt version',
        'distillery teacher prompt list PROJECT_ID',
      );
      const projectId = (
        core.db.prepare('SELECT project_id FROM teacher_prompt_versions WHERE id = ?').get(versionId) as
          { project_id: number } | undefined
      )?.project_id;
      if (projectId === undefined) {
        throw AppError.keyed('NOT_FOUND', 'teacher.promptVersionDoesExist', { versionId });
      }
      const version = (await core.call('teacher.promptVersions', { projectId })).find(
        (v) => v.id === versionId,
      )!;
      io.print(versionLine(version));
      if (values.document === undefined) {
        io.print(`mode ${version.mode}, ${version.fewShot} few-shot example(s)`);
        io.print(`task: ${version.task || '(none: the project name is used)'}`);
        io.print('template:');
        io.print(version.template);
        return version;
      }
      const text = await core.call('teacher.promptText', {
        ...choice(projectId, values),
        versionId,
        exampleId: positiveId(values.document, 'document', 'distillery data browse PROJECT_ID'),
      });
      io.print(
        text.modelText === null
          ? '(a remote server applies its own chat template to this user turn)'
          : `${text.tokens} tokens:`,
      );
      io.print(text.modelText ?? text.userTurn);
      return { version, text };
    },
  },
  {
    name: 'teacher prompt save',
    summary: 'Save a prompt as a new named version (template, task description, mode, few-shot count)',
    usage:
      'distillery teacher prompt save PROJECT_ID --name NAME [--template FILE] [--task TEXT | --task-file FILE] ' +
      "[--mode direct|reasoning] [--few-shot N]\n  Without --task the project's task description is kept; with it, it becomes the project's.",
    options: {
      name: { type: 'string' },
      template: { type: 'string' },
      task: { type: 'string' },
      'task-file': { type: 'string' },
      mode: { type: 'string' },
      'few-shot': { type: 'string' },
    },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const projectId = positiveId(positionals[0], 'project', 'distillery projects list');
      if (values.name === undefined) throw AppError.keyed('INVALID_INPUT', 'teacher.giveVersionNameName', {});
      const c = choice(projectId, values);
      const task = readText(values, 'task', 'task-file');
      if (task !== undefined) await core.call('teacher.setTask', { projectId, task });
      const current =
        (
          core.db.prepare('SELECT task_description FROM projects WHERE id = ?').get(projectId) as
            { task_description: string } | undefined
        )?.task_description ?? '';
      const version = await core.call('teacher.savePromptVersion', {
        projectId,
        name: String(values.name),
        template: c.template ?? DEFAULT_PROMPT_TEMPLATE,
        task: task ?? current,
        mode: c.mode,
        fewShot: c.fewShot,
      });
      io.print(`Saved ${versionLine(version)}`);
      return version;
    },
  },
  {
    name: 'teacher prompt diff',
    summary: 'Show the line differences between two prompt versions',
    usage: 'distillery teacher prompt diff VERSION_ID VERSION_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const hint = 'distillery teacher prompt list PROJECT_ID';
      const d = await core.call('teacher.promptDiff', {
        fromId: positiveId(positionals[0], 'prompt version', hint),
        toId: positiveId(positionals[1], 'prompt version', hint),
      });
      io.print(
        `v${d.from.number} "${d.from.name}" -> v${d.to.number} "${d.to.name}": ${d.changed.length ? `changed ${d.changed.join(', ')}` : 'no change'}`,
      );
      if (d.from.mode !== d.to.mode) io.print(`mode: ${d.from.mode} -> ${d.to.mode}`);
      if (d.from.fewShot !== d.to.fewShot) io.print(`few-shot: ${d.from.fewShot} -> ${d.to.fewShot}`);
      if (d.changed.includes('task')) {
        io.print('task:');
        for (const line of diffLines(d.task)) io.print(line);
      }
      if (d.changed.includes('template')) {
        io.print('template:');
        for (const line of diffLines(d.template)) io.print(line);
      }
      return d;
    },
  },
  {
    name: 'teacher prompt preview',
    summary:
      "Preview a prompt (or saved version) on a sample of labelled validation documents: the teacher's accuracy",
    usage:
      `distillery teacher prompt preview PROJECT_ID [--version ID] ${choiceUsage} [--sample N] [--seed S] [--document ID ...]\n` +
      '  --document previews the documents given instead of a sample; the same --seed samples the same documents.',
    options: {
      ...choiceOptions,
      version: { type: 'string' },
      sample: { type: 'string' },
      seed: { type: 'string' },
      document: { type: 'string', multiple: true },
    },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const projectId = positiveId(positionals[0], 'project', 'distillery projects list');
      const docs = (values.document as string[] | undefined)?.map((d) =>
        positiveId(d, 'document', 'distillery data browse PROJECT_ID'),
      );
      const job = await core.call('teacher.trial', {
        ...choice(projectId, values),
        versionId:
          values.version === undefined
            ? undefined
            : positiveId(values.version, 'prompt version', 'distillery teacher prompt list PROJECT_ID'),
        sample: optionalInt(values.sample, 'sample'),
        sampleSeed: optionalInt(values.seed, 'seed'),
        exampleIds: docs,
      });
      const r = await followJobResult(core, job, io, 'teacher.trial');
      for (const item of r.items) {
        const mark = item.correct === null ? ' ' : item.correct ? '✓' : '✗';
        const text = item.text.length > 60 ? `${item.text.slice(0, 60)}…` : item.text;
        io.print(
          `${mark} ${String(item.exampleId).padStart(6)}  ${(item.predicted ?? item.error ?? '–').padEnd(16)} ` +
            `(people: ${item.gold ?? '–'})  ${text.replace(/\s+/g, ' ')}`,
        );
      }
      io.print(trialLine(r));
      return r;
    },
  },
];
