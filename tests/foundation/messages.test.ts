import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/main/core/errors';
import { readWorkerMessage } from '../../src/main/features/student/train.protocol';
import { readHostMessage, readHostValue } from '../../src/main/features/teacher/protocol';

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
