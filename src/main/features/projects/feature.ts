import type { projectsContract } from '../../../shared/projects';
import type { Feature } from '../../core/feature';
import { createProject, deleteProject, getProject, listProjects, renameProject } from './projects';
import { projectProgress } from './progress';
import { getSettings } from '../app/settings';

export const projectsFeature: Feature<typeof projectsContract> = {
  name: 'projects',
  handlers: {
    'projects.list': (_input, ctx) => listProjects(ctx.db),
    'projects.get': (input, ctx) => getProject(ctx.db, input.projectId),
    'projects.progress': (input, ctx) => projectProgress(ctx.db, input.projectId),
    'projects.create': (input, ctx) => createProject(ctx.db, input, getSettings(ctx.db).annotator),
    'projects.rename': (input, ctx) =>
      renameProject(ctx.db, input.projectId, input.name, getSettings(ctx.db).annotator),
    'projects.delete': (input, ctx) => {
      const r = deleteProject(ctx.db, ctx.paths, input.projectId, input.confirmName, {
        actor: getSettings(ctx.db).annotator,
        keepBackups: input.keepBackups,
      });
      return { deleted: true as const, ...r };
    },
  },
};
