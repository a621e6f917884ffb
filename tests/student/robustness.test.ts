import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toErrorInfo } from '../../src/main/core/errors';
import { writeFileAtomic, readModel, saveModel } from '../../src/main/features/student/modelFile';
import { loadStudent } from '../../src/main/features/student/predictor';
import { runTraining } from '../../src/main/features/student/trainer';
import { TINY_FASTTEXT } from './fixtures';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/student';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-student-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('faults', () => {
  it('keeps the previous checkpoint intact when the disk is full (a real ENOSPC from /dev/full)', () => {
    const file = join(dir, 'epoch-0001.ckpt');
    writeFileAtomic(file, 'previous checkpoint');
    symlinkSync('/dev/full', `${file}.tmp-${process.pid}`);
    let caught: unknown = null;
    try {
      writeFileAtomic(file, Buffer.alloc(1 << 16, 7));
    } catch (e) {
      caught = e;
    }
    expect((caught as { code?: string }).code).toBe('ENOSPC');
    expect(toErrorInfo(caught).code).toBe('DISK_FULL');
    expect(readFileSync(file, 'utf8')).toBe('previous checkpoint');
    expect(readdirSync(dir)).toEqual(['epoch-0001.ckpt']);
  });

  it('stops with a message naming the likely cause when the loss becomes NaN', async () => {
    const data = {
      labels: ['a', 'b'],
      train: [
        { text: 'first', label: null, teacher: [Number.NaN, 1] },
        { text: 'second', label: 1, teacher: null },
      ],
      validation: [{ text: 'third', label: 0 }],
    };
    await expect(
      runTraining(
        { data, settings: DEFAULT_TRAIN_SETTINGS, runDir: dir, resumeFrom: null },
        { onProgress: async () => undefined, onEpoch: async () => undefined },
      ),
    ).rejects.toThrow(/loss became NaN.*learning rate/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a damaged model folder with a message instead of predicting garbage', async () => {
    saveModel(dir, TINY_FASTTEXT);
    expect(readModel(dir).rowIds).toEqual(Uint32Array.from([3, 9]));
    const predictor = await loadStudent(dir);
    const [p] = await predictor.predict(['anything']);
    expect(p[0] + p[1]).toBeCloseTo(1, 12);
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(8));
    await expect(loadStudent(dir)).rejects.toThrow(/truncated/);
    rmSync(join(dir, 'model.json'));
    await expect(loadStudent(dir)).rejects.toThrow(/Train a student first/);
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
  });
});
