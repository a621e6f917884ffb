import { Worker } from 'node:worker_threads';
import type { Encoding } from '../../../shared/dataset';
import type { AppErrorInfo } from '../../../shared/result';
import { resolveEntry } from '../../core/entries';
import { AppError } from '../../core/errors';
import { JobCancelled, type JobControl } from '../../core/jobs/jobs';
import { BatchBuilder, type RowBatch } from './importBatch';
import { readImportRows, type ReadState } from './importRows';
import type { ImportParams } from './importStaging';

/**
 * From this size on, an import's file is read on a thread of its own (importReader.worker.ts) while the server's
 * thread writes: for a million rows (242 MB) the reading's 2-3 s of CPU and its garbage collection leave the thread
 * that answers the UI. Below it, the thread's start (a few tens of milliseconds) is not worth it and the file is
 * read here, into the same batches.
 */
export const READ_IN_WORKER_FROM = 8 * 1024 * 1024;

/** What the reader worker starts with. */
export interface ReaderRequest {
  readonly params: ImportParams;
  /** Records (good and bad) already handled: a resumed import skips them. */
  readonly resumeAfter: number;
  readonly state: ReadState;
}

export type ReaderMessage =
  | { readonly type: 'batch'; readonly batch: RowBatch }
  | { readonly type: 'progress'; readonly bytesRead: number }
  | { readonly type: 'done'; readonly recoded?: { count: number; lines: number[]; encoding: Encoding } }
  | { readonly type: 'error'; readonly error: AppErrorInfo };

export interface ReadBatchesResult {
  recoded?: { count: number; lines: number[]; encoding: Encoding };
}

/**
 * Reads the import's file past `resumeAfter` into batches of up to BATCH rows or BATCH_BYTES, handing each to `onBatch` (which
 * writes it) and the bytes read to `onProgress`; the last batch may be empty (it carries the reading's final state).
 * `ctl.yield()` runs between them: pause and cancel take effect there. A large file is read in a worker.
 */
export async function readBatches(
  ctl: JobControl<ImportParams>,
  state: ReadState,
  resumeAfter: number,
  onBatch: (batch: RowBatch) => void,
  onProgress: (bytesRead: number) => void,
): Promise<ReadBatchesResult> {
  if (ctl.params.source.size >= READ_IN_WORKER_FROM) {
    return readInWorker(ctl, { params: ctl.params, resumeAfter, state }, onBatch, onProgress);
  }
  const builder = new BatchBuilder(!!ctl.params.multiLabel);
  let bytesRead = 0;
  const read = await readImportRows(
    ctl,
    state,
    resumeAfter,
    (r) => {
      builder.add(r);
      if (builder.full) onBatch(builder.take(state, bytesRead));
    },
    (bytes) => {
      bytesRead = bytes;
      onProgress(bytes);
    },
  );
  onBatch(builder.take(state, bytesRead));
  return read.recoded ? { recoded: read.recoded } : {};
}

async function readInWorker(
  ctl: JobControl<ImportParams>,
  request: ReaderRequest,
  onBatch: (batch: RowBatch) => void,
  onProgress: (bytesRead: number) => void,
): Promise<ReadBatchesResult> {
  // Built JavaScript only: none of the caller's Node options (a test's or bench's TypeScript loader took a tenth of a
  // second to start in every reader).
  const worker = new Worker(resolveEntry('import-reader'), { workerData: request, execArgv: [] });
  const queue: ReaderMessage[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const arrived = (): void => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: ReaderMessage) => {
    queue.push(m);
    arrived();
  });
  worker.on('error', (e: Error) => {
    failure ??= AppError.keyed('INTERNAL', 'dataset.importReaderStopped', { detail: e.message });
    arrived();
  });
  worker.on('exit', (code) => {
    failure ??= AppError.keyed('INTERNAL', 'dataset.importReaderStopped', { detail: `exit code ${code}` });
    arrived();
  });
  // A shutdown or cancel is noticed at once, not at the next message.
  ctl.signal.addEventListener('abort', arrived, { once: true });
  try {
    for (;;) {
      if (ctl.signal.aborted) throw new JobCancelled();
      const m = queue.shift();
      if (!m) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      switch (m.type) {
        case 'batch':
          onBatch(m.batch);
          worker.postMessage('written');
          break;
        case 'progress':
          onProgress(m.bytesRead);
          break;
        case 'done':
          return m.recoded ? { recoded: m.recoded } : {};
        case 'error':
          throw AppError.relayed(m.error);
      }
      // A macrotask turn between messages: with batches queued, the loop would otherwise run from one to the next on
      // resolved promises while requests and timers wait (the reader keeps up to three batches ready).
      await new Promise((r) => setImmediate(r));
      await ctl.yield();
    }
  } finally {
    ctl.signal.removeEventListener('abort', arrived);
    worker.removeAllListeners();
    await worker.terminate();
  }
}
