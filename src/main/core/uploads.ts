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

/**
 * A new upload that holds a folder (browser mode's folder import): `uploads/<id>/<name>/`, its files written below it
 * at the paths `folderUploadPath` allows. The folder is what a request names, like the file of a one-file upload.
 */
export function newFolderUpload(paths: Paths, name: string): { id: string; dir: string; name: string } {
  const id = randomUUID();
  const safe = safeUploadName(name);
  mkdirSync(join(paths.uploads, id, safe), { recursive: true, mode: 0o700 });
  return { id, dir: join(paths.uploads, id, safe), name: safe };
}

/** The most sub-folder levels a file of an uploaded folder may sit under. */
const MAX_FOLDER_DEPTH = 32;

/**
 * Where a file of an uploaded folder goes, from its path inside the folder ("a.txt", "cases/b.txt"), or null when that
 * path could leave the folder or names nothing: empty, "." or ".." segments, hidden names, too deep.
 */
export function folderUploadPath(dir: string, relativePath: string): string | null {
  const parts = relativePath.split(/[/\\]+/).filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > MAX_FOLDER_DEPTH) return null;
  if (parts.some((p) => p.startsWith('.'))) return null;
  const file = resolve(dir, ...parts.map(safeUploadName));
  return file.startsWith(resolve(dir) + sep) ? file : null;
}

/** The upload id of a path inside the uploads folder, or null. */
export function uploadIdOf(paths: Paths, path: string): string | null {
  const rel = relative(paths.uploads, resolve(path));
  const id = rel.split(sep)[0];
  return rel && !rel.startsWith('..') && UPLOAD_ID.test(id) ? id : null;
}

/**
 * True when `path` is a regular file the server received as an upload, or a folder inside one (an uploaded folder:
 * everything in it was uploaded); never a link, nothing outside.
 */
export function isUpload(paths: Paths, path: string): boolean {
  const id = uploadIdOf(paths, path);
  if (!id) return false;
  try {
    const stat = lstatSync(resolve(path));
    if (!stat.isFile() && !stat.isDirectory()) return false;
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
