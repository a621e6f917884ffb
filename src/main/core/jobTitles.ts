import { basename } from 'node:path';
import type { Db } from './store/db';

const UPLOAD_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/i;

/**
 * The name a person gave the file: browser mode stores an upload as `<uuid>-<name>` in the uploads folder, and that
 * prefix means nothing to them (job titles, output file names).
 */
export function originalFileName(path: string): string {
  return basename(path).replace(UPLOAD_PREFIX, '');
}

/** A job title that says what the job does and, for a project's job, which project: "Import model x.gguf · Triage". */
export function jobTitle(db: Db, what: string, projectId?: number | null): string {
  if (!projectId) return what;
  const project = db.prepare('SELECT name FROM projects WHERE id = ?').pluck().get(projectId) as
    string | undefined;
  return project ? `${what} · ${project}` : what;
}
