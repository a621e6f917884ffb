import { Worker } from 'node:worker_threads';
import { resolveEntry } from '../../core/entries';
import { AppError } from '../../core/errors';
import { readWorkerMessage, type TrainRequest, type WorkerMessage } from './train.protocol';
import type { AutoReport } from '../../../shared/student';
import type { AutoProgress } from './auto';
import type { EpochReport, FinalFitEpoch, TrainOutcome } from './trainer';

export interface TrainClientHandlers {
  onProgress(p: AutoProgress): Promise<void>;
  onEpoch(report: EpochReport): Promise<void>;
  /** After each final-fit epoch (finalFit.ts); absent: nothing to record. */
  onFinalFitEpoch?(report: FinalFitEpoch): Promise<void>;
}

/** The worker runs the built out/main/train-worker.js (see core/entries.ts), from sources or from the build alike. */
function startWorker(request: TrainRequest): Worker {
  return new Worker(resolveEntry('train-worker'), { workerData: request });
}

/** The caller side of train.worker.ts: one worker per run; `dispose()` stops it at once. */
export class TrainClient {
  private readonly worker: Worker;
  private stopped = false;
  private rejectRun: ((e: Error) => void) | null = null;

  constructor(request: TrainRequest) {
    this.worker = startWorker(request);
  }

  run(handlers: TrainClientHandlers): Promise<TrainOutcome & { auto?: AutoReport }> {
    return new Promise<TrainOutcome & { auto?: AutoReport }>((resolve, reject) => {
      this.rejectRun = reject;
      let finished = false;
      this.worker.on('message', (raw: unknown) => {
        let m: WorkerMessage;
        try {
          m = readWorkerMessage(raw);
        } catch (e) {
          finished = true;
          this.fail(e as Error);
          return;
        }
        const reply = (): void => {
          if (!this.stopped) this.worker.postMessage({ type: 'continue', seq: m.seq });
        };
        switch (m.type) {
          case 'progress':
            handlers.onProgress(m).then(reply, (e: Error) => this.fail(e));
            break;
          case 'epoch':
            handlers.onEpoch(m.report).then(reply, (e: Error) => this.fail(e));
            break;
          case 'finalFit':
            (handlers.onFinalFitEpoch?.(m.report) ?? Promise.resolve()).then(reply, (e: Error) =>
              this.fail(e),
            );
            break;
          case 'done':
            finished = true;
            resolve(m.auto ? { ...m.outcome, auto: m.auto } : m.outcome);
            break;
          case 'error':
            finished = true;
            reject(AppError.relayed(m));
            break;
          default: {
            const never: never = m;
            reject(new Error(`Unknown message from the training worker: ${JSON.stringify(never)}`));
          }
        }
      });
      this.worker.on('error', (e) =>
        reject(AppError.keyed('TRAINING_ERROR', 'student.trainingWorkerCrashed', { eMessage: e.message })),
      );
      this.worker.on('exit', (code) => {
        if (!finished && !this.stopped) {
          reject(AppError.keyed('TRAINING_ERROR', 'student.trainingWorkerStoppedUnexpectedly', { code }));
        }
      });
    });
  }

  private fail(e: Error): void {
    void this.dispose(e);
  }

  /** Stops the worker; a pending `run()` rejects with `reason`. */
  async dispose(reason: Error = AppError.keyed('CANCELLED', 'student.trainingStopped', {})): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.rejectRun?.(reason);
    await this.worker.terminate();
  }
}
