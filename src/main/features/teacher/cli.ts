import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Request } from '../../../shared/contract';
import type { TeacherModel, TeacherRun } from '../../../shared/teacher';
import { followJob, followJobResult } from '../../cli/jobs';
import type { CliCommand } from '../../cli/types';
import { AppError } from '../../core/errors';

function positiveId(value: unknown, what: string, hint: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new AppError('INVALID_INPUT', `Give the ${what} id as a positive whole number (see "${hint}").`);
  }
  return n;
}

function optionalInt(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new AppError('INVALID_INPUT', `--${what} must be a whole number.`);
  return n;
}

const SPLITS = ['train', 'validation', 'test', 'none'] as const;
type SplitName = (typeof SPLITS)[number];

function splits(value: unknown): SplitName[] | undefined {
  if (value === undefined) return undefined;
  return (value as string[]).map((v) => {
    if (!(SPLITS as readonly string[]).includes(v)) {
      throw new AppError('INVALID_INPUT', `--split is one of ${SPLITS.join(', ')}; "${v}" is not.`);
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
  template: { type: 'string' },
  mode: { type: 'string' },
  'few-shot': { type: 'string' },
  'reasoning-budget': { type: 'string' },
  threads: { type: 'string' },
  sequences: { type: 'string' },
  'context-size': { type: 'string' },
} as const;

const choiceUsage =
  '[--model ID | --endpoint URL ... [--endpoint-model NAME] [--concurrency N]] [--mode direct|reasoning] ' +
  '[--template FILE] [--few-shot N] [--reasoning-budget N] [--threads N] [--sequences N] [--context-size N]';

function choice(projectId: number, values: Record<string, unknown>): Request<'teacher.preview'> {
  const raw = values.mode === undefined ? undefined : String(values.mode);
  if (raw !== undefined && raw !== 'direct' && raw !== 'reasoning') {
    throw new AppError('INVALID_INPUT', '--mode is "direct" or "reasoning".');
  }
  const mode: 'direct' | 'reasoning' | undefined = raw;
  const urls = (values.endpoint as string[] | undefined) ?? [];
  const concurrency = optionalInt(values.concurrency, 'concurrency') ?? 4;
  return {
    projectId,
    modelId:
      values.model === undefined ? undefined : positiveId(values.model, 'model', 'distillery teacher models'),
    endpoints: urls.map((url) => ({ url, model: String(values['endpoint-model'] ?? ''), concurrency })),
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

function modelLine(m: TeacherModel): string {
  const meta = m.metadata;
  return (
    `${String(m.id).padStart(4)}  ${m.name}  ${meta.architecture} ${(meta.parameterCount / 1e6).toFixed(1)}M params ` +
    `${meta.quantization}  ctx ${meta.contextLength ?? '?'}  ${gb(m.sizeBytes)}  sha256 ${m.sha256.slice(0, 16)}…`
  );
}

function runLine(r: TeacherRun): string {
  const t = r.calibrationTemperature === null ? '' : `  T=${r.calibrationTemperature.toFixed(2)}`;
  return (
    `run ${r.id}: ${r.modelName ?? r.modelSha256.slice(0, 16)} ${r.mode}  ${r.outputCount}/${r.targetCount} labelled` +
    `${r.failedCount ? `, ${r.failedCount} failed` : ''}${t}  (${r.createdAt})`
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
      if (!positionals[0]) throw new AppError('INVALID_INPUT', 'Give the path of the .gguf file to import.');
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
        if (!item.distribution) io.print(`  ${item.error}`);
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
    name: 'teacher run',
    summary: 'Label the examples with the teacher as a resumable job',
    usage: `distillery teacher run PROJECT_ID ${choiceUsage} [--split train|validation|test|none ...] [--limit N]`,
    options: { ...choiceOptions, split: { type: 'string', multiple: true }, limit: { type: 'string' } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const projectId = positiveId(positionals[0], 'project', 'distillery projects list');
      const { run, job } = await core.call('teacher.run', {
        ...choice(projectId, values),
        splits: splits(values.split),
        limit: optionalInt(values.limit, 'limit'),
      });
      io.note(`Teacher run ${run.id} over ${run.targetCount} examples (job ${job.id}).`);
      await followJob(core, job, io);
      const runs = await core.call('teacher.runs', { projectId });
      const final = runs.find((r) => r.id === run.id) ?? run;
      io.print(runLine(final));
      return final;
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
        if (r.calibration) {
          io.print(
            `  calibration on ${r.calibration.examples} validation examples: ECE ${r.calibration.before.ece.toFixed(3)} -> ${r.calibration.after.ece.toFixed(3)}`,
          );
        }
      }
      return runs;
    },
  },
  {
    name: 'teacher calibrate',
    summary: "Fit a run's temperature on human-labelled validation examples",
    usage: 'distillery teacher calibrate RUN_ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const report = await core.call('teacher.calibrate', {
        runId: positiveId(positionals[0], 'run', 'distillery teacher status PROJECT_ID'),
      });
      io.print(
        `T = ${report.temperature.toFixed(3)} on ${report.examples} examples; ECE ${report.before.ece.toFixed(3)} -> ${report.after.ece.toFixed(3)}, ` +
          `NLL ${report.before.nll.toFixed(3)} -> ${report.after.nll.toFixed(3)}`,
      );
      return report;
    },
  },
];
