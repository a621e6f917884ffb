import { resolve } from 'node:path';
import { contract } from '../../../shared/contract';
import { defineCommand, PROJECT_ID } from '../../cli/command';
import { followJob, followJobResult } from '../../cli/jobs';
import { printList } from '../../cli/output';
import { schemaOptions } from '../../cli/schemaOptions';
import type { CliCommand } from '../../cli/types';
import type { Core } from '../../core/core';
import { AppError } from '../../core/errors';
import { projectKind } from '../../core/labels';
import {
  checkLines,
  endpointCheckLines,
  gb,
  labelCalibrationLines,
  labelCheckLines,
  modelLine,
  planText,
  rateLine,
  runLine,
  VERDICT_TEXT,
} from './cliText';
import {
  choiceFields,
  endpointOption,
  endpointOptions,
  endpointsOf,
  RUN_ID,
  scopeFields,
} from './cliOptions';
export { promptCommands } from './promptCli';

/** Whether a run belongs to a multi-label project (an unknown run is left to the channel to report). */
function isMultiLabelRun(core: Core, runId: number): boolean {
  const row = core.db.prepare('SELECT project_id FROM teacher_runs WHERE id = ?').get(runId) as
    { project_id: number } | undefined;
  return row !== undefined && projectKind(core.db, row.project_id) === 'multi';
}

const importModel = schemaOptions(contract['teacher.importModel'].input, {
  name: { value: 'NAME', help: 'A name for the model (default: the file name)' },
});
const hardware = schemaOptions(contract['teacher.hardware'].input, {
  modelId: { flag: 'model', value: 'ID', help: 'Also tell whether and how this model fits' },
});
const preview = schemaOptions(contract['teacher.preview'].input, {
  ...choiceFields,
  count: { help: "How many of the project's documents to label" },
  texts: { flag: 'text', help: 'Label this text instead (repeat it for more)' },
});
const plan = schemaOptions(contract['teacher.plan'].input, { ...choiceFields, ...scopeFields });
const run = schemaOptions(contract['teacher.run'].input, {
  ...choiceFields,
  ...scopeFields,
  limit: { help: 'Label at most this many documents in this run' },
  promptVersionId: {
    flag: 'prompt-version',
    value: 'ID',
    help: 'Run a saved prompt version (its template, task, mode and few-shot count)',
  },
});

/** `distillery teacher ...` commands. */
export const teacherCommands: CliCommand[] = [
  defineCommand({
    name: 'teacher models',
    summary: 'List the imported teacher models (and the recommended ones with --recommended)',
    options: { recommended: { type: 'boolean', help: 'List the recommended models instead' } },
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
      return printList(
        io,
        models,
        modelLine,
        'No models yet. Import a .gguf with "distillery teacher import FILE".',
      );
    },
  }),
  defineCommand({
    name: 'teacher import',
    summary: 'Copy a .gguf model into the model folder (SHA-256 computed, header checked)',
    args: [{ name: 'FILE' }],
    from: importModel,
    run: async ({ positionals, given }, io) => {
      if (!positionals[0]) throw AppError.keyed('INVALID_INPUT', 'teacher.givePathGgufFile', {});
      const core = await io.core();
      const job = await core.call('teacher.importModel', { ...given, path: resolve(positionals[0]) });
      const model = await followJobResult(core, job, io, 'teacher.import');
      io.print(`Imported: ${modelLine(model)}`);
      return model;
    },
  }),
  defineCommand({
    name: 'teacher remove',
    summary: 'Remove a model from the library (runs keep their labels)',
    args: [{ name: 'MODEL_ID', id: { what: 'model', hint: 'distillery teacher models' } }],
    run: async ({ id }, io) => {
      const core = await io.core();
      const r = await core.call('teacher.removeModel', { modelId: id(0) });
      io.print('Removed.');
      return r;
    },
  }),
  defineCommand({
    name: 'teacher hardware',
    summary: 'Show the detected GPU/CPU and whether a model fits',
    from: hardware,
    run: async ({ given }, io) => {
      const core = await io.core();
      const hw = await core.call('teacher.hardware', given);
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
  }),
  defineCommand({
    name: 'teacher preview',
    summary: "Show the teacher's label distribution for a few examples",
    args: [PROJECT_ID],
    from: preview,
    also: [endpointOptions],
    options: endpointOption,
    run: async ({ id, values, given }, io) => {
      const core = await io.core();
      const items = await core.call('teacher.preview', {
        ...given,
        projectId: id(0),
        endpoints: endpointsOf(values),
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
  }),
  defineCommand({
    name: 'teacher plan',
    summary: 'Tell what a run would label and cost (documents, tokens, minutes) before starting it',
    args: [PROJECT_ID],
    from: plan,
    also: [endpointOptions],
    options: {
      ...endpointOption,
      time: { type: 'boolean', help: "Label a few documents first to measure this computer's speed" },
    },
    run: async ({ id, values, given }, io) => {
      const core = await io.core();
      const request = { ...given, projectId: id(0), endpoints: endpointsOf(values) };
      if (values.time) {
        const timing = await core.call('teacher.time', request);
        io.note(`Timed ${timing.documents} documents: ${Math.round(timing.msPerDocument)} ms each.`);
      }
      const p = await core.call('teacher.plan', request);
      io.print(planText(p));
      return p;
    },
  }),
  defineCommand({
    name: 'teacher run',
    summary: 'Label the examples with the teacher as a resumable job',
    args: [PROJECT_ID],
    from: run,
    also: [endpointOptions],
    options: endpointOption,
    run: async ({ id, values, given }, io) => {
      const core = await io.core();
      const projectId = id(0);
      const { limit, ...request } = { ...given, projectId, endpoints: endpointsOf(values) };
      io.note(`Plan: ${planText(await core.call('teacher.plan', request))}`);
      const { run: started, job } = await core.call('teacher.run', { ...request, limit });
      io.note(`Teacher run ${started.id} over ${started.targetCount} examples (job ${job.id}).`);
      // Remote endpoints: their live rates every few seconds.
      const timer =
        started.settings.endpoints.length && !io.json
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
      const final = runs.find((r) => r.id === started.id) ?? started;
      io.print(runLine(final));
      for (const r of started.settings.endpoints.length ? await core.call('teacher.endpointRates', {}) : []) {
        io.print(`  ${rateLine(r)}`);
      }
      return final;
    },
  }),
  defineCommand({
    name: 'teacher check-endpoint',
    summary: 'Probe a remote teacher (vLLM, llama.cpp server) and run its self-check; refused ones say why',
    args: [{ name: 'URL' }],
    from: endpointOptions,
    run: async ({ positionals, given }, io) => {
      const url = positionals[0];
      if (!url) throw AppError.keyed('INVALID_INPUT', 'teacher.giveEndpointAddressE', {});
      const core = await io.core();
      const check = await core.call('teacher.checkEndpoint', { ...given, url });
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
  }),
  defineCommand({
    name: 'teacher status',
    summary: "Show a project's teacher runs and their calibration",
    args: [PROJECT_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const runs = await core.call('teacher.runs', { projectId: id(0) });
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
  }),
  defineCommand({
    name: 'teacher check',
    summary:
      "Check a teacher run against people's labels on the validation split (accuracy, macro-F1, kappa, verdict)",
    args: [RUN_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const runId = id(0);
      if (isMultiLabelRun(core, runId)) {
        const check = await core.call('teacher.labelCheck', { runId });
        for (const line of labelCheckLines(check)) io.print(line);
        return check;
      }
      const check = await core.call('teacher.check', { runId });
      for (const line of checkLines(check)) io.print(line);
      return check;
    },
  }),
  defineCommand({
    name: 'teacher import-run',
    summary:
      'Import teacher outputs made elsewhere (JSONL of {"id" or "text", "probs" or "logprobs"}) as a run',
    args: [PROJECT_ID, { name: 'FILE.jsonl' }],
    run: async ({ positionals, id }, io) => {
      const projectId = id(0);
      if (!positionals[1]) throw AppError.keyed('INVALID_INPUT', 'teacher.givePathJsonlFile', {});
      const core = await io.core();
      const r = await core.call('teacher.importRun', { projectId, path: resolve(positionals[1]) });
      io.print(`Imported ${r.imported} teacher outputs as ${runLine(r.run)}`);
      return r;
    },
  }),
  defineCommand({
    name: 'teacher calibrate',
    summary:
      "Fit a run's calibration on human-labelled validation examples (a temperature; per label for multi-label runs)",
    args: [RUN_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const runId = id(0);
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
  }),
];
