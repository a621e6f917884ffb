/**
 * bench/export: the exported student (the folder `distillery export` writes, run by its own runtime in a fresh
 * Node process) on the shared datasets' test splits: throughput (documents/s, batches of 256) and p50/p95 latency of
 * single-document predictions. Reference measured in the same run: the app's own predictor (loadStudent) on the
 * same texts in this process; `ratio` = exported throughput / app throughput (the runtime should cost nothing).
 * The teacher's per-document time is measured in the same run, the way bench/teacher.ts does it: the same generated
 * qwen2 GGUF of >= 100M parameters (random weights, real size: written once to bench/.work/ and reused), loaded by
 * Distillery's teacher process (TeacherClient, CPU, 1 thread by default), labelling the first `--teacher-docs`
 * test documents of unfair_tos with bench/teacher.ts's prompt plan. `ratioTeacherToStudentPerDoc` = teacher ms/doc
 * divided by the exported student's p50 ms/doc on unfair_tos (the same documents). With `--data-dir DIR` the average
 * teacher_outputs.time_ms of that data folder (a real teacher that ran there) is reported next to it.
 *
 * Each dataset's student is trained for real (default settings, at most 5 epochs, gold labels of the train split).
 * Options: `npm run bench -- export [kuake_qic,unfair_tos,financial_phrasebank] [--data-dir DIR]
 *          [--teacher-docs N (16)] [--teacher-threads N (1)]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createCore } from '../src/main/core/core';
import { nowIso } from '../src/main/core/time';
import { loadStudent } from '../src/main/features/student/predictor';
import { runTraining } from '../src/main/features/student/trainer';
import type { ScoreItem } from '../src/main/features/teacher/protocol';
import { recommendedSequences } from '../src/main/features/teacher/service';
import { TeacherClient } from '../src/main/features/teacher/teacher.client';
import { DEFAULT_TRAIN_SETTINGS } from '../src/shared/student';
import { DATASET_LOADERS, datasetLoader, type Dataset } from './lib/datasets';
import { BENCH_TEACHER_MODEL, BENCH_TEACHER_PLAN, benchTeacherModel } from './lib/teacher-model';

const LATENCY_DOCS = 400;
const TEACHER_DATASET = 'unfair_tos';

interface TeacherFigures {
  readonly msPerDoc: number;
  readonly meanItemMs: number;
  readonly docs: number;
  readonly dataset: string;
  readonly threads: number;
  readonly sequences: number;
  readonly parameters: number;
  readonly quantisation: string;
  readonly file: string;
  readonly errors: number;
}

/** Labels `docs` texts through the Distillery teacher process (as bench/teacher.ts does) and times it. */
async function measureTeacher(texts: readonly string[], threads: number): Promise<TeacherFigures> {
  const { path: modelPath, parameters } = benchTeacherModel();
  process.stderr.write(`teacher: model ${modelPath} (generated once, then reused)\n`);
  const sequences = recommendedSequences();
  const items: ScoreItem[] = texts.map((text, i) => ({ id: i + 1, text }));
  const client = new TeacherClient();
  try {
    await client.request({
      op: 'load',
      options: { modelPath, threads, sequences, contextSize: 1024, gpu: false },
    });
    // Warm-up: the first evaluation pays for allocations.
    await client.request({ op: 'score', plan: BENCH_TEACHER_PLAN, items: items.slice(0, 1), strategy: {} });
    const t0 = performance.now();
    const results = await client.request({ op: 'score', plan: BENCH_TEACHER_PLAN, items, strategy: {} });
    const ms = performance.now() - t0;
    return {
      msPerDoc: ms / items.length,
      meanItemMs: results.reduce((a, r) => a + r.timeMs, 0) / Math.max(1, results.length),
      docs: items.length,
      dataset: TEACHER_DATASET,
      threads,
      sequences,
      parameters,
      quantisation: (BENCH_TEACHER_MODEL.dtype ?? 'f32').toUpperCase(),
      file: modelPath,
      errors: results.filter((r) => r.error !== null || r.logLikelihoods === null).length,
    };
  } finally {
    await client.dispose();
  }
}

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
  teacherMsPerDoc: number;
  ratioTeacherToStudentPerDoc: number;
}

function dataDirTeacherMsPerDoc(dataDir: string | null): number | null {
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

async function benchDataset(ds: Dataset, work: string, teacherMs: number): Promise<Figures> {
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
  const p50Ms = round(exported.p50Ms);
  return {
    dataset: ds.name,
    testDocs: texts.length,
    exported: {
      loadMs: round(exported.loadMs),
      docsPerSecond: Math.round(exported.docsPerSecond),
      p50Ms,
      p95Ms: round(exported.p95Ms),
    },
    app: { docsPerSecond: Math.round(app.docsPerSecond), p50Ms: round(app.p50Ms), p95Ms: round(app.p95Ms) },
    ratio: round(exported.docsPerSecond / app.docsPerSecond),
    teacherMsPerDoc: round(teacherMs),
    ratioTeacherToStudentPerDoc: Math.round(teacherMs / p50Ms),
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      'teacher-docs': { type: 'string', default: '16' },
      'teacher-threads': { type: 'string', default: '1' },
    },
  });
  const teacherDir = values['data-dir'] === undefined ? null : resolve(values['data-dir']);
  const teacherDocs = Number(values['teacher-docs']);
  const teacherThreads = Number(values['teacher-threads']);
  if (!Number.isInteger(teacherDocs) || teacherDocs < 1)
    throw new Error('--teacher-docs takes a whole number >= 1.');
  if (!Number.isInteger(teacherThreads) || teacherThreads < 1) {
    throw new Error('--teacher-threads takes a whole number >= 1.');
  }
  const names = (positionals[0] ?? Object.keys(DATASET_LOADERS).join(',')).split(',').filter(Boolean);
  for (const name of names) datasetLoader(name); // refuses an unknown name before any work
  const dataDirMs = dataDirTeacherMsPerDoc(teacherDir);

  const teacherTexts = datasetLoader(TEACHER_DATASET)()
    .test.slice(0, teacherDocs)
    .map((r) => r.text);
  const teacher = await measureTeacher(teacherTexts, teacherThreads);
  process.stderr.write(
    `teacher: ${teacher.msPerDoc.toFixed(1)} ms/doc over ${teacher.docs} ${teacher.dataset} test documents\n`,
  );

  const work = mkdtempSync(join(tmpdir(), 'distillery-bench-export-'));
  const results: Figures[] = [];
  try {
    for (const name of names) {
      const r = await benchDataset(datasetLoader(name)(), work, teacher.msPerDoc);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  // The student's p50 on the documents the teacher labelled; without that dataset in the run, the mean over the run's.
  const same = results.find((r) => r.dataset === TEACHER_DATASET);
  const studentP50 = same ? same.exported.p50Ms : mean(results.map((r) => r.exported.p50Ms));
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      bench: 'export',
      datasets: results,
      exportedDocsPerSecond: Math.round(mean(results.map((r) => r.exported.docsPerSecond))),
      appDocsPerSecond: Math.round(mean(results.map((r) => r.app.docsPerSecond))),
      ratio: round(mean(results.map((r) => r.ratio))),
      ratioMeaning: 'exported runtime throughput / in-app loadStudent throughput, same texts, same run',
      teacherMsPerDoc: round(teacher.msPerDoc),
      teacherModel: {
        architecture: 'qwen2',
        parameters: teacher.parameters,
        quantisation: teacher.quantisation,
        file: teacher.file,
        threads: teacher.threads,
        sequences: teacher.sequences,
        gpu: false,
      },
      teacherDocs: teacher.docs,
      teacherDataset: teacher.dataset,
      teacherMeanItemMs: round(teacher.meanItemMs),
      teacherErrors: teacher.errors,
      teacher:
        'measured in this run through the Distillery teacher process (TeacherClient, as bench/teacher.ts) on a generated ' +
        'random-weight qwen2 GGUF of real size: compute-bound, so its timing is representative of a ~100M-parameter ' +
        'model on this machine, not of a 7B one (expect a real 7B teacher to be much slower)',
      studentP50MsForRatio: round(studentP50),
      studentP50Source: same
        ? `${TEACHER_DATASET} exported p50 (same documents)`
        : 'mean exported p50 of this run',
      ratioTeacherToStudentPerDoc: Math.round(teacher.msPerDoc / studentP50),
      ratioTeacherToStudentPerDocMeaning:
        'teacher ms/doc / exported student p50 ms/doc, same machine, same run',
      teacherMsPerDocFromDataDir: dataDirMs === null ? null : round(dataDirMs),
    }),
  );
}

await main();
