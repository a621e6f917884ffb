import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ModelMetadata, type RecommendedTeacher, type TeacherModel } from '../../../shared/teacher';
import { AppError, notFound } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import type { JobControl } from '../../core/jobs/jobs';
import type { JobParamsOf } from '../../../shared/jobParams';
import type { Db } from '../../core/store/db';
import { readStoredJsonOr, storedColumn } from '../../core/store/storedJson';
import { nowIso } from '../../core/time';
import { inspectGguf } from './gguf';

interface ModelRow {
  id: number;
  name: string;
  file_path: string;
  sha256: string;
  size_bytes: number;
  metadata: string;
  created_at: string;
}

function toModel(r: ModelRow): TeacherModel {
  return {
    id: r.id,
    name: r.name,
    fileName: basename(r.file_path),
    sha256: r.sha256,
    sizeBytes: r.size_bytes,
    metadata: readStoredJsonOr(
      ModelMetadata,
      r.metadata,
      {
        architecture: 'unknown',
        name: null,
        parameterCount: 0,
        quantization: 'unknown',
        contextLength: null,
        layers: null,
        hasChatTemplate: false,
        chatTemplateFamily: null,
        tensorCount: 0,
      },
      storedColumn('teacher_models.metadata', { id: r.id }),
    ),
    createdAt: r.created_at,
  };
}

export function listModels(db: Db): TeacherModel[] {
  return (db.prepare('SELECT * FROM teacher_models ORDER BY id').all() as ModelRow[]).map(toModel);
}

export function getModel(db: Db, modelId: number): TeacherModel & { filePath: string } {
  const row = db.prepare('SELECT * FROM teacher_models WHERE id = ?').get(modelId) as ModelRow | undefined;
  if (!row) throw notFound('Teacher model', modelId);
  if (!existsSync(row.file_path)) {
    throw AppError.keyed('NOT_FOUND', 'teacher.fileModelMissingModel', {
      name: row.name,
      file_path: row.file_path,
    });
  }
  return { ...toModel(row), filePath: row.file_path };
}

export function removeModel(ctx: CoreContext, modelId: number): void {
  const row = ctx.db.prepare('SELECT * FROM teacher_models WHERE id = ?').get(modelId) as
    ModelRow | undefined;
  if (!row) throw notFound('Teacher model', modelId);
  // Runs keep their outputs and the model's hash (model_id becomes NULL): removing a model loses no labels.
  ctx.db.prepare('DELETE FROM teacher_models WHERE id = ?').run(modelId);
  if (row.file_path.startsWith(ctx.paths.models)) rmSync(row.file_path, { force: true });
}

/** A model import's params: a file to copy or an address to download, and a name (TeacherImportJobParams). */
type ImportParams = JobParamsOf<'teacher.import'>;

async function download(ctl: JobControl<ImportParams>, url: string, dest: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { signal: ctl.signal });
  } catch (e) {
    throw AppError.keyed('BAD_FILE', 'teacher.cannotDownloadCheckAddress', { url, p1: (e as Error).message });
  }
  if (!res.ok || !res.body) {
    throw AppError.keyed('BAD_FILE', 'teacher.serverAnsweredCheckAddress', { status: res.status, url });
  }
  const total = Number(res.headers.get('content-length') ?? 0);
  let done = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      ctl.progress(done, Math.max(total, done), { phase: 'Downloading' });
      cb(null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(res.body as unknown as NodeReadableStream<Uint8Array>),
    counter,
    createWriteStream(dest),
    {
      signal: ctl.signal,
    },
  );
}

/** Copies (or downloads) a GGUF into the model folder, hashing it on the way; checks its header first. */
export async function importModelJob(ctx: CoreContext, ctl: JobControl<ImportParams>): Promise<TeacherModel> {
  const { path, url, name } = ctl.params;
  const stamp = `${ctl.jobId}-${Date.now()}`;
  let source = path ?? '';
  let downloaded: string | null = null;
  if (url) {
    downloaded = join(ctx.paths.tmp, `download-${stamp}.gguf`);
    try {
      await download(ctl, url, downloaded);
    } catch (e) {
      rmSync(downloaded, { force: true });
      throw e;
    }
    source = downloaded;
  }
  try {
    if (!existsSync(source)) {
      throw AppError.keyed('NOT_FOUND', 'teacher.fileCheckPathUsb', { source });
    }
    if (!statSync(source).isFile())
      throw AppError.keyed('BAD_FILE', 'teacher.folderChooseGgufFile', { source });
    const metadata = inspectGguf(source);
    const size = statSync(source).size;
    const tmp = join(ctx.paths.models, `.importing-${stamp}.gguf`);
    const hash = createHash('sha256');
    let done = 0;
    ctl.progress(0, size, { phase: 'Copying' });
    try {
      const out = createWriteStream(tmp);
      for await (const chunk of createReadStream(source, { highWaterMark: 4 << 20 })) {
        await ctl.yield();
        const buf = chunk as Buffer;
        hash.update(buf);
        if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
        done += buf.length;
        ctl.progress(done, size, { phase: 'Copying' });
      }
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    const sha256 = hash.digest('hex');
    const existing = ctx.db.prepare('SELECT * FROM teacher_models WHERE sha256 = ?').get(sha256) as
      ModelRow | undefined;
    if (existing && existsSync(existing.file_path)) {
      rmSync(tmp, { force: true });
      return toModel(existing);
    }
    const finalPath = join(ctx.paths.models, `${sha256}.gguf`);
    renameSync(tmp, finalPath);
    const displayName = name?.trim() || metadata.name || basename(source).replace(/\.gguf$/i, '');
    const row = ctx.db.transaction(() => {
      if (existing) ctx.db.prepare('DELETE FROM teacher_models WHERE id = ?').run(existing.id);
      const info = ctx.db
        .prepare(
          'INSERT INTO teacher_models (name, file_path, sha256, size_bytes, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(displayName, finalPath, sha256, size, JSON.stringify(metadata), nowIso());
      return ctx.db
        .prepare('SELECT * FROM teacher_models WHERE id = ?')
        .get(Number(info.lastInsertRowid)) as ModelRow;
    })();
    return toModel(row);
  } finally {
    if (downloaded) rmSync(downloaded, { force: true });
  }
}

export const RECOMMENDED_TEACHERS: readonly RecommendedTeacher[] = [
  {
    name: 'DeepSeek-R1-Distill-Qwen-1.5B',
    parameters: '1.5B',
    fileSizeGb: 1.1,
    minRamGb: 4,
    gpuVramGb: 2,
    note: 'Runs on any laptop; a first try and for quick previews.',
  },
  {
    name: 'DeepSeek-R1-Distill-Qwen-7B',
    parameters: '7B',
    fileSizeGb: 4.7,
    minRamGb: 8,
    gpuVramGb: 6,
    note: 'A good default on a desktop with 16 GB of memory or a mid-range GPU.',
  },
  {
    name: 'DeepSeek-R1-Distill-Llama-8B',
    parameters: '8B',
    fileSizeGb: 4.9,
    minRamGb: 10,
    gpuVramGb: 8,
    note: 'Similar to Qwen 7B; sometimes better on English legal text.',
  },
  {
    name: 'DeepSeek-R1-Distill-Qwen-14B',
    parameters: '14B',
    fileSizeGb: 9,
    minRamGb: 16,
    gpuVramGb: 12,
    note: 'Clearly better labels; wants a GPU with 12 GB or more.',
  },
  {
    name: 'DeepSeek-R1-Distill-Qwen-32B',
    parameters: '32B',
    fileSizeGb: 19.9,
    minRamGb: 32,
    gpuVramGb: 24,
    note: 'Best quality on one workstation GPU (24 GB).',
  },
  {
    name: 'DeepSeek-R1-Distill-Llama-70B',
    parameters: '70B',
    fileSizeGb: 42.5,
    minRamGb: 64,
    gpuVramGb: 48,
    note: 'For GPU servers (two 24 GB GPUs or one 48 GB); best used as a remote endpoint.',
  },
];
