import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../core/errors';
import { readCallerMessage, readTrainRequest, type WorkerMessage } from './train.protocol';
import { runAuto } from './auto';
import { loadRunData } from './trainingTexts';

/** Training off the main thread: runs the trainer and waits for the caller after each report (pause, cancel). */
const port = parentPort;
if (!port) throw new Error('train.worker must run in a worker thread.');

/** How much nicer than the app the worker's thread runs, as the teacher's process (teacher.client.ts). */
const TRAIN_NICE = 10;

// Below the server's priority: on Linux a nice value is a thread's own and pid 0 names the calling thread, so this
// lowers this worker alone (and the threads it starts), never the server's thread answering a key press. Elsewhere
// it would lower the whole process: left as it is there.
if (process.platform === 'linux') {
  try {
    setPriority(Math.min(19, getPriority() + TRAIN_NICE));
  } catch {
    // A system that refuses (a sandbox without setpriority) trains at normal priority.
  }
}
let seq = 0;
const waiting = new Map<number, () => void>();

function send(msg: WorkerMessage): void {
  port?.postMessage(msg);
}

/** Ends the run with `e` as its error (its catalogue key kept). */
function fail(e: unknown): void {
  const { code, message, key, params } = toErrorInfo(e);
  send({ seq: ++seq, type: 'error', code, message, ...(key ? { key, params } : {}) });
}

port.on('message', (raw: unknown) => {
  try {
    const m = readCallerMessage(raw);
    waiting.get(m.seq)?.();
    waiting.delete(m.seq);
  } catch (e) {
    // Only `continue` exists: anything else is a client of another version or a bug, and the run stops.
    fail(e);
    port.close();
  }
});

function ask(make: (seq: number) => WorkerMessage): Promise<void> {
  const s = ++seq;
  return new Promise<void>((resolve) => {
    waiting.set(s, resolve);
    send(make(s));
  });
}

async function main(): Promise<void> {
  try {
    const request = readTrainRequest(workerData);
    const data = loadRunData(request);
    const { auto, ...outcome } = await runAuto(
      {
        data,
        settings: request.settings,
        runDir: request.runDir,
        resumeFrom: request.resumeFrom,
        initFrom: request.initFrom,
        meta: request.meta,
      },
      {
        onProgress: (p) => ask((s) => ({ seq: s, type: 'progress', ...p })),
        onEpoch: (report) => ask((s) => ({ seq: s, type: 'epoch', report })),
        onFinalFitEpoch: (report) => ask((s) => ({ seq: s, type: 'finalFit', report })),
      },
    );
    send({ seq: ++seq, type: 'done', outcome, auto });
  } catch (e) {
    fail(e);
  }
}

void main().finally(() => port.close());
