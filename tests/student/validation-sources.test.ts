import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTraining, type EpochReport, type TrainData } from '../../src/main/features/student/trainer';
import { DEFAULT_TRAIN_SETTINGS, MIN_HUMAN_VALIDATION } from '../../src/shared/student';

const UP = ['profits increased', 'sales rose sharply', 'revenue grew', 'margins improved', 'orders went up'];
const DOWN = [
  'profits fell',
  'sales dropped sharply',
  'revenue shrank',
  'margins worsened',
  'orders went down',
];

/**
 * Validation documents: `human` labelled by people (half of them deliberately mislabelled, so that the student
 * disagrees with people there), `teacher` with only the teacher's (correct) top label.
 */
function data(human: number, teacher: number): TrainData {
  const train = [
    ...UP.map((text) => ({ text, label: 0, teacher: null })),
    ...DOWN.map((text) => ({ text, label: 1, teacher: null })),
  ];
  const validation: Array<{ text: string; label: number; fromTeacher: boolean }> = [];
  for (let i = 0; i < human; i++) {
    const up = i % 2 === 0;
    const text = `${(up ? UP : DOWN)[i % 5]} in quarter ${i}`;
    validation.push({ text, label: i % 4 < 2 ? (up ? 0 : 1) : up ? 1 : 0, fromTeacher: false });
  }
  for (let i = 0; i < teacher; i++) {
    const up = i % 2 === 0;
    validation.push({
      text: `${(up ? UP : DOWN)[i % 5]} in year ${i}`,
      label: up ? 0 : 1,
      fromTeacher: true,
    });
  }
  return { labels: ['up', 'down'], train, validation };
}

async function lastEpoch(d: TrainData): Promise<EpochReport> {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-valsrc-'));
  try {
    const epochs: EpochReport[] = [];
    await runTraining(
      {
        data: d,
        settings: { ...DEFAULT_TRAIN_SETTINGS, maxEpochs: 3, learningRate: 0.1 },
        runDir: dir,
        resumeFrom: null,
      },
      { onProgress: async () => undefined, onEpoch: async (e) => void epochs.push(e) },
    );
    return epochs[epochs.length - 1];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('validation figures say whom they agree with', () => {
  it('reports people and teacher separately, and stops on people when there are enough of them', async () => {
    const e = await lastEpoch(data(MIN_HUMAN_VALIDATION, 20));
    expect(e.valHumanCount).toBe(MIN_HUMAN_VALIDATION);
    expect(e.valTeacherCount).toBe(20);
    // The stopping figures are the people's.
    expect(e.valMacroF1).toBe(e.valHumanMacroF1);
    expect(e.valAccuracy).toBe(e.valHumanAccuracy);
    // Half of the people's labels are flipped on purpose: the student agrees with the teacher far more.
    expect(e.valTeacherAccuracy).toBeGreaterThan(e.valHumanAccuracy);
  });

  it('below the minimum, stops on every validation document (one macro-F1 over all of them)', async () => {
    const d = data(MIN_HUMAN_VALIDATION - 1, 20);
    const e = await lastEpoch(d);
    expect(e.valHumanCount).toBe(MIN_HUMAN_VALIDATION - 1);
    expect(e.valTeacherCount).toBe(20);
    // Over all 49 documents: between the two parts' accuracies, weighted by their sizes.
    const all = (e.valHumanAccuracy * e.valHumanCount + e.valTeacherAccuracy * e.valTeacherCount) / 49;
    expect(e.valAccuracy).toBeCloseTo(all, 12);
    expect(e.valMacroF1).not.toBe(e.valHumanMacroF1);
  });

  it('has no people figures (NaN) when no validation document is labelled by people', async () => {
    const e = await lastEpoch(data(0, 12));
    expect(e.valHumanCount).toBe(0);
    expect(e.valHumanMacroF1).toBeNaN();
    expect(e.valMacroF1).toBe(e.valTeacherMacroF1);
  });
});
