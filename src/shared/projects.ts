import { z } from 'zod';
import { channel } from './channel';

export const PROJECT_KINDS = ['single', 'multi'] as const;
export type ProjectKind = (typeof PROJECT_KINDS)[number];

export const Project = z
  .object({
    id: z.number(),
    name: z.string(),
    description: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    exampleCount: z.number(),
    labelCount: z.number(),
    isDemo: z.boolean(),
    /** single: one label per document; multi: any set of labels (none is "none of these"). Chosen at creation. */
    kind: z.enum(PROJECT_KINDS),
  })
  .readonly();
export type Project = z.output<typeof Project>;

export const WIZARD_STEPS = ['data', 'teacher', 'review', 'train', 'evaluate', 'export'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** Whether each wizard step is done, judged by the project's contents (see `projectProgress`). */
export const ProjectProgress = z.record(z.enum(WIZARD_STEPS), z.boolean()).readonly();
export type ProjectProgress = z.output<typeof ProjectProgress>;

const name = z
  .string()
  .trim()
  .min(1, 'A project needs a name.')
  .max(200, 'A project name can be at most 200 characters.');
const ProjectId = z.object({ projectId: z.number().int().positive() });

export const ProjectDeleted = z
  .object({
    deleted: z.literal(true),
    /** Files and folders removed from the data folder (run folders, uploads, exports, backups). */
    removedFiles: z.number(),
    /** Backups of the project that were kept (keepBackups), as paths. */
    keptBackups: z.array(z.string()).readonly(),
  })
  .readonly();
export type ProjectDeleted = z.output<typeof ProjectDeleted>;

export const projectsContract = {
  'projects.list': channel(z.array(Project).readonly())(z.object({})),
  'projects.get': channel(Project)(ProjectId),
  /** Which wizard steps are done by what the project holds (the stepper's check marks). */
  'projects.progress': channel(ProjectProgress)(ProjectId),
  'projects.create': channel(Project)(
    z.object({
      name,
      description: z.string().max(2000).optional(),
      /** Single-label (the default) or multi-label; it cannot change later. */
      kind: z.enum(PROJECT_KINDS).default('single'),
    }),
  ),
  'projects.rename': channel(Project)(ProjectId.extend({ name })),
  /** Deletes the project's rows and every file of the data folder it owns; `keepBackups` spares its backups. */
  'projects.delete': channel(ProjectDeleted)(
    ProjectId.extend({ confirmName: z.string(), keepBackups: z.boolean().default(false) }),
  ),
} as const;
