import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from '../../src/main/core/core';
import type { Db } from '../../src/main/core/store/db';
import type { Job } from '../../src/shared/jobs';
import { DEFAULT_FEATURIZER } from '../../src/main/features/student/featurizer';
import type { StudentModel } from '../../src/main/features/student/model';
import type { TrainData } from '../../src/main/features/student/trainer';
import { DATASETS } from '../helpers';

/** A two-label fastText-style model small enough to read by eye (two hashed rows, an identity head). */
export const TINY_FASTTEXT: StudentModel = {
  architecture: 'fasttext',
  labels: ['a', 'b'],
  featurizer: DEFAULT_FEATURIZER,
  dim: 2,
  rowIds: Uint32Array.from([3, 9]),
  embeddings: Float32Array.from([1, 0, 0, 1]),
  weight: Float32Array.from([1, 0, 0, 1]),
  bias: Float32Array.from([0, 0]),
};

export interface FixtureExample {
  readonly text: string;
  readonly split: 'train' | 'validation' | 'test' | null;
  /** Label name of a human annotation, or null. */
  readonly label: string | null;
  readonly excluded?: boolean;
}

/** Inserts a project with labels, examples and human annotations the way the data step stores them. */
export function insertProject(
  db: Db,
  labels: readonly string[],
  examples: readonly FixtureExample[],
): {
  projectId: number;
  labelIds: Map<string, number>;
  exampleIds: number[];
} {
  const now = new Date().toISOString();
  return db.transaction(() => {
    const projectId = Number(
      db
        .prepare('INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)')
        .run('Student test', now, now).lastInsertRowid,
    );
    const labelIds = new Map<string, number>();
    labels.forEach((name, i) => {
      const info = db
        .prepare('INSERT INTO labels (project_id, name, position, created_at) VALUES (?, ?, ?, ?)')
        .run(projectId, name, i, now);
      labelIds.set(name, Number(info.lastInsertRowid));
    });
    const insertExample = db.prepare(
      'INSERT INTO examples (project_id, text, length, split, excluded, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertAnnotation = db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
       VALUES (?, ?, ?, 'import', 'import', ?)`,
    );
    const exampleIds = examples.map((e) => {
      const id = Number(
        insertExample.run(projectId, e.text, e.text.length, e.split, e.excluded ? 1 : 0, now).lastInsertRowid,
      );
      if (e.label !== null) insertAnnotation.run(projectId, id, labelIds.get(e.label) ?? null, now);
      return id;
    });
    return { projectId, labelIds, exampleIds };
  })();
}

/** A teacher run as the teacher feature stores it: label snapshot [{id,name}], probabilities in that order. */
export function insertTeacherRun(
  db: Db,
  projectId: number,
  snapshot: ReadonlyArray<{ id: number; name: string }>,
  outputs: ReadonlyArray<{ exampleId: number; probs: number[] }>,
): number {
  const now = new Date().toISOString();
  return db.transaction(() => {
    const runId = Number(
      db
        .prepare(
          `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
           VALUES (?, 'test', 'direct', 'test', ?, ?)`,
        )
        .run(projectId, JSON.stringify(snapshot), now).lastInsertRowid,
    );
    const insert = db.prepare(
      `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, entropy, margin, created_at)
       VALUES (?, ?, ?, '[]', 0, 0, ?)`,
    );
    for (const o of outputs) insert.run(runId, o.exampleId, JSON.stringify(o.probs), now);
    return runId;
  })();
}

export interface KuakeRow {
  readonly text: string;
  readonly label: string;
}

/** KUAKE-QIC with its canonical split: train file for training, dev file as the (labelled) test set. */
export function loadKuake(): { labels: string[]; train: KuakeRow[]; dev: KuakeRow[] } {
  const dir = join(DATASETS, 'kuake_qic');
  const labels = readFileSync(join(dir, 'labels.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t')[0]);
  const read = (f: string): KuakeRow[] =>
    (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Array<{ query: string; label: string }>).map((r) => ({
      text: r.query,
      label: r.label,
    }));
  return { labels, train: read('KUAKE-QIC_train.json'), dev: read('KUAKE-QIC_dev.json') };
}

/** The first `n` kuake_qic training queries as a project's examples, every 10th on the validation split. */
export function kuakeSubset(n: number): { labels: string[]; examples: FixtureExample[] } {
  const { labels, train } = loadKuake();
  return {
    labels,
    examples: train
      .slice(0, n)
      .map((r, i) => ({ text: r.text, label: r.label, split: i % 10 === 0 ? 'validation' : 'train' })),
  };
}

/** Labelled rows as a run's data: every 10th (human-labelled) validation, the rest training. */
export function splitTrainData(
  rows: ReadonlyArray<{ text: string; label: string }>,
  labels: readonly string[],
): TrainData {
  const cls = (l: string): number => labels.indexOf(l);
  return {
    labels: [...labels],
    train: rows
      .filter((_, i) => i % 10 !== 0)
      .map((r) => ({ text: r.text, label: cls(r.label), teacher: null })),
    validation: rows.filter((_, i) => i % 10 === 0).map((r) => ({ text: r.text, label: cls(r.label) })),
  };
}

/** The first `n` kuake_qic training queries as a run's data (`splitTrainData`). */
export function kuakeTrainData(n = 400): TrainData {
  const { labels, train } = loadKuake();
  return splitTrainData(train.slice(0, n), labels);
}

/** Resolves with the first job update that `predicate` accepts. */
export function waitForJob(core: Core, predicate: (j: Job) => boolean): Promise<Job> {
  return new Promise((resolve) => {
    const off = core.events.subscribe((e) => {
      if (e.name !== 'job.updated') return;
      const job = e.payload as Job;
      if (predicate(job)) {
        off();
        resolve(job);
      }
    });
  });
}
