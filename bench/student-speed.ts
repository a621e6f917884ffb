/**
 * bench/student-speed: the default student's training speed alone (no references), for profiling the loop.
 * Trains the configuration of Auto's first trial (Auto off) on each dataset's training split (every 10th example
 * of the canonical training split is validation, as bench/student.ts splits it), featurizing, validation and
 * checkpoints included, `--repeat N` times, and prints examples x epochs / wall seconds and per CPU second.
 * `--auto`: the whole default run instead (Auto's trials, then the run), its wall and CPU seconds.
 * `npm run bench -- student-speed [unfair_tos,financial_phrasebank] [--repeat 3] [--auto]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetLoader } from './lib/datasets';
import { runAuto } from '../src/main/features/student/auto';
import { runTraining } from '../src/main/features/student/trainer';
import { AUTO_CONFIGURATIONS, DEFAULT_TRAIN_SETTINGS, TrainSettings } from '../src/shared/student';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const names = (args.find((a) => !a.startsWith('--')) ?? 'unfair_tos,financial_phrasebank').split(',');
  const ri = args.indexOf('--repeat');
  const repeat = ri >= 0 ? Number(args[ri + 1]) : 1;
  const auto = args.includes('--auto');
  const settings = auto
    ? DEFAULT_TRAIN_SETTINGS
    : TrainSettings.parse({ ...DEFAULT_TRAIN_SETTINGS, ...AUTO_CONFIGURATIONS[0], auto: false });
  const results: Array<Record<string, unknown>> = [];
  for (const name of names) {
    const ds = datasetLoader(name)();
    const labels = [...new Set([...ds.train, ...ds.test].map((r) => r.label))].sort();
    const cls = (l: string): number => labels.indexOf(l);
    const train = ds.train.filter((_, i) => i % 10 !== 0);
    const validation = ds.train.filter((_, i) => i % 10 === 0);
    for (let k = 0; k < repeat; k++) {
      // New objects each time: the loop would reuse the feature ids of the same data (trainer.ts).
      const data = {
        labels,
        train: train.map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
        validation: validation.map((r) => ({ text: r.text, label: cls(r.label) })),
      };
      const dir = mkdtempSync(join(tmpdir(), 'bench-student-speed-'));
      try {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const hooks = { onProgress: async () => undefined, onEpoch: async () => undefined };
        const input = { data, settings, runDir: dir, resumeFrom: null };
        const out = await (auto ? runAuto(input, hooks) : runTraining(input, hooks));
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        const line = {
          dataset: name,
          ...(auto ? { auto: true } : {}),
          epochs: out.epochsRun,
          seconds: Number(seconds.toFixed(2)),
          cpuSeconds: Number(cpuSeconds.toFixed(2)),
          examplesPerSecond: Math.round((train.length * out.epochsRun) / seconds),
          examplesPerCpuSecond: Math.round((train.length * out.epochsRun) / cpuSeconds),
          bestEpoch: out.bestEpoch,
          bestMetric: out.bestMetric,
        };
        results.push(line);
        console.log(JSON.stringify(line));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(JSON.stringify({ bench: 'student-speed', results }));
}

await main();
