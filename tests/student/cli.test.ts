import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { StudentRun, StudentRunDetail } from '../../src/shared/student';
import { ROOT, tempDir, testCore } from '../helpers';
import { insertProject, loadKuake } from './fixtures';

function cli(dataDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dataDir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('distillery train', () => {
  it('trains from the command line, lists runs and shows curves, with --json', async () => {
    const data = tempDir();
    try {
      const t = await testCore({ dataDir: data.dir });
      const { labels, train } = loadKuake();
      const { projectId } = insertProject(
        t.core.db,
        labels,
        train
          .slice(0, 600)
          .map((r, i) => ({ text: r.text, label: r.label, split: i % 6 === 0 ? 'validation' : 'train' })),
      );
      await t.close({ keep: true });

      const trained = cli(data.dir, 'train', String(projectId), '--epochs', '2', '--human-only', '--json');
      expect(trained.stderr).not.toMatch(/Error/);
      expect(trained.status).toBe(0);
      const run = JSON.parse(trained.stdout) as StudentRunDetail;
      expect(run).toMatchObject({
        state: 'completed',
        teacherRunId: null,
        settings: { maxEpochs: 2, useTeacher: false },
      });
      expect(run.epochs).toHaveLength(2);
      // The default run is the sparse student in Auto mode: every configuration tried, one chosen, all recorded.
      expect(run.architecture).toBe('sparse');
      expect(run.auto?.trials).toHaveLength(6);
      expect(run.auto?.chosen).toBeGreaterThanOrEqual(1);
      expect(run.auto?.trials.every((t) => t.measuredOn === 'people' && t.validationCount === 100)).toBe(
        true,
      );

      const runs = JSON.parse(
        cli(data.dir, 'train', 'runs', String(projectId), '--json').stdout,
      ) as StudentRun[];
      expect(runs.map((r) => r.id)).toEqual([run.id]);
      expect(run.settings.initFromRunId).toBeUndefined();
      const shown = cli(data.dir, 'train', 'show', String(run.id));
      expect(shown.stdout).toContain('<- best');
      expect(shown.stdout).toContain('val macro-F1');
      expect(shown.stdout).toMatch(/auto: tried 6 of 6 configurations, trained number \d/);
      expect(shown.stdout).toContain('<- chosen');

      const warm = cli(
        data.dir,
        'train',
        String(projectId),
        '--epochs',
        '1',
        '--human-only',
        '--from-run',
        String(run.id),
        '--json',
      );
      expect(warm.status).toBe(0);
      expect(JSON.parse(warm.stdout)).toMatchObject({
        state: 'completed',
        settings: { initFromRunId: run.id },
      });
      const refused = cli(data.dir, 'train', String(projectId), '--from-run', '999', '--json');
      expect(refused.status).toBe(1);
      expect(JSON.parse(refused.stderr)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

      const bad = cli(data.dir, 'train', String(projectId), '--alpha', '3', '--json');
      expect(bad.status).toBe(1);
      expect(JSON.parse(bad.stderr)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    } finally {
      data.cleanup();
    }
  }, 300_000);
});
