import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../core/errors';
import { BatchBuilder } from './importBatch';
import type { ReaderRequest, ReaderMessage } from './importReader';
import { readImportRows, type ReadState } from './importRows';

/**
 * An import's reading (decoding, parsing, normalising, hashing) on its own thread, while the server's thread writes
 * the batches it hands over (importReader.ts): the two overlap, and the reading's garbage is collected here. It runs
 * at most `AHEAD` batches ahead of the writer; the writer pauses it by not answering.
 */
const port = parentPort;
if (!port) throw new Error('importReader.worker must run in a worker thread.');

const request = workerData as ReaderRequest;
/** Batches handed over and not yet written. */
const AHEAD = 3;
let unanswered = 0;
let wake: (() => void) | null = null;

port.on('message', () => {
  // The writer's only message: a batch is written.
  unanswered--;
  wake?.();
});

function send(m: ReaderMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

async function main(): Promise<void> {
  const state: ReadState = { ...request.state, badRows: [...request.state.badRows] };
  const builder = new BatchBuilder(!!request.params.multiLabel);
  let bytesRead = 0;
  const handOver = (): void => {
    const batch = builder.take(state, bytesRead);
    unanswered++;
    send({ type: 'batch', batch }, [
      batch.ints.buffer as ArrayBuffer,
      batch.bytes.buffer as ArrayBuffer,
      batch.tally.buffer as ArrayBuffer,
    ]);
  };
  const read = await readImportRows(
    {
      params: request.params,
      // A cancel ends the worker (importReader.ts).
      signal: new AbortController().signal,
      yield: async () => {
        while (unanswered >= AHEAD) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      },
    },
    state,
    request.resumeAfter,
    (r) => {
      builder.add(r);
      if (builder.full) handOver();
    },
    (bytes) => {
      bytesRead = bytes;
      send({ type: 'progress', bytesRead: bytes });
    },
  );
  handOver();
  send({ type: 'done', ...(read.recoded ? { recoded: read.recoded } : {}) });
}

main().catch((e: unknown) => {
  const info = toErrorInfo(e);
  send({ type: 'error', error: info });
});
