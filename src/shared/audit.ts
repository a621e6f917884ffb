/**
 * Every action the core writes to the audit log. `audit()` accepts only these, so a new action cannot reach the log
 * without being added here, and the review i18n test checks that each has an English and a Chinese name.
 */
export const AUDIT_ACTIONS = [
  'bulk_accept',
  'undo_bulk_accept',
  'clean',
  'undo-clean',
  'create',
  'rename',
  'delete',
  'delete_run',
  'edit',
  'exclude',
  'include',
  'lock-test',
  'unlock-test',
  'export',
  'import',
  'import_annotations',
  'restore',
  'send_to_review',
  'set_threshold',
  'split',
  'teacher.run',
  'teacher.importRun',
  'prompt_version',
  'task_edit',
  'assign',
  'adjudicate',
  'user_add',
  'user_update',
  'password_change',
  'mask_rules',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The actions the review history adds from the annotations themselves (not from the audit log). */
export const HISTORY_ACTIONS = ['label', 'retract', ...AUDIT_ACTIONS] as const;
