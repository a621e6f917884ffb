import { createReadStream, type WriteStream } from 'node:fs';
import { openOutput } from '../../cli/output';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { defineCommand, idOption, PROJECT_ID } from '../../cli/command';
import { schemaOptions } from '../../cli/schemaOptions';
import type { CliCommand } from '../../cli/types';
import { AppError } from '../../core/errors';
import { getSettings } from '../app/settings';
import { loadStudent } from '../student/predictor';
import { exportStudent, loadExportFolder } from './exportStudent';
import { outputRecord, parseInputLine, predictionOf, type Prediction } from './runtime/student-runtime';

const exportCommand = defineCommand({
  name: 'export',
  summary: 'Export a trained student as a folder that runs without Distillery (Node, browser)',
  args: [PROJECT_ID],
  options: {
    run: {
      type: 'string',
      value: 'RUN_ID',
      help: 'The training run to export (default: the newest trained one)',
    },
    out: {
      type: 'string',
      value: 'NEW_FOLDER',
      help: 'Write the folder there (default: the exports folder)',
    },
  },
  run: async ({ id, values }, io) => {
    const runId = idOption(values, 'run', 'run');
    const core = await io.core();
    const r = await exportStudent(core.ctx, id(0), {
      runId,
      outDir: values.out === undefined ? undefined : resolve(String(values.out)),
      actor: getSettings(core.db).annotator,
    });
    io.print(`Exported student ${r.runId} to ${r.dir}`);
    io.print(`Try it: node "${r.dir}/predict.mjs" < input.jsonl > output.jsonl`);
    return r;
  },
});

export interface PredictSummary {
  readonly predicted: number;
  /** Documents per decided label (multi-label: each label of a document's set counts once). */
  readonly labelCounts: Readonly<Record<string, number>>;
  /** Multi-label models: documents with no label at or above its threshold ("none of these"); null otherwise. */
  readonly noneOfThese: number | null;
  readonly malformed: ReadonlyArray<{ readonly line: number; readonly error: string }>;
  readonly output: string | null;
}

const percent = (p: number): string => `${(100 * p).toFixed(1)}%`;

/**
 * One document's prediction as a person reads it: its line and id, then the decided label with its probability
 * (multi-label: every label at or above its threshold, most probable first, or "none of these").
 */
export function textLine(
  labels: readonly string[],
  prediction: Prediction,
  input: { readonly line: number; readonly record: Readonly<Record<string, unknown>> | null },
): string {
  const id = input.record && 'id' in input.record ? ` [${String(input.record.id)}]` : '';
  const decided = prediction.labelSet
    ? prediction.labelSet.length
      ? prediction.labelSet.map((l) => `${l.label} ${percent(l.probability)}`).join(', ')
      : 'none of these'
    : `${prediction.label} ${percent(prediction.probs[labels.indexOf(prediction.label)] ?? 0)}`;
  return `line ${input.line}${id}: ${decided}`;
}

/** `distillery predict`'s settings: read in this process (the model runs here, not in the core). */
const PredictSettings = z.object({
  batch: z.number().int().min(1).max(100_000).default(256).describe('Documents predicted at once'),
  onError: z
    .enum(['continue', 'stop'])
    .default('continue')
    .describe('A malformed line: skip it (reported) or stop there'),
  format: z
    .enum(['jsonl', 'text'])
    .default('jsonl')
    .describe('Output: one JSON object per line, or one readable line per document'),
});
const predictOptions = schemaOptions(PredictSettings, { batch: {}, onError: {}, format: {} });

const predictCommand = defineCommand({
  name: 'predict',
  summary: 'Predict JSONL lines ({"text": ...}) with an exported or trained student, streaming',
  from: predictOptions,
  options: {
    model: { type: 'string', value: 'DIR', help: 'The exported folder (or a run folder) of the student' },
    input: { type: 'string', value: 'FILE', help: 'Read the lines from FILE (default: standard input)' },
    output: {
      type: 'string',
      value: 'FILE',
      help: 'Write the predictions to FILE (default: standard output)',
    },
    force: { type: 'boolean', help: 'Replace the output FILE when it exists' },
  },
  notes: [
    'Each output line (JSONL): the input\'s id, "label" (multi-label models: "labels", every label at or above its',
    'threshold with its probability, [] for none of these) and "probabilities" by label.',
    '--format text writes one readable line per document instead ("line 3 [id]: Label 91.2%, Other 64.0%").',
  ],
  run: async ({ values, given }, io) => {
    if (!values.model) throw AppError.keyed('INVALID_INPUT', 'export.giveExportedModelFolder', {});
    const { batch: batchSize, onError, format } = PredictSettings.parse(given);
    const { deployment, modelDir } = loadExportFolder(resolve(String(values.model)));
    const predictor = await loadStudent(modelDir);
    const labels = predictor.labels;
    const threshold = deployment?.threshold ?? null;
    const thresholds =
      predictor.kind === 'multi'
        ? deployment?.labelThresholds?.length === labels.length
          ? deployment.labelThresholds
          : predictor.thresholds
        : null;
    const input = values.input ? createReadStream(resolve(String(values.input))) : process.stdin;
    const output: WriteStream | NodeJS.WriteStream = values.output
      ? await openOutput(resolve(String(values.output)), Boolean(values.force))
      : process.stdout;
    const write = async (text: string): Promise<void> => {
      if (!output.write(text)) await new Promise<void>((r) => output.once('drain', () => r()));
    };
    const malformed: Array<{ line: number; error: string }> = [];
    let predicted = 0;
    const labelCounts: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
    let noneOfThese = 0;
    let batch: Array<{ line: number; text: string; record: Readonly<Record<string, unknown>> | null }> = [];
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      const probs = await predictor.predict(batch.map((b) => b.text));
      const lines = batch.map((b, i) => {
        const prediction = predictionOf(probs[i], { labels, thresholds, threshold });
        const decided = prediction.labelSet?.map((l) => l.label) ?? [prediction.label];
        for (const l of decided) labelCounts[l] = (labelCounts[l] ?? 0) + 1;
        if (!decided.length) noneOfThese++;
        return format === 'text'
          ? textLine(labels, prediction, b)
          : JSON.stringify(outputRecord(labels, prediction, b));
      });
      await write(lines.join('\n') + '\n');
      predicted += batch.length;
      batch = [];
    };
    let lineNo = 0;
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        lineNo++;
        if (!line.trim()) continue;
        const parsed = parseInputLine(line);
        if (!parsed.ok) {
          malformed.push({ line: lineNo, error: parsed.error });
          io.note(`line ${lineNo}: ${parsed.error}`);
          if (onError === 'stop') {
            await flush();
            throw AppError.keyed(
              'BAD_FILE',
              'export.lineMalformedStoppedAsked',
              { lineNo, error: parsed.error, predicted },
              { line: lineNo, predicted },
            );
          }
          continue;
        }
        batch.push({ line: lineNo, text: parsed.text, record: parsed.record });
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    } finally {
      predictor.dispose();
      if (output !== process.stdout) await new Promise<void>((r) => (output as WriteStream).end(() => r()));
    }
    io.note(`${predicted} predicted, ${malformed.length} malformed line(s).`);
    const summary: PredictSummary = {
      predicted,
      labelCounts,
      noneOfThese: thresholds ? noneOfThese : null,
      malformed,
      output: values.output ? resolve(String(values.output)) : null,
    };
    // Predictions are on stdout; a JSON summary would mix with them.
    return values.output ? summary : undefined;
  },
});

/** `distillery export|predict`. */
export const exportCommands: CliCommand[] = [exportCommand, predictCommand];
