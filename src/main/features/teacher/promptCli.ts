import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { contract } from '../../../shared/contract';
import { DEFAULT_PROMPT_TEMPLATE } from '../../../shared/teacher';
import { defineCommand, PROJECT_ID } from '../../cli/command';
import { followJobResult } from '../../cli/jobs';
import { printList } from '../../cli/output';
import { schemaOptions } from '../../cli/schemaOptions';
import type { CliCommand } from '../../cli/types';
import { AppError } from '../../core/errors';
import { choiceFields, endpointOption, endpointOptions, endpointsOf, VERSION_ID } from './cliOptions';
import { diffLines, trialLine, versionLine } from './cliText';

const document = { flag: 'document', value: 'ID' } as const;

const show = schemaOptions(contract['teacher.promptText'].input, {
  ...choiceFields,
  exampleId: { ...document, help: 'Show the exact text the teacher reads for this document' },
});
const save = schemaOptions(contract['teacher.savePromptVersion'].input, {
  name: { value: 'NAME', help: 'The name of the new version' },
  template: choiceFields.template,
  task: {
    help: "The task description ({{task}} in the template); it becomes the project's (default: the project's)",
  },
  mode: choiceFields.mode,
  fewShot: choiceFields.fewShot,
});
const trial = schemaOptions(contract['teacher.trial'].input, {
  ...choiceFields,
  versionId: { flag: 'version', value: 'ID', help: 'Preview this saved version (default: the prompt given)' },
  sample: { help: 'How many labelled validation documents to sample' },
  sampleSeed: { flag: 'seed', help: 'Seed of the sample (the same seed samples the same documents)' },
  exampleIds: { ...document, help: 'Preview this document instead of a sample (repeat it for more)' },
});

/** `distillery teacher prompt ...`: the prompt lab. */
export const promptCommands: CliCommand[] = [
  defineCommand({
    name: 'teacher prompt list',
    summary: "List a project's saved prompt versions (who saved each, what changed)",
    args: [PROJECT_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const versions = await core.call('teacher.promptVersions', { projectId: id(0) });
      return printList(
        io,
        versions,
        versionLine,
        'No prompt versions yet. Save one with "distillery teacher prompt save".',
      );
    },
  }),
  defineCommand({
    name: 'teacher prompt show',
    summary: 'Show a prompt version; with --document, the exact text the teacher reads for that document',
    args: [VERSION_ID],
    from: show,
    also: [endpointOptions],
    options: endpointOption,
    run: async ({ id, values, given }, io) => {
      const core = await io.core();
      const versionId = id(0);
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
      if (given.exampleId === undefined) {
        io.print(`mode ${version.mode}, ${version.fewShot} few-shot example(s)`);
        io.print(`task: ${version.task || '(none: the project name is used)'}`);
        io.print('template:');
        io.print(version.template);
        return version;
      }
      const text = await core.call('teacher.promptText', {
        ...given,
        exampleId: given.exampleId,
        projectId,
        versionId,
        endpoints: endpointsOf(values),
      });
      io.print(
        text.modelText === null
          ? '(a remote server applies its own chat template to this user turn)'
          : `${text.tokens} tokens:`,
      );
      io.print(text.modelText ?? text.userTurn);
      return { version, text };
    },
  }),
  defineCommand({
    name: 'teacher prompt save',
    summary: 'Save a prompt as a new named version (template, task description, mode, few-shot count)',
    args: [PROJECT_ID],
    from: save,
    options: {
      'task-file': { type: 'string', value: 'FILE', help: 'The task description, read from this file' },
    },
    run: async ({ id, values, given }, io) => {
      const core = await io.core();
      const projectId = id(0);
      if (given.name === undefined) throw AppError.keyed('INVALID_INPUT', 'teacher.giveVersionNameName', {});
      const file = values['task-file'];
      const task = file === undefined ? given.task : readFileSync(resolve(String(file)), 'utf8');
      if (task !== undefined) await core.call('teacher.setTask', { projectId, task });
      const current =
        (
          core.db.prepare('SELECT task_description FROM projects WHERE id = ?').get(projectId) as
            { task_description: string } | undefined
        )?.task_description ?? '';
      const version = await core.call('teacher.savePromptVersion', {
        ...given,
        projectId,
        name: given.name,
        template: given.template ?? DEFAULT_PROMPT_TEMPLATE,
        task: task ?? current,
      });
      io.print(`Saved ${versionLine(version)}`);
      return version;
    },
  }),
  defineCommand({
    name: 'teacher prompt diff',
    summary: 'Show the line differences between two prompt versions',
    args: [VERSION_ID, VERSION_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const d = await core.call('teacher.promptDiff', { fromId: id(0), toId: id(1) });
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
  }),
  defineCommand({
    name: 'teacher prompt preview',
    summary:
      "Preview a prompt (or saved version) on a sample of labelled validation documents: the teacher's accuracy",
    args: [PROJECT_ID],
    from: trial,
    also: [endpointOptions],
    options: endpointOption,
    run: async ({ id, values, given }, io) => {
      const core = await io.core();
      const job = await core.call('teacher.trial', {
        ...given,
        projectId: id(0),
        endpoints: endpointsOf(values),
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
  }),
];
