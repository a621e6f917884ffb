import type { Job } from '../../shared/jobs';
import type { Project } from '../../shared/projects';
import { followJob } from './jobs';
import type { CliCommand } from './types';
import { requireId } from './args';

function projectLine(p: Project): string {
  return `${String(p.id).padStart(4)}  ${p.name}  (${p.exampleCount} examples, ${p.labelCount} labels)`;
}

export const projectCommands: CliCommand[] = [
  {
    name: 'projects list',
    summary: 'List the projects',
    usage: 'distillery projects list',
    run: async (_args, io) => {
      const core = await io.core();
      const projects = await core.call('projects.list', {});
      if (projects.length === 0)
        io.print('No projects yet. Create one with "distillery projects create NAME".');
      for (const p of projects) io.print(projectLine(p));
      return projects;
    },
  },
  {
    name: 'projects create',
    summary: 'Create a project',
    usage: 'distillery projects create NAME [--description TEXT] [--multi-label]',
    options: { description: { type: 'string' }, 'multi-label': { type: 'boolean' } },
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
  },
  {
    name: 'projects rename',
    summary: 'Rename a project',
    usage: 'distillery projects rename ID NEW_NAME',
    run: async ({ positionals }, io) => {
      const [id, ...rest] = positionals;
      const core = await io.core();
      const p = await core.call('projects.rename', {
        projectId: requireId(id, 'project'),
        name: rest.join(' '),
      });
      io.print(`Renamed project ${p.id} to ${p.name}`);
      return p;
    },
  },
  {
    name: 'projects delete',
    summary: 'Delete a project and all its data, its files and its backups (asks for its name)',
    usage: 'distillery projects delete ID --confirm "PROJECT NAME" [--keep-backups]',
    options: { confirm: { type: 'string' }, 'keep-backups': { type: 'boolean' } },
    run: async ({ positionals, values }, io) => {
      const core = await io.core();
      const r = await core.call('projects.delete', {
        projectId: requireId(positionals[0], 'project'),
        confirmName: String(values.confirm ?? ''),
        keepBackups: Boolean(values['keep-backups']),
      });
      io.print(
        `Deleted, with ${r.removedFiles} files and folders of the data folder (run folders, uploads, exports, backups).`,
      );
      for (const b of r.keptBackups) io.print(`Kept backup: ${b}`);
      return r;
    },
  },
];

export const jobCommands: CliCommand[] = [
  {
    name: 'jobs list',
    summary: 'List jobs (running, interrupted, finished)',
    usage: 'distillery jobs list [--active]',
    options: { active: { type: 'boolean' } },
    run: async ({ values }, io) => {
      const core = await io.core();
      const jobs = await core.call('jobs.list', { activeOnly: Boolean(values.active) });
      for (const j of jobs)
        io.print(
          `${String(j.id).padStart(4)}  ${j.state.padEnd(11)} ${j.title}  ${j.progress.done}/${j.progress.total}`,
        );
      return jobs;
    },
  },
  {
    name: 'jobs resume',
    summary: 'Resume an interrupted or failed job and follow it to the end',
    usage: 'distillery jobs resume ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const job: Job = await core.call('jobs.resume', { jobId: requireId(positionals[0], 'job') });
      return followJob(core, job, io);
    },
  },
  {
    name: 'jobs cancel',
    summary: 'Cancel a job',
    usage: 'distillery jobs cancel ID',
    run: async ({ positionals }, io) => {
      const core = await io.core();
      return core.call('jobs.cancel', { jobId: requireId(positionals[0], 'job') });
    },
  },
];
