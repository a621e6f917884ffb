import type { Job } from '../../shared/jobs';
import type { Project } from '../../shared/projects';
import { followJob } from './jobs';
import { printList } from './output';
import { defineCommand, PROJECT_ID, type ArgSpec } from './command';
import type { CliCommand } from './types';

const JOB_ID: ArgSpec = { name: 'JOB_ID', id: { what: 'job', hint: 'distillery jobs list' } };

function projectLine(p: Project): string {
  return `${String(p.id).padStart(4)}  ${p.name}  (${p.exampleCount} examples, ${p.labelCount} labels)`;
}

export const projectCommands: CliCommand[] = [
  defineCommand({
    name: 'projects list',
    summary: 'List the projects',
    run: async (_args, io) => {
      const core = await io.core();
      const projects = await core.call('projects.list', {});
      return printList(
        io,
        projects,
        projectLine,
        'No projects yet. Create one with "distillery projects create NAME".',
      );
    },
  }),
  defineCommand({
    name: 'projects create',
    summary: 'Create a project',
    args: [{ name: 'NAME', rest: true }],
    options: {
      description: { type: 'string', help: 'What the project is for' },
      'multi-label': { type: 'boolean', help: 'Each document takes a set of labels (none, one or several)' },
    },
    run: async ({ positionals, values }, io) => {
      const name = positionals.join(' ');
      const core = await io.core();
      const p = await core.call('projects.create', {
        name,
        description: values.description as string | undefined,
        kind: values['multi-label'] ? 'multi' : 'single',
      });
      io.print(`Created ${p.kind === 'multi' ? 'multi-label ' : ''}project ${p.id}: ${p.name}`);
      return p;
    },
  }),
  defineCommand({
    name: 'projects rename',
    summary: 'Rename a project',
    args: [PROJECT_ID, { name: 'NEW_NAME', rest: true }],
    run: async ({ positionals, id }, io) => {
      const core = await io.core();
      const p = await core.call('projects.rename', {
        projectId: id(0),
        name: positionals.slice(1).join(' '),
      });
      io.print(`Renamed project ${p.id} to ${p.name}`);
      return p;
    },
  }),
  defineCommand({
    name: 'projects delete',
    summary: 'Delete a project and all its data, its files and its backups (asks for its name)',
    args: [PROJECT_ID],
    options: {
      confirm: { type: 'string', value: '"PROJECT NAME"', help: "The project's name, to confirm" },
      'keep-backups': { type: 'boolean', help: "Keep the project's backups" },
    },
    run: async ({ id, values }, io) => {
      const core = await io.core();
      const r = await core.call('projects.delete', {
        projectId: id(0),
        confirmName: String(values.confirm ?? ''),
        keepBackups: Boolean(values['keep-backups']),
      });
      io.print(
        `Deleted, with ${r.removedFiles} files and folders of the data folder (run folders, uploads, exports, backups).`,
      );
      for (const b of r.keptBackups) io.print(`Kept backup: ${b}`);
      return r;
    },
  }),
];

export const jobCommands: CliCommand[] = [
  defineCommand({
    name: 'jobs list',
    summary: 'List jobs (running, interrupted, finished)',
    options: { active: { type: 'boolean', help: 'Only the running and interrupted jobs' } },
    run: async ({ values }, io) => {
      const core = await io.core();
      const jobs = await core.call('jobs.list', { activeOnly: Boolean(values.active) });
      for (const j of jobs)
        io.print(
          `${String(j.id).padStart(4)}  ${j.state.padEnd(11)} ${j.title}  ${j.progress.done}/${j.progress.total}`,
        );
      return jobs;
    },
  }),
  defineCommand({
    name: 'jobs resume',
    summary: 'Resume an interrupted or failed job and follow it to the end',
    args: [JOB_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const job: Job = await core.call('jobs.resume', { jobId: id(0) });
      return followJob(core, job, io);
    },
  }),
  defineCommand({
    name: 'jobs cancel',
    summary: 'Cancel a job',
    args: [JOB_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      return core.call('jobs.cancel', { jobId: id(0) });
    },
  }),
];
