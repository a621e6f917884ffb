import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveEntry } from '../../src/main/core/entries';
import { AppError } from '../../src/main/core/errors';
import { TrainClient } from '../../src/main/features/student/train.client';
import {
  readTrainData,
  readWorkerMessage,
  type TrainRequest,
  type WorkerMessage,
} from '../../src/main/features/student/train.protocol';
import { readHostMessage, readHostRequest, readHostValue } from '../../src/main/features/teacher/protocol';
import { TeacherClient } from '../../src/main/features/teacher/teacher.client';
import { errorMessage } from '../../src/shared/errorMessages';
import { TrainSettings } from '../../src/shared/student';
import { tempDir } from '../helpers';

/** What `promise` rejected with (the test fails when it resolved). */
async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const e: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

const tmp = tempDir('distillery-messages-');
afterAll(() => tmp.cleanup());

const REPORT = {
  epoch: 2,
  trainLoss: 0.4,
  valLoss: 0.5,
  valAccuracy: 0.8,
  valMacroF1: 0.7,
  valHumanCount: 0,
  // No human-labelled validation documents: the figures against people are NaN, and must pass.
  valHumanAccuracy: NaN,
  valHumanMacroF1: NaN,
  valTeacherCount: 40,
  valTeacherAccuracy: 0.8,
  valTeacherMacroF1: 0.7,
  examplesPerSecond: 1200,
  metric: 0.7,
  isBest: true,
  bestEpoch: 2,
  checkpointPath: '/runs/student-1/checkpoint-2',
  modelPath: '/runs/student-1/best',
  modelBytes: 1024,
  backend: 'CPU (JavaScript)',
};

describe('messages from the training worker', () => {
  it('passes a well-formed epoch report, NaN figures included', () => {
    const m = readWorkerMessage({ seq: 3, type: 'epoch', report: REPORT });
    expect(m.type).toBe('epoch');
    expect(m.type === 'epoch' && Number.isNaN(m.report.valHumanMacroF1)).toBe(true);
  });

  it('turns a malformed message into a TRAINING_ERROR that names the field, not a crash', () => {
    const { modelPath: _dropped, ...withoutPath } = REPORT;
    const bad = (): unknown => readWorkerMessage({ seq: 4, type: 'epoch', report: withoutPath });
    expect(bad).toThrow(AppError);
    expect(bad).toThrow(/training worker sent a message the app does not understand at "report.modelPath"/);
    try {
      bad();
    } catch (e) {
      expect((e as AppError).code).toBe('TRAINING_ERROR');
    }
    expect(() => readWorkerMessage({ seq: 5, type: 'celebrate' })).toThrow(/does not understand at "type"/);
    expect(() => readWorkerMessage(null)).toThrow(AppError);
    expect(() => readWorkerMessage({ seq: 6, type: 'error', code: 'NOT_A_CODE', message: 'x' })).toThrow(
      /at "code"/,
    );
  });
});

describe('what the training worker is started with and reads (a real worker thread)', () => {
  const data = {
    labels: ['a', 'b'],
    train: Array.from({ length: 40 }, (_, i) => ({
      text: `${i % 2 ? 'good fine' : 'bad poor'} text ${i}`,
      label: i % 2,
      teacher: null,
    })),
    validation: [
      { text: 'good fine', label: 1 },
      { text: 'bad poor', label: 0 },
    ],
  };
  const request = (name: string, runData: unknown): TrainRequest => {
    const dataPath = join(tmp.dir, `${name}.json`);
    writeFileSync(dataPath, JSON.stringify(runData));
    return {
      dataPath,
      selectionPath: join(tmp.dir, `${name}.selection.json`),
      dbPath: join(tmp.dir, 'none.db'),
      runId: 7,
      projectId: 1,
      settings: TrainSettings.parse({ epochs: 2, auto: false }),
      runDir: join(tmp.dir, name),
      resumeFrom: null,
      initFrom: null,
      meta: { runId: 7, projectId: 1 },
    };
  };
  const noop = { onProgress: async () => {}, onEpoch: async () => {} };

  it('refuses a malformed start request with a TRAINING_ERROR naming the field', async () => {
    const bad = { ...request('bad-request', data), runDir: 42 } as unknown as TrainRequest;
    const e = await rejection(new TrainClient(bad).run(noop));
    expect(e.code).toBe('TRAINING_ERROR');
    expect(e.key).toBe('student.trainingWorkerStartedWith');
    expect(e.message).toMatch(/settings it does not understand at "runDir"/);
  });

  it('refuses damaged frozen data with BAD_FILE naming the run and the field, in the worker and in the core', async () => {
    const damaged = { ...data, train: [{ text: 'x', label: 'a', teacher: null }] };
    const req = request('damaged', damaged);
    const e = await rejection(new TrainClient(req).run(noop));
    expect(e.code).toBe('BAD_FILE');
    expect(e.key).toBe('student.frozenDataTrainingRun');
    expect(e.message).toMatch(/training run 7 .*at "train\.0\.label"/);
    expect(() => readTrainData(req.dataPath, 7)).toThrow(/at "train\.0\.label"/);
    expect(() => readTrainData(join(tmp.dir, 'missing.json'), 8)).toThrow(
      /training run 8 is missing or damaged/,
    );
    expect(readTrainData(request('good', data).dataPath, 9).labels).toEqual(['a', 'b']);
    // Before its texts are read, a run is its selection of documents by id (selection.json): checked the same way.
    const first = request('first', data);
    rmSync(first.dataPath);
    writeFileSync(
      first.selectionPath,
      JSON.stringify({ ...data, train: [{ id: 'one', label: 0, teacher: null }] }),
    );
    const s = await rejection(new TrainClient(first).run(noop));
    expect(s.code).toBe('BAD_FILE');
    expect(s.message).toMatch(/training run 7 .*at "train\.0\.id"/);
  });

  it('ends the run with a TRAINING_ERROR when the client sends a message it does not know', async () => {
    const worker = new Worker(resolveEntry('train-worker'), { workerData: request('caller', data) });
    const seen: WorkerMessage[] = [];
    const error = await new Promise<WorkerMessage>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (raw: unknown) => {
        const m = readWorkerMessage(raw);
        seen.push(m);
        // The first report waits for `continue`: send something else instead.
        if (seen.length === 1) worker.postMessage({ type: 'carry-on', seq: m.seq });
        if (m.type === 'error' || m.type === 'done') resolve(m);
      });
    });
    await worker.terminate();
    expect(seen[0].type).not.toBe('error');
    expect(error).toMatchObject({
      type: 'error',
      code: 'TRAINING_ERROR',
      key: 'student.trainingWorkerReceivedMessage',
    });
    expect(error.type === 'error' && error.message).toMatch(/does not understand at "type"/);
  });
});

describe('requests to the teacher process', () => {
  it('reads a well-formed request; a malformed one is a MODEL_ERROR naming the field, answered to its number', () => {
    expect(readHostRequest({ seq: 1, op: 'tokenize', text: 'hello' })).toEqual({
      request: { seq: 1, op: 'tokenize', text: 'hello' },
    });
    const bad = readHostRequest({ seq: 2, op: 'load', options: { modelPath: '/m.gguf', threads: -1 } });
    expect('error' in bad && bad.seq).toBe(2);
    expect('error' in bad && bad.error.code).toBe('MODEL_ERROR');
    expect('error' in bad && bad.error.message).toMatch(/does not understand at "options.threads"/);
    const unnumbered = readHostRequest({ op: 'dance' });
    expect('error' in unnumbered && unnumbered.seq).toBeNull();
  });

  it('a real teacher process answers a malformed request with that error, in both languages, and keeps running', async () => {
    const client = new TeacherClient();
    try {
      const e = await rejection(client.request({ op: 'tokenize', text: 42 } as never));
      expect(e.code).toBe('MODEL_ERROR');
      expect(e.key).toBe('teacher.teacherProcessReceivedMalformed');
      expect(e.message).toMatch(/received a request it does not understand at "text"/);
      expect(errorMessage(e.toInfo(), 'zh-CN')).toMatch(/^教师进程收到了无法理解的请求 at "text"/);
      expect(client.dead).toBe(false);
      // A well-formed request still gets its own answer (no model loaded: a MODEL_ERROR of its own).
      const next = await rejection(client.request({ op: 'tokenize', text: 'hello' }));
      expect(next.key).not.toBe('teacher.teacherProcessReceivedMalformed');
    } finally {
      await client.dispose();
    }
  });
});

describe('messages from the teacher process', () => {
  it('reads replies, logs and the ready signal; reports anything else with its reason', () => {
    expect(readHostMessage({ type: 'ready' })).toEqual({ msg: { type: 'ready' } });
    expect(readHostMessage({ type: 'reply', seq: 1, ok: true, value: [1, 2] })).toMatchObject({
      msg: { seq: 1, ok: true },
    });
    const bad = readHostMessage({ type: 'reply', seq: 'one', ok: true });
    expect('invalid' in bad && bad.invalid).toMatch(/: ./);
  });

  it('checks an answer against its request: a malformed score list is a MODEL_ERROR in plain words', () => {
    const good = [
      {
        id: 1,
        logLikelihoods: [-0.1, -2.3],
        reasoning: null,
        tokens: 40,
        evaluated: 12,
        timeMs: 5,
        truncated: false,
        error: null,
      },
    ];
    expect(readHostValue('score', good)).toEqual(good);
    const bad = (): unknown => readHostValue('score', [{ ...good[0], logLikelihoods: 'lots' }]);
    expect(bad).toThrow(AppError);
    expect(bad).toThrow(/answered "score" with something the app does not understand at "0.logLikelihoods"/);
    expect(() => readHostValue('tokenize', [1, 2.5])).toThrow(/at "1"/);
  });
});
