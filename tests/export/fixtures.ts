import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '../../src/main/core/core';
import { nowIso } from '../../src/main/core/time';
import { DEFAULT_FEATURIZER, featurize, tokenSequence } from '../../src/main/features/student/featurizer';
import type { ModelDescription } from '../../src/main/features/student/model';
import { buildModel, modelTensorShapes } from '../../src/main/features/student/modelKinds';
import type { StudentArchitectureName } from '../../src/shared/student';
import { saveModel } from '../../src/main/features/student/modelFile';

/**
 * Gives a project what the teacher, train and evaluate steps leave behind (a teacher run with outputs, a
 * student run with its model folder and checkpoints, metrics, a job), written straight into SQLite and the data
 * folder, so that backup and restore are tested on a complete project.
 */
export function addRunArtifacts(core: Core, projectId: number): { studentRunId: number; modelDir: string } {
  const db = core.db;
  const now = nowIso();
  const labels = db
    .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position')
    .all(projectId) as Array<{ id: number; name: string }>;
  const examples = db
    .prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id LIMIT 40')
    .pluck()
    .all(projectId) as number[];
  const modelSha = `sha-${projectId}-teacher`;
  db.prepare(
    `INSERT OR IGNORE INTO teacher_models (name, file_path, sha256, size_bytes, created_at)
     VALUES ('tiny teacher', '/nowhere/tiny.gguf', ?, 1234, ?)`,
  ).run(modelSha, now);
  const modelId = db
    .prepare('SELECT id FROM teacher_models WHERE sha256 = ?')
    .pluck()
    .get(modelSha) as number;
  const job = db
    .prepare(
      `INSERT INTO jobs (project_id, kind, title, state, params, checkpoint, created_at, updated_at)
       VALUES (?, 'teacher.run', 'Teacher labels', 'interrupted', '{"runId":1}', '{"done":3}', ?, ?)`,
    )
    .run(projectId, now, now);
  const teacherRun = db
    .prepare(
      `INSERT INTO teacher_runs (project_id, model_id, model_sha256, mode, prompt_template, labels_snapshot, job_id, created_at)
       VALUES (?, ?, ?, 'direct', 'Classify: {text}', ?, ?, ?)`,
    )
    .run(projectId, modelId, modelSha, JSON.stringify(labels), Number(job.lastInsertRowid), now);
  const teacherRunId = Number(teacherRun.lastInsertRowid);
  const insertOutput = db.prepare(
    `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, created_at)
     VALUES (?, ?, ?, ?, ?, 0.5, 0.2, ?)`,
  );
  examples.forEach((id, i) => {
    const p = (i % 10) / 10;
    insertOutput.run(
      teacherRunId,
      id,
      JSON.stringify([p, 1 - p]),
      JSON.stringify([Math.log(p + 1e-9), Math.log(1 - p + 1e-9)]),
      labels[p < 0.5 ? 1 : 0].id,
      now,
    );
  });
  const studentRun = db
    .prepare(
      `INSERT INTO student_runs (project_id, teacher_run_id, architecture, labels_snapshot, state, best_epoch, model_path, threshold, created_at)
       VALUES (?, ?, 'bow-mlp', ?, 'completed', 2, '', '{"label":"unfair","value":0.4}', ?)`,
    )
    .run(projectId, teacherRunId, JSON.stringify(labels), now);
  const studentRunId = Number(studentRun.lastInsertRowid);
  const runDir = join(core.paths.runs, `student-${studentRunId}`);
  const modelDir = join(runDir, 'best');
  mkdirSync(modelDir, { recursive: true });
  writeFileSync(join(modelDir, 'model.json'), JSON.stringify({ format: 'layers-model', run: studentRunId }));
  writeFileSync(
    join(modelDir, 'weights.bin'),
    Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256)),
  );
  db.prepare('UPDATE student_runs SET model_path = ? WHERE id = ?').run(modelDir, studentRunId);
  for (const epoch of [1, 2]) {
    const dir = join(runDir, `epoch-${epoch}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(1000, epoch));
    db.prepare(
      'INSERT INTO checkpoints (run_id, epoch, path, metric, is_best, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(studentRunId, epoch, dir, 0.5 + epoch / 10, epoch === 2 ? 1 : 0, now);
    db.prepare(
      `INSERT INTO metrics (project_id, student_run_id, kind, epoch, split, name, value, created_at)
       VALUES (?, ?, 'epoch', ?, 'validation', 'macro_f1', ?, ?)`,
    ).run(projectId, studentRunId, epoch, 0.5 + epoch / 10, now);
  }
  return { studentRunId, modelDir };
}

/**
 * A student model in the student feature's own format, written by its own `saveModel`, with seeded random
 * weights over the features of the project's texts: what a training run leaves, without spending minutes
 * training in every test. Registered as a completed run with a saved operating threshold.
 */
export function addStudentModel(
  core: Core,
  projectId: number,
  opts: { dim?: number; seed?: number; architecture?: StudentArchitectureName } = {},
): {
  runId: number;
  modelDir: string;
  labels: string[];
} {
  const db = core.db;
  const dim = opts.dim ?? 16;
  let state = opts.seed ?? 7;
  const rand = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const labels = db
    .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position')
    .all(projectId) as Array<{ id: number; name: string }>;
  const texts = db
    .prepare('SELECT text FROM examples WHERE project_id = ? ORDER BY id LIMIT 300')
    .pluck()
    .all(projectId) as string[];
  const architecture = opts.architecture ?? 'fasttext';
  const maxTokens = 64;
  const buckets = new Set<number>();
  for (const t of texts) {
    const ids =
      architecture === 'fasttext'
        ? featurize(t, DEFAULT_FEATURIZER)
        : tokenSequence(t, DEFAULT_FEATURIZER, maxTokens);
    for (const id of ids) buckets.add(id);
  }
  const rowIds = Uint32Array.from([...buckets].sort((a, b) => a - b));
  const description: ModelDescription = {
    architecture,
    labels: labels.map((l) => l.name),
    featurizer: DEFAULT_FEATURIZER,
    dim,
    cnn: { kernelSize: 3, filters: 12, maxTokens },
    transformer: { hidden: 2 * dim, maxTokens },
  };
  // Random weights of the right shapes; the head's larger, so that the classes' probabilities differ.
  const shapes = new Map((modelTensorShapes(description, rowIds.length) ?? []).map(([n, , sh]) => [n, sh]));
  const model = buildModel(description, (name) =>
    name === 'rowIds'
      ? rowIds
      : Float32Array.from({ length: (shapes.get(name) ?? []).reduce((a, b) => a * b, 1) }, () =>
          name === 'weight' ? 4 * rand() : rand(),
        ),
  );
  const now = nowIso();
  const info = db
    .prepare(
      `INSERT INTO student_runs (project_id, architecture, labels_snapshot, state, best_epoch, best_metric, created_at, finished_at)
       VALUES (?, ?, ?, 'completed', 3, 0.71, ?, ?)`,
    )
    .run(projectId, architecture, JSON.stringify(labels), now, now);
  const runId = Number(info.lastInsertRowid);
  const modelDir = join(core.paths.runs, `student-${runId}`, 'model');
  const bytes = saveModel(modelDir, model, { runId });
  const threshold = {
    label: labels[1].name,
    classIndex: 1,
    threshold: 0.35,
    by: 'threshold',
    target: 0.35,
    costFp: 1,
    costFn: 1,
    savedAt: now,
  };
  db.prepare('UPDATE student_runs SET model_path = ?, model_bytes = ?, threshold = ? WHERE id = ?').run(
    modelDir,
    bytes,
    JSON.stringify(threshold),
    runId,
  );
  return { runId, modelDir, labels: labels.map((l) => l.name) };
}
