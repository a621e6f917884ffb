import { z } from 'zod';
import { channel } from './channel';
import { LabelSetSchema } from './review';

/**
 * Team mode (`distillery serve --team`): accounts with one role each.
 * - admin: accounts, projects, models, deleting (and everything a lead may do);
 * - lead: teacher runs, training, evaluation, export, the gold set, assignment and adjudication;
 * - annotator: the Review step of the projects they are assigned to.
 */
export const ROLES = ['annotator', 'lead', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may do what `needed` may (admin ⊇ lead ⊇ annotator). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export const MIN_PASSWORD_LENGTH = 10;

export const UsernameSchema = z
  .string()
  .trim()
  .min(2, 'A username needs at least 2 characters.')
  .max(64, 'A username can be at most 64 characters.')
  .regex(/^[\p{L}\p{N}._@-]+$/u, 'A username can hold letters, digits, ".", "_", "@" and "-" (no spaces).');
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(1024, 'A password can be at most 1024 characters.');

export interface TeamUser {
  readonly username: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

/** Who the page is talking as: `team` false in the desktop app and single-user browser mode. */
export interface WhoAmI {
  readonly team: boolean;
  readonly user: { readonly username: string; readonly role: Role } | null;
}

export interface AssignResult {
  /** Documents given to one annotator. */
  readonly assigned: number;
  /** Documents given to two annotators (the overlap, where agreement is measured). */
  readonly overlapping: number;
  readonly annotators: readonly string[];
}

export interface AnnotatorProgress {
  readonly username: string;
  readonly assigned: number;
  /** Assigned documents this person has labelled. */
  readonly done: number;
  /** Every document this person has labelled in the project. */
  readonly labelled: number;
  /** Median seconds per document over their labels that recorded the time (null: none yet). */
  readonly medianSeconds: number | null;
  readonly lastLabelAt: string | null;
}

export interface TeamProgress {
  readonly annotators: readonly AnnotatorProgress[];
  /** Documents with two annotators' differing labels not yet decided by a lead. */
  readonly openConflicts: number;
  readonly adjudicated: number;
}

const ProjectId = z.object({ projectId: z.number().int().positive() });

export const teamContract = {
  /** Who is logged in (team mode), or `{ team: false }`. */
  'team.whoami': channel<WhoAmI>()(z.object({})),
  'team.users': channel<TeamUser[]>()(z.object({})),
  'team.addUser': channel<TeamUser>()(
    z.object({ username: UsernameSchema, role: z.enum(ROLES), password: PasswordSchema }),
  ),
  /** Changes a role or disables (enables) an account; disabling ends its sessions at once. */
  'team.updateUser': channel<TeamUser>()(
    z.object({ username: UsernameSchema, role: z.enum(ROLES).optional(), disabled: z.boolean().optional() }),
  ),
  /** An administrator sets someone's password (ends their sessions). */
  'team.setPassword': channel<{ changed: true }>()(
    z.object({ username: UsernameSchema, password: PasswordSchema }),
  ),
  /** The logged-in person changes their own password (ends their other sessions). */
  'team.changePassword': channel<{ changed: true }>()(
    z.object({ currentPassword: z.string().min(1).max(1024), newPassword: PasswordSchema }),
  ),
  /**
   * Gives the project's unlabelled, unassigned documents to annotators in turn; `overlap` of them (0 to 1) go to
   * two annotators so that agreement is measured on purpose. `limit` caps how many documents are handed out.
   */
  'team.assign': channel<AssignResult>()(
    ProjectId.extend({
      annotators: z.array(UsernameSchema).min(1, 'Choose at least one annotator.').max(200),
      overlap: z.number().min(0).max(1).default(0.1),
      limit: z.number().int().positive().max(10_000_000).optional(),
    }),
  ),
  'team.progress': channel<TeamProgress>()(ProjectId),
  /**
   * A lead decides a conflict: their label (a multi-label project's: their whole set, [] for none of these) becomes
   * the document's label and the conflict leaves the queue.
   */
  'team.adjudicate': channel<{ annotationId: number }>()(
    ProjectId.extend({
      exampleId: z.number().int().positive(),
      labelId: z.number().int().positive().optional(),
      labelSet: LabelSetSchema.optional(),
    }),
  ),
} as const;
