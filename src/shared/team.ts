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

export const TeamUser = z
  .object({
    username: z.string(),
    role: z.enum(ROLES),
    disabled: z.boolean(),
    createdAt: z.string(),
    lastLoginAt: z.string().nullable(),
  })
  .readonly();
export type TeamUser = z.output<typeof TeamUser>;

/** A logged-in person as pages see them. */
export const TeamUserInfo = z.object({ username: z.string(), role: z.enum(ROLES) }).readonly();
export type TeamUserInfo = z.output<typeof TeamUserInfo>;

/** Who the page is talking as: `team` false in the desktop app and single-user browser mode. */
export const WhoAmI = z.object({ team: z.boolean(), user: TeamUserInfo.nullable() }).readonly();
export type WhoAmI = z.output<typeof WhoAmI>;

/*
 * Team mode's routes besides the contract (src/main/server/team.ts answers them; the login page reads them with
 * these schemas).
 */

/** `GET /api/session`: who the cookie's session is, its CSRF token, and whether the first administrator is missing. */
export const TeamSession = z
  .object({
    team: z.boolean(),
    user: TeamUserInfo.nullable(),
    csrf: z.string().nullable(),
    /** No account exists yet: the page creates the administrator with the setup code. */
    needsSetup: z.boolean(),
  })
  .readonly();
export type TeamSession = z.output<typeof TeamSession>;

/** `POST /api/login` and `POST /api/setup`: the person now logged in and their session's CSRF token. */
export const LoggedIn = z.object({ user: TeamUserInfo, csrf: z.string() }).readonly();
export type LoggedIn = z.output<typeof LoggedIn>;

/** `POST /api/logout`. */
export const LoggedOut = z.object({ loggedOut: z.literal(true) }).readonly();
export type LoggedOut = z.output<typeof LoggedOut>;

export const AssignResult = z
  .object({
    /** Documents given to one annotator. */
    assigned: z.number(),
    /** Documents given to two annotators (the overlap, where agreement is measured). */
    overlapping: z.number(),
    annotators: z.array(z.string()).readonly(),
  })
  .readonly();
export type AssignResult = z.output<typeof AssignResult>;

export const AnnotatorProgress = z
  .object({
    username: z.string(),
    assigned: z.number(),
    /** Assigned documents this person has labelled. */
    done: z.number(),
    /** Every document this person has labelled in the project. */
    labelled: z.number(),
    /** Median seconds per document over their labels that recorded the time (null: none yet). */
    medianSeconds: z.number().nullable(),
    lastLabelAt: z.string().nullable(),
  })
  .readonly();
export type AnnotatorProgress = z.output<typeof AnnotatorProgress>;

export const TeamProgress = z
  .object({
    annotators: z.array(AnnotatorProgress).readonly(),
    /** Documents with two annotators' differing labels not yet decided by a lead. */
    openConflicts: z.number(),
    adjudicated: z.number(),
  })
  .readonly();
export type TeamProgress = z.output<typeof TeamProgress>;

const PasswordChanged = z.object({ changed: z.literal(true) }).readonly();

const ProjectId = z.object({ projectId: z.number().int().positive() });

export const teamContract = {
  /** Who is logged in (team mode), or `{ team: false }`. */
  'team.whoami': channel(WhoAmI)(z.object({})),
  'team.users': channel(z.array(TeamUser).readonly())(z.object({})),
  'team.addUser': channel(TeamUser)(
    z.object({ username: UsernameSchema, role: z.enum(ROLES), password: PasswordSchema }),
  ),
  /** Changes a role or disables (enables) an account; disabling ends its sessions at once. */
  'team.updateUser': channel(TeamUser)(
    z.object({ username: UsernameSchema, role: z.enum(ROLES).optional(), disabled: z.boolean().optional() }),
  ),
  /** An administrator sets someone's password (ends their sessions). */
  'team.setPassword': channel(PasswordChanged)(
    z.object({ username: UsernameSchema, password: PasswordSchema }),
  ),
  /** The logged-in person changes their own password (ends their other sessions). */
  'team.changePassword': channel(PasswordChanged)(
    z.object({ currentPassword: z.string().min(1).max(1024), newPassword: PasswordSchema }),
  ),
  /**
   * Gives the project's unlabelled, unassigned documents to annotators in turn; `overlap` of them (0 to 1) go to
   * two annotators so that agreement is measured on purpose. `limit` caps how many documents are handed out.
   */
  'team.assign': channel(AssignResult)(
    ProjectId.extend({
      annotators: z.array(UsernameSchema).min(1, 'Choose at least one annotator.').max(200),
      overlap: z.number().min(0).max(1).default(0.1),
      limit: z.number().int().positive().max(10_000_000).optional(),
    }),
  ),
  'team.progress': channel(TeamProgress)(ProjectId),
  /**
   * A lead decides a conflict: their label (a multi-label project's: their whole set, [] for none of these) becomes
   * the document's label and the conflict leaves the queue.
   */
  'team.adjudicate': channel(z.object({ annotationId: z.number() }).readonly())(
    ProjectId.extend({
      exampleId: z.number().int().positive(),
      labelId: z.number().int().positive().optional(),
      labelSet: LabelSetSchema.optional(),
    }),
  ),
} as const;
