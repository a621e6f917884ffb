import { createReadStream, type WriteStream } from 'node:fs';
import { openOutput } from '../../cli/output';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CliCommand } from '../../cli/types';
import { AppError } from '../../core/errors';
import { getSettings } from '../app/settings';
import { loadStudent } from '../student/predictor';
import { exportStudent, loadExportFolder } from './exportStudent';
import { outputRecord, parseInputLine, predictionOf, type Prediction } from './runtime/student-runtime';
import { requireId } from '../../cli/args';

const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export a trained student as a folder that runs without Distillery (Node, browser)',
  usage: 'distillery export PROJECT_ID [--run RUN_ID] [--out NEW_FOLDER]',
  options: { run: { type: 'string' }, out: { type: 'string' } },
  run: async ({ positionals, values }, io) => {
    const core = await io.core();
    const r = await exportStudent(core.ctx, requireId(positionals[0], 'project'), {
      runId: values.run === undefined ? undefined : requireId(String(values.run), 'run'),
      outDir: values.out === undefined ? undefined : resolve(String(values.out)),
      actor: getSettings(core.db).annotator,
    });
    io.print(`Exported student ${r.runId} to ${r.dir}`);
    io.print(`Try it: node "${r.dir}/predict.mjs" < input.jsonl > output.jsonl`);
    return r;
  },
};

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

const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'Predict JSONL lines ({"text": ...}) with an exported or trained student, streaming',
  usage:
    'distillery predict --model DIR [--input FILE] [--output FILE [--force]] [--batch N] [--on-error continue|stop] [--format jsonl|text]  (default: stdin to stdout)\n' +
    '  Each output line (JSONL): the input\'s id, "label" (multi-label models: "labels", every label at or above its\n' +
    '  threshold with its probability, [] for none of these) and "probabilities" by label.\n' +
    '  --format text writes one readable line per document instead ("line 3 [id]: Label 91.2%, Other 64.0%").',
  options: {
    model: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    batch: { type: 'string' },
    'on-error': { type: 'string' },
    force: { type: 'boolean' },
    format: { type: 'string' },
  },
  run: async ({ values }, io) => {
    if (!values.model) throw AppError.keyed('INVALID_INPUT', 'export.giveExportedModelFolder', {});
    const onError = String(values['on-error'] ?? 'continue');
    if (onError !== 'continue' && onError !== 'stop') {
      throw AppError.keyed('INVALID_INPUT', 'export.errorContinueSkipMalformed', {});
    }
    const format = String(values.format ?? 'jsonl');
    if (format !== 'jsonl' && format !== 'text') {
      throw AppError.keyed('INVALID_INPUT', 'export.formatJsonlOneJson', {});
    }
    const batchSize = values.batch === undefined ? 256 : Number(values.batch);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
      throw AppError.keyed('INVALID_INPUT', 'export.batchWholeNumberBetween', {});
    }
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
};

/** `distillery export|predict`. */
export const exportCommands: CliCommand[] = [exportCommand, predictCommand];
