import { randomUUID } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Paths } from './paths';
import type { Db } from './store/db';

/**
 * Files a browser sends (browser mode) live in `uploads/<id>/<name>`: one folder per upload, so that the file keeps
 * the name the person chose (job titles, outputs) and the id says which upload it is. An upload is removed when
 * the job that used it ends, or at start when no job that can still resume needs it.
 */
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function safeUploadName(name: string): string {
  return (
    basename(name)
      .replace(/[^\p{L}\p{N}._ -]/gu, '_')
      .slice(0, 200) || 'upload'
  );
}

/** A new, empty upload folder and the file to write in it. */
export function newUpload(paths: Paths, name: string): { id: string; file: string; name: string } {
  const id = randomUUID();
  const safe = safeUploadName(name);
  mkdirSync(join(paths.uploads, id), { mode: 0o700 });
  return { id, file: join(paths.uploads, id, safe), name: safe };
}

/** The upload id of a path inside the uploads folder, or null. */
export function uploadIdOf(paths: Paths, path: string): string | null {
  const rel = relative(paths.uploads, resolve(path));
  const id = rel.split(sep)[0];
  return rel && !rel.startsWith('..') && UPLOAD_ID.test(id) ? id : null;
}

/** True when `path` is a regular file the server received as an upload (not a link, nothing outside). */
export function isUpload(paths: Paths, path: string): boolean {
  const id = uploadIdOf(paths, path);
  if (!id) return false;
  try {
    if (!lstatSync(resolve(path)).isFile()) return false;
    const real = realpathSync(resolve(path));
    return real.startsWith(realpathSync(join(paths.uploads, id)) + sep);
  } catch {
    return false;
  }
}

/** The upload ids a text (job parameters, a path) mentions. */
export function uploadIdsIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(
    /uploads[/\\]+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g,
  )) {
    found.add(m[1]);
  }
  return [...found];
}

export function removeUpload(paths: Paths, id: string): boolean {
  if (!UPLOAD_ID.test(id)) return false;
  const dir = join(paths.uploads, id);
  try {
    lstatSync(dir);
  } catch {
    return false;
  }
  rmSync(dir, { recursive: true, force: true });
  return true;
}

/** Upload ids that a job which can still run or resume needs. */
export function uploadsInUse(db: Db): Set<string> {
  const params = db
    .prepare("SELECT params FROM jobs WHERE state IN ('queued', 'running', 'paused', 'interrupted')")
    .pluck()
    .all() as Array<string | null>;
  return new Set(params.flatMap((p) => (p ? uploadIdsIn(p) : [])));
}

/** Every upload folder (and loose file of older versions) with its id or name. */
export function listUploads(paths: Paths): string[] {
  try {
    return readdirSync(paths.uploads);
  } catch {
    return [];
  }
}
