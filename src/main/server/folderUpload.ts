import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isFolderDocument } from '../../shared/dataset';
import type { ErrorKey, ErrorParams } from '../../shared/errorMessages';
import { FolderUploadStart, type FolderFileReceived, type FolderUploadStarted } from '../../shared/http';
import type { ErrorCode, Result } from '../../shared/result';
import type { Paths } from '../core/paths';
import { freeBytes } from '../core/diskSpace';
import { keyedInfo, toErrorInfo } from '../core/errors';
import { folderUploadPath, newFolderUpload, removeUpload } from '../core/uploads';
import { BodyTooLarge, readBody, sendJson } from './http';

/** The most documents one folder upload may hold (a folder import of more: the desktop app or the CLI). */
export const MAX_FOLDER_FILES = 100_000;
/** An unfinished folder upload nobody sent a file to for this long is removed with what it received. */
const IDLE_MS = 15 * 60_000;
/** Folder uploads open at once (a browser sends one at a time; more are left-overs of closed tabs). */
const MAX_OPEN = 8;

interface OpenFolder {
  readonly id: string;
  readonly dir: string;
  readonly name: string;
  readonly files: number;
  readonly bytes: number;
  /** Files and bytes announced by the requests so far (reserved before they are written). */
  filesReserved: number;
  bytesReserved: number;
  filesDone: number;
  touched: number;
}

export interface FolderUploads {
  /** `POST /api/upload-folder` {name, files, bytes}: opens an upload and answers {uploadId, path, name}. */
  begin(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** `POST /api/upload-folder/<id>?path=<path inside the folder>`: one document, streamed to the disk. */
  put(req: IncomingMessage, res: ServerResponse, id: string, relativePath: string | null): Promise<void>;
}

function refuse(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  key: ErrorKey,
  params: ErrorParams = {},
): void {
  sendJson(res, status, { ok: false, error: keyedInfo(code, key, params) });
}

/**
 * Browser mode's folder import: the page announces a folder (its name, how many documents, how many bytes), then
 * sends each document to its path inside it. Everything lands in one upload, `uploads/<id>/<name>/` (owner-only like
 * every file of the data folder), which `dataset.preview`/`dataset.import` then read as the desktop reads a folder;
 * it is removed when the import job ends, when a file fails, or when it lies unfinished for 15 minutes.
 */
export function createFolderUploads(paths: Paths, maxBytes: number): FolderUploads {
  const open = new Map<string, OpenFolder>();

  const drop = (id: string): void => {
    open.delete(id);
    removeUpload(paths, id);
  };
  const sweep = (now: number): void => {
    for (const [id, f] of open) if (now - f.touched > IDLE_MS) drop(id);
    while (open.size >= MAX_OPEN) drop(open.keys().next().value as string);
  };

  return {
    async begin(req, res) {
      let body: FolderUploadStart;
      try {
        const parsed = FolderUploadStart.safeParse(JSON.parse(await readBody(req, 64 * 1024)));
        if (!parsed.success) return refuse(res, 400, 'INVALID_INPUT', 'folderUploadAnnounce');
        body = parsed.data;
      } catch (e) {
        if (e instanceof BodyTooLarge) return refuse(res, 413, 'TOO_LARGE', 'folderUploadAnnounce');
        return refuse(res, 400, 'INVALID_INPUT', 'folderUploadAnnounce');
      }
      const { name, files: count, bytes: size } = body;
      if (count === 0) return refuse(res, 400, 'INVALID_INPUT', 'folderUploadEmpty', { name });
      if (count > MAX_FOLDER_FILES) {
        return refuse(res, 413, 'TOO_LARGE', 'folderUploadTooMany', { count, max: MAX_FOLDER_FILES });
      }
      if (size > maxBytes) {
        return refuse(res, 413, 'TOO_LARGE', 'uploadTooLarge', { gb: Math.round(maxBytes / 1024 ** 3) });
      }
      const free = freeBytes(paths.uploads);
      if (free !== null && size > free) {
        return refuse(res, 413, 'TOO_LARGE', 'uploadNoSpace', {
          needMb: Math.ceil(size / 1024 ** 2),
          freeMb: Math.floor(free / 1024 ** 2),
        });
      }
      const now = Date.now();
      sweep(now);
      const made = newFolderUpload(paths, name);
      open.set(made.id, {
        ...made,
        files: count,
        bytes: size,
        filesReserved: 0,
        bytesReserved: 0,
        filesDone: 0,
        touched: now,
      });
      sendJson(res, 200, {
        ok: true,
        value: { uploadId: made.id, path: made.dir, name: made.name },
      } satisfies Result<FolderUploadStarted>);
    },

    async put(req, res, id, relativePath) {
      const folder = open.get(id);
      if (!folder) return refuse(res, 404, 'NOT_FOUND', 'folderUploadGone');
      folder.touched = Date.now();
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (!Number.isSafeInteger(declared) || declared < 0) {
        return refuse(res, 411, 'INVALID_INPUT', 'uploadNeedsLength');
      }
      const rel = relativePath ?? '';
      const target = folderUploadPath(folder.dir, rel);
      if (!target) return refuse(res, 400, 'INVALID_INPUT', 'folderUploadBadPath', { path: rel });
      if (!isFolderDocument(rel.split(/[/\\]/).pop() ?? '')) {
        return refuse(res, 400, 'INVALID_INPUT', 'folderUploadType', { path: rel });
      }
      if (folder.filesReserved + 1 > folder.files || folder.bytesReserved + declared > folder.bytes) {
        drop(id);
        return refuse(res, 413, 'TOO_LARGE', 'folderUploadMore', {
          files: folder.files,
          bytes: folder.bytes,
        });
      }
      folder.filesReserved += 1;
      folder.bytesReserved += declared;
      try {
        // Another of its files may have failed while this one waited: never create the folder again.
        if (open.get(id) !== folder) return refuse(res, 404, 'NOT_FOUND', 'folderUploadGone');
        mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
        await pipeline(req, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
        if (statSync(target).size !== declared) {
          drop(id);
          return refuse(res, 400, 'BAD_FILE', 'uploadCutShort', { name: rel });
        }
      } catch (e) {
        drop(id);
        if ((e as { code?: unknown }).code === 'EEXIST') {
          // The name both files become, whichever of them arrived second (the page sends several at once).
          const shared = relative(folder.dir, target).split(sep).join('/');
          return refuse(res, 409, 'CONFLICT', 'folderUploadDuplicate', { path: shared });
        }
        return sendJson(res, 200, { ok: false, error: toErrorInfo(e) });
      }
      if (open.get(id) !== folder) return refuse(res, 404, 'NOT_FOUND', 'folderUploadGone');
      folder.filesDone += 1;
      // Every document arrived: the upload is an ordinary one now (kept while a job needs it).
      if (folder.filesDone === folder.files) open.delete(id);
      sendJson(res, 200, {
        ok: true,
        value: { received: folder.filesDone, of: folder.files },
      } satisfies Result<FolderFileReceived>);
    },
  };
}
