import { fork, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { resolveEntry } from '../../core/entries';
import { AppError } from '../../core/errors';
import {
  hostErrorCode,
  readHostMessage,
  readHostValue,
  type HostRequest,
  type HostResponses,
  type ToHost,
} from './protocol';

interface Pending {
  readonly op: HostRequest['op'];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const LOG_LINES = 40;

/** Keeps llama.cpp's words that explain an abort (assertions, errors), not its chatter. */
function explain(lines: readonly string[]): string {
  const telling = lines.filter((l) =>
    /error|assert|abort|fail|invalid|unsupported|nan|unable|cannot|corrupt/i.test(l),
  );
  const pick = (telling.length ? telling : lines).slice(-3).join(' | ');
  return pick.length > 600 ? pick.slice(-600) : pick;
}

/**
 * The teacher process runs below the app's own priority: labelling in the background must not take the CPU from
 * the server that answers the next key press (on a 2-core machine a teacher thread and the server compete). The
 * model runs as fast as before whenever the app is idle. Where the system refuses (a sandbox), it runs as it is.
 */
function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, Math.min(19, getPriority() + TEACHER_NICE));
  } catch {
    // not permitted here: the teacher runs at normal priority
  }
}

/** How much nicer than the app the teacher process runs (POSIX nice, 19 lowest; Windows maps it to a priority class). */
const TEACHER_NICE = 10;

/**
 * The core's side of the teacher process: typed, sequence-numbered requests; a crash of the process rejects every
 * request in flight with the cause llama.cpp logged, and leaves the client `dead` (start a new one).
 */
export class TeacherClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly log: string[] = [];
  private seq = 0;
  private exitError: AppError | null = null;
  private disposing = false;
  readonly exited: Promise<void>;

  constructor() {
    // The built out/main/teacher-host.js; no execArgv: nothing is compiled at run time, from any working directory.
    this.child = fork(resolveEntry('teacher-host'), [], {
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    lowerPriority(this.child.pid);
    const keep = (text: string): void => {
      for (const line of text.split('\n')) {
        const l = line.trim();
        if (!l) continue;
        this.log.push(l);
        if (this.log.length > LOG_LINES) this.log.shift();
      }
    };
    this.child.stderr?.on('data', (d: Buffer) => keep(d.toString()));
    this.child.stdout?.on('data', (d: Buffer) => keep(d.toString()));
    this.child.on('message', (raw: unknown) => {
      const read = readHostMessage(raw);
      if ('invalid' in read) {
        // Not one of the protocol's messages: kept as a log line (it explains a failure that may follow), and the
        // request it answers, when it names one, fails in plain words instead of waiting forever.
        keep(`Malformed message from the teacher process${read.invalid}`);
        const seq = (raw as { seq?: unknown } | null)?.seq;
        const p = typeof seq === 'number' ? this.pending.get(seq) : undefined;
        if (p && typeof seq === 'number') {
          this.pending.delete(seq);
          p.reject(
            AppError.keyed('MODEL_ERROR', 'teacher.teacherProcessSentMalformed', { invalid: read.invalid }),
          );
        }
        return;
      }
      const msg = read.msg;
      if (msg.type === 'log') keep(msg.message);
      if (msg.type !== 'reply') return;
      // What llama.cpp said before an answer explains that answer, not a later crash.
      this.log.length = 0;
      const p = this.pending.get(msg.seq);
      if (!p) return;
      this.pending.delete(msg.seq);
      if (!msg.ok) {
        p.reject(AppError.relayed({ ...msg.error, code: hostErrorCode(msg.error.code) }));
        return;
      }
      try {
        p.resolve(readHostValue(p.op, msg.value));
      } catch (e) {
        p.reject(e as Error);
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
        const said = explain(this.log);
        this.exitError = AppError.keyed('MODEL_ERROR', 'teacher.appFineModelFile', {
          p1: this.disposing
            ? 'The teacher process was stopped.'
            : `The teacher process ${how}${said ? `. llama.cpp said: ${said}` : ''}. `,
        });
        for (const p of this.pending.values()) p.reject(this.exitError);
        this.pending.clear();
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get dead(): boolean {
    return this.exitError !== null;
  }

  /** The last lines llama.cpp wrote: the cause of a failure. */
  recentLog(): string[] {
    return [...this.log];
  }

  request<K extends HostRequest['op']>(req: Extract<HostRequest, { op: K }>): Promise<HostResponses[K]> {
    if (this.exitError) return Promise.reject(this.exitError);
    const seq = ++this.seq;
    return new Promise<HostResponses[K]>((resolve, reject) => {
      this.pending.set(seq, { op: req.op, resolve: resolve as (v: unknown) => void, reject });
      const msg: ToHost = { ...req, seq };
      this.child.send(msg, (e) => {
        if (e && this.pending.delete(seq))
          reject(AppError.keyed('MODEL_ERROR', 'teacher.cannotReachTeacherProcess', { eMessage: e.message }));
      });
    });
  }

  async dispose(): Promise<void> {
    if (this.exitError) return;
    this.disposing = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}
