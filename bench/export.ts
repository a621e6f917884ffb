/**
 * bench/export: the exported student (the folder `distillery export` writes, run by its own runtime in a fresh
 * Node process) on the shared datasets' test splits: throughput (documents/s, batches of 256) and p50/p95 latency of
 * single-document predictions. Reference measured in the same run: the app's own predictor (loadStudent) on the
 * same texts in this process; `ratio` = exported throughput / app throughput (the runtime should cost nothing).
 * The teacher's per-document time is read from a GGUF teacher when one is installed in the given data folder
 * (`--data-dir DIR`, its teacher_outputs.time_ms); otherwise it is reported as missing (null).
 *
 * Each dataset's student is trained for real (default settings, at most 5 epochs, gold labels of the train split).
 * Options: `npm run bench -- export [kuake_qic,unfair_tos,financial_phrasebank] [--data-dir DIR]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createCore } from '../src/main/core/core';
import { nowIso } from '../src/main/core/time';
import { loadStudent } from '../src/main/features/student/predictor';
import { runTraining } from '../src/main/features/student/trainer';
import { DEFAULT_TRAIN_SETTINGS } from '../src/shared/student';

const DATASETS = resolve(import.meta.dirname, '..', '..', 'shared', 'datasets');
const LATENCY_DOCS = 400;

interface Row {
  readonly text: string;
  readonly label: string;
}
interface Dataset {
  readonly name: string;
  readonly train: Row[];
  readonly test: Row[];
}

function loadKuake(): Dataset {
  const read = (f: string): Row[] =>
    (
      JSON.parse(readFileSync(join(DATASETS, 'kuake_qic', f), 'utf8')) as Array<{
        query: string;
        label: string;
      }>
    ).map((r) => ({ text: r.query, label: r.label }));
  return { name: 'kuake_qic', train: read('KUAKE-QIC_train.json'), test: read('KUAKE-QIC_dev.json') };
}

function loadUnfairTos(): Dataset {
  const lines = readFileSync(join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const train: Row[] = [];
  const test: Row[] = [];
  for (const line of lines) {
    const [, , split, labels, text] = line.split('\t');
    (split === 'train' ? train : test).push({ text, label: labels ? labels.split('|').sort()[0] : 'none' });
  }
  return { name: 'unfair_tos', train, test };
}

function loadPhrasebank(): Dataset {
  const raw = readFileSync(join(DATASETS, 'financial_phrasebank', 'all-data.csv')).toString('latin1');
  const rows: Row[] = [];
  for (const line of raw.split(/\r?\n/)) {
    const m = /^([a-z]+),"?(.*?)"?$/.exec(line.trim());
    if (!m || m[1] === 'label') continue;
    rows.push({ label: m[1], text: m[2].replace(/""/g, '"') });
  }
  return {
    name: 'financial_phrasebank',
    train: rows.filter((_, i) => i % 5 !== 4),
    test: rows.filter((_, i) => i % 5 === 4),
  };
}

const LOADERS: Record<string, () => Dataset> = {
  kuake_qic: loadKuake,
  unfair_tos: loadUnfairTos,
  financial_phrasebank: loadPhrasebank,
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Runs in a fresh Node process against the exported folder only: what a deployment would do. */
const MEASURE = `
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadFromFolder } from './predict.mjs';
const texts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const latencyDocs = Number(process.argv[3]);
const t0 = performance.now();
const model = loadFromFolder();
const loadMs = performance.now() - t0;
const t1 = performance.now();
for (let i = 0; i < texts.length; i += 256) model.predict(texts.slice(i, i + 256));
const seconds = (performance.now() - t1) / 1000;
const lat = [];
for (const t of texts.slice(0, latencyDocs)) { const s = performance.now(); model.predict([t]); lat.push(performance.now() - s); }
lat.sort((a, b) => a - b);
const pick = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
process.stdout.write(JSON.stringify({ loadMs, docsPerSecond: texts.length / seconds, p50Ms: pick(0.5), p95Ms: pick(0.95) }));
`;

interface Figures {
  dataset: string;
  testDocs: number;
  exported: { loadMs: number; docsPerSecond: number; p50Ms: number; p95Ms: number };
  app: { docsPerSecond: number; p50Ms: number; p95Ms: number };
  ratio: number;
  teacherMsPerDoc: number | null;
  studentVsTeacherSpeedup: number | null;
}

function teacherMsPerDoc(dataDir: string | null): number | null {
  if (!dataDir) return null;
  const db = new Database(join(dataDir, 'distillery.db'), { readonly: true, fileMustExist: true });
  try {
    const r = db
      .prepare('SELECT AVG(time_ms) AS ms, COUNT(*) AS n FROM teacher_outputs WHERE time_ms > 0')
      .get() as {
      ms: number | null;
      n: number;
    };
    return r.n > 0 ? r.ms : null;
  } finally {
    db.close();
  }
}

async function benchDataset(ds: Dataset, work: string, teacherMs: number | null): Promise<Figures> {
  const labels = [...new Set(ds.train.map((r) => r.label))].sort();
  const cls = (l: string): number => Math.max(0, labels.indexOf(l));
  const validation = ds.train.filter((_r, i) => i % 10 === 0);
  const train = ds.train.filter((_r, i) => i % 10 !== 0);
  const runDir = join(work, `${ds.name}-run`);
  const out = await runTraining(
    {
      data: {
        labels,
        train: train.map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
        validation: validation.map((r) => ({ text: r.text, label: cls(r.label) })),
      },
      settings: { ...DEFAULT_TRAIN_SETTINGS, maxEpochs: 5 },
      runDir,
      resumeFrom: null,
    },
    { onProgress: async () => undefined, onEpoch: async () => undefined },
  );

  // Export it the way the app does: a project with this run, then `export.student`.
  const dataDir = join(work, `${ds.name}-data`);
  const core = await createCore({ dataDir, mode: 'cli' });
  let exportDir: string;
  try {
    const project = await core.call('projects.create', { name: ds.name });
    const now = nowIso();
    const snapshot = labels.map((name, i) => {
      const info = core.db
        .prepare('INSERT INTO labels (project_id, name, position, created_at) VALUES (?, ?, ?, ?)')
        .run(project.id, name, i, now);
      return { id: Number(info.lastInsertRowid), name };
    });
    const run = core.db
      .prepare(
        `INSERT INTO student_runs (project_id, architecture, labels_snapshot, state, model_path, model_bytes, created_at)
         VALUES (?, 'fasttext', ?, 'completed', ?, ?, ?)`,
      )
      .run(project.id, JSON.stringify(snapshot), out.modelPath, out.modelBytes, now);
    exportDir = (
      await core.call('export.student', { projectId: project.id, runId: Number(run.lastInsertRowid) })
    ).dir;
  } finally {
    await core.dispose();
  }

  const texts = ds.test.map((r) => r.text);
  const textsFile = join(work, `${ds.name}-texts.json`);
  writeFileSync(textsFile, JSON.stringify(texts));
  writeFileSync(join(exportDir, 'measure.mjs'), MEASURE);
  const child = spawnSync(process.execPath, ['measure.mjs', textsFile, String(LATENCY_DOCS)], {
    cwd: exportDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`The exported runtime failed: ${child.stderr}`);
  const exported = JSON.parse(child.stdout) as Figures['exported'];

  const predictor = await loadStudent(out.modelPath);
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i += 256) await predictor.predict(texts.slice(i, i + 256));
  const appSeconds = (performance.now() - t0) / 1000;
  const lat: number[] = [];
  for (const t of texts.slice(0, LATENCY_DOCS)) {
    const s = performance.now();
    await predictor.predict([t]);
    lat.push(performance.now() - s);
  }
  predictor.dispose();
  lat.sort((a, b) => a - b);
  const app = {
    docsPerSecond: texts.length / appSeconds,
    p50Ms: percentile(lat, 0.5),
    p95Ms: percentile(lat, 0.95),
  };
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    dataset: ds.name,
    testDocs: texts.length,
    exported: {
      loadMs: round(exported.loadMs),
      docsPerSecond: Math.round(exported.docsPerSecond),
      p50Ms: round(exported.p50Ms),
      p95Ms: round(exported.p95Ms),
    },
    app: { docsPerSecond: Math.round(app.docsPerSecond), p50Ms: round(app.p50Ms), p95Ms: round(app.p95Ms) },
    ratio: round(exported.docsPerSecond / app.docsPerSecond),
    teacherMsPerDoc: teacherMs === null ? null : round(teacherMs),
    studentVsTeacherSpeedup:
      teacherMs === null ? null : Math.round(teacherMs / (1000 / exported.docsPerSecond)),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dirFlag = args.indexOf('--data-dir');
  const teacherDir = dirFlag >= 0 ? resolve(args[dirFlag + 1]) : null;
  const names = (
    args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--data-dir') ?? Object.keys(LOADERS).join(',')
  )
    .split(',')
    .filter(Boolean);
  const teacherMs = teacherMsPerDoc(teacherDir);
  const work = mkdtempSync(join(tmpdir(), 'distillery-bench-export-'));
  const results: Figures[] = [];
  try {
    for (const name of names) {
      const load = LOADERS[name];
      if (!load) throw new Error(`Unknown dataset ${name}; choose from ${Object.keys(LOADERS).join(', ')}.`);
      const r = await benchDataset(load(), work, teacherMs);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(
    JSON.stringify({
      bench: 'export',
      datasets: results,
      exportedDocsPerSecond: Math.round(mean(results.map((r) => r.exported.docsPerSecond))),
      appDocsPerSecond: Math.round(mean(results.map((r) => r.app.docsPerSecond))),
      ratio: Math.round(mean(results.map((r) => r.ratio)) * 1000) / 1000,
      ratioMeaning: 'exported runtime throughput / in-app loadStudent throughput, same texts, same run',
      teacherMsPerDoc: teacherMs,
      teacher:
        teacherMs === null
          ? 'missing: no teacher outputs with timings (pass --data-dir of a folder where a GGUF teacher ran)'
          : 'measured',
    }),
  );
}

await main();
