import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAuto } from '../../src/main/features/student/auto';
import { runTraining, type TrainData } from '../../src/main/features/student/trainer';
import { addEpochToAverage, newAverage } from '../../src/main/features/student/training/average';
import { checkpointName } from '../../src/main/features/student/training/checkpoint';
import { TrainSettings, type TrainSettingsInput } from '../../src/shared/student';
import { tempDir } from '../helpers';
import { kuakeTrainData } from './fixtures';

const data = (): TrainData => kuakeTrainData();

const cleanups: Array<() => void> = [];
function runDir(): string {
  const { dir, cleanup } = tempDir('average-test-');
  cleanups.push(cleanup);
  return dir;
}
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const quiet = { onProgress: async () => undefined, onEpoch: async () => undefined };

function settings(over: TrainSettingsInput): TrainSettings {
  return TrainSettings.parse({ maxEpochs: 4, patience: 10, seed: 7, auto: false, metric: 'loss', ...over });
}

function weights(modelPath: string): Buffer {
  return readFileSync(join(modelPath, 'weights.bin'));
}

describe('weights averaged over epochs (settings.averageWeights)', () => {
  it('is off by default (Auto tries it) and for runs created before it', () => {
    expect(TrainSettings.parse({}).averageWeights).toBe(false);
  });

  it('keeps the running mean of the epochs, exactly for a column that never changes', () => {
    const p = (w: number[]): Parameters<typeof newAverage>[0] => ({
      slotBucket: new Uint32Array([1]),
      emb: { w: Float32Array.from(w), m: new Float32Array(3), v: new Float32Array(3) },
      dense: { bias: { w: Float32Array.from(w.slice(1)), m: new Float32Array(2), v: new Float32Array(2) } },
    });
    const avg = newAverage(p([0.7, 0, 0]));
    addEpochToAverage(avg, p([0.7, 1, 3]), 1);
    addEpochToAverage(avg, p([0.7, 2, 6]), 2);
    addEpochToAverage(avg, p([0.7, 6, 0]), 3);
    expect([...avg.emb.w]).toEqual([Math.fround(0.7), 3, 3]);
    expect([...avg.dense.bias.w]).toEqual([3, 3]);
  });

  it('after one epoch is the trained weights; after more, another model', async () => {
    const one = async (averageWeights: boolean, maxEpochs: number): Promise<Buffer> =>
      weights(
        (
          await runTraining(
            {
              data: data(),
              settings: settings({ averageWeights, maxEpochs }),
              runDir: runDir(),
              resumeFrom: null,
            },
            quiet,
          )
        ).modelPath,
      );
    expect((await one(true, 1)).equals(await one(false, 1))).toBe(true);
    expect((await one(true, 3)).equals(await one(false, 3))).toBe(false);
  }, 60_000);

  it('resumes from a checkpoint (its mean kept in it) and ends with the same model, final fit included', async () => {
    const s = settings({ averageWeights: true });
    const reference = await runAuto({ data: data(), settings: s, runDir: runDir(), resumeFrom: null }, quiet);
    const dir = runDir();
    const stop = new Error('the app quit');
    await expect(
      runAuto(
        { data: data(), settings: s, runDir: dir, resumeFrom: null },
        {
          ...quiet,
          onEpoch: async (e) => {
            if (e.epoch === 2) throw stop;
          },
        },
      ),
    ).rejects.toBe(stop);
    const resumed = await runAuto(
      { data: data(), settings: s, runDir: dir, resumeFrom: join(dir, checkpointName(2)) },
      quiet,
    );
    expect(resumed.bestEpoch).toBe(reference.bestEpoch);
    expect(resumed.bestMetric).toBe(reference.bestMetric);
    expect(resumed.finalFit).toEqual(reference.finalFit);
    expect(weights(resumed.modelPath).equals(weights(reference.modelPath))).toBe(true);
  }, 120_000);

  it('refuses to resume an averaging run from a checkpoint without the mean', async () => {
    const dir = runDir();
    const stop = new Error('stop');
    await expect(
      runTraining(
        { data: data(), settings: settings({ averageWeights: false }), runDir: dir, resumeFrom: null },
        {
          ...quiet,
          onEpoch: async () => {
            throw stop;
          },
        },
      ),
    ).rejects.toBe(stop);
    await expect(
      runTraining(
        {
          data: data(),
          settings: settings({ averageWeights: true }),
          runDir: dir,
          resumeFrom: join(dir, checkpointName(1)),
        },
        quiet,
      ),
    ).rejects.toMatchObject({ code: 'BAD_FILE' });
  }, 60_000);
});
