import type { projectsContract } from '../../../shared/projects';
import type { Feature } from '../../core/feature';
import { createProject, deleteProject, getProject, listProjects, renameProject } from './projects';
import { projectProgress } from './progress';
import { getSettings } from '../app/settings';
import { currentActor } from '../../core/actor';
import { memberProjects } from '../team/assign';

export const projectsFeature: Feature<typeof projectsContract> = {
  name: 'projects',
  handlers: {
    'projects.list': (_input, ctx) => {
      // An annotator in team mode sees the projects they were given documents of.
      const actor = currentActor();
      if (actor?.role !== 'annotator') return listProjects(ctx.db);
      const mine = memberProjects(ctx.db, actor.username);
      return listProjects(ctx.db).filter((p) => mine.has(p.id));
    },
    'projects.get': (input, ctx) => getProject(ctx.db, input.projectId),
    'projects.progress': (input, ctx) => projectProgress(ctx.db, input.projectId),
    // Every window and browser tab lists projects: one created, renamed or deleted elsewhere (the CLI, another tab,
    // a team member) appears without a reload.
    'projects.create': (input, ctx) => {
      const p = createProject(ctx.db, input, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: p.id, what: 'project' });
      return p;
    },
    'projects.rename': (input, ctx) => {
      const p = renameProject(ctx.db, input.projectId, input.name, getSettings(ctx.db).annotator);
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'project' });
      return p;
    },
    'projects.delete': (input, ctx) => {
      const r = deleteProject(ctx.db, ctx.paths, input.projectId, input.confirmName, {
        actor: getSettings(ctx.db).annotator,
        keepBackups: input.keepBackups,
      });
      ctx.events.emit('project.changed', { projectId: input.projectId, what: 'project' });
      return { deleted: true as const, ...r };
    },
  },
};
