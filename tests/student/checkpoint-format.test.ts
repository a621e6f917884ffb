import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FeaturizerConfig } from '../../src/main/features/student/featurizer';
import { parseRunSettings } from '../../src/main/features/student/runs';
import { runTraining, type EpochReport } from '../../src/main/features/student/trainer';
import { FIXTURE_ARCHITECTURES, fixtureData } from './checkpointFixture';

const FIXTURES = join(__dirname, '../fixtures/student-checkpoints');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function train(
  architecture: string,
  resume: boolean,
): Promise<{ epochs: EpochReport[]; epochsRun: number }> {
  const stored = JSON.parse(readFileSync(join(FIXTURES, `${architecture}-settings.json`), 'utf8')) as {
    settings: unknown;
    featurizer: FeaturizerConfig;
  };
  const settings = parseRunSettings(JSON.stringify(stored.settings));
  const runDir = mkdtempSync(join(tmpdir(), 'distillery-ckpt-format-'));
  dirs.push(runDir);
  let resumeFrom: string | null = null;
  if (resume) {
    resumeFrom = join(runDir, 'epoch-0001.ckpt');
    copyFileSync(join(FIXTURES, `${architecture}-epoch-0001.ckpt`), resumeFrom);
  }
  const epochs: EpochReport[] = [];
  const hooks = {
    onProgress: async (): Promise<void> => undefined,
    onEpoch: async (r: EpochReport): Promise<void> => void epochs.push(r),
  };
  const out = await runTraining(
    { data: fixtureData(), settings, featurizer: stored.featurizer, runDir, resumeFrom },
    hooks,
  );
  return { epochs, epochsRun: out.epochsRun };
}

describe('checkpoints written before the trainer was split into architectures and one loop', () => {
  it.each(FIXTURE_ARCHITECTURES)(
    'a %s run resumes from its old epoch-1 checkpoint and ends exactly like an uninterrupted run',
    async (architecture) => {
      const resumed = await train(architecture, true);
      const fresh = await train(architecture, false);
      expect(resumed.epochsRun).toBe(3);
      expect(resumed.epochs.map((e) => e.epoch)).toEqual([2, 3]);
      const figures = (e: EpochReport): number[] => [e.trainLoss, e.valLoss, e.valAccuracy, e.valMacroF1];
      // Bit for bit: the old file's parameters, Adam moments and step are read as the current code writes them.
      expect(resumed.epochs.map(figures)).toEqual(fresh.epochs.slice(1).map(figures));
    },
    120_000,
  );
});
