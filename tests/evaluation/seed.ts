import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../src/main/core/store/db';
import type { StudentPredictor } from '../../src/main/features/student/predictor';

/**
 * A small project written straight into SQLite, as the data, review, teacher and train steps would leave it:
 * two labels, a human-labelled test split, a teacher run with outputs, and a student run with a model folder.
 */
export interface SeededProject {
  readonly projectId: number;
  readonly labelIds: { readonly fair: number; readonly unfair: number };
  /** Test examples in order, with their gold label name. */
  readonly test: ReadonlyArray<{ id: number; text: string; gold: 'fair' | 'unfair' }>;
  readonly teacherRunId: number;
  readonly studentRunId: number;
  readonly modelDir: string;
}

const NOW = '2026-11-27T12:00:00.000Z';

/** Test documents: the word "unfair" in a text is what the fake student keys on; the teacher is told per document. */
const TEST_DOCS: ReadonlyArray<{ text: string; gold: 'fair' | 'unfair'; teacher: number }> = [
  { text: 'We may terminate your account at any time unfair', gold: 'unfair', teacher: 0.92 },
  { text: 'You can contact support by email', gold: 'fair', teacher: 0.1 },
  { text: 'Disputes go to arbitration unfair', gold: 'unfair', teacher: 0.85 },
  { text: 'We store your data in the EU', gold: 'fair', teacher: 0.3 },
  { text: 'We change these terms whenever we like', gold: 'unfair', teacher: 0.4 },
  { text: 'You may delete your account', gold: 'fair', teacher: 0.65 },
  { text: 'Liability is excluded entirely unfair', gold: 'unfair', teacher: 0.7 },
  { text: 'The service is provided in English', gold: 'fair', teacher: 0.2 },
  { text: 'Prices include VAT unfair', gold: 'fair', teacher: 0.55 },
  { text: 'We may remove content without notice unfair', gold: 'unfair', teacher: 0.95 },
];

export function seedProject(db: Db, dataDir: string, name = 'Contracts'): SeededProject {
  return db.transaction(() => {
    const projectId = Number(
      db
        .prepare(
          `INSERT INTO projects (name, description, task_description, created_at, updated_at)
           VALUES (?, 'Terms of service', 'Find unfair clauses in terms of service.', ?, ?)`,
        )
        .run(name, NOW, NOW).lastInsertRowid,
    );
    const label = (n: string, pos: number): number =>
      Number(
        db
          .prepare('INSERT INTO labels (project_id, name, position, created_at) VALUES (?, ?, ?, ?)')
          .run(projectId, n, pos, NOW).lastInsertRowid,
      );
    const labelIds = { fair: label('fair', 0), unfair: label('unfair', 1) };
    const insertExample = db.prepare(
      `INSERT INTO examples (project_id, text, length, split, excluded, exclude_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const annotate = db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
       VALUES (?, ?, ?, ?, 'human', ?)`,
    );
    const teacherRunId = Number(
      db
        .prepare(
          `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
           VALUES (?, 'abc123', 'direct', 'Is this clause unfair? {{text}}', ?, ?)`,
        )
        .run(
          projectId,
          JSON.stringify([
            { id: labelIds.fair, name: 'fair' },
            { id: labelIds.unfair, name: 'unfair' },
          ]),
          NOW,
        ).lastInsertRowid,
    );
    const output = db.prepare(
      `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, time_ms, created_at)
       VALUES (?, ?, ?, '[]', ?, 0, 0, 850, ?)`,
    );
    const test = TEST_DOCS.map((d) => {
      const id = Number(
        insertExample.run(projectId, d.text, d.text.length, 'test', 0, null, NOW).lastInsertRowid,
      );
      annotate.run(projectId, id, labelIds[d.gold], 'dr.lee', NOW);
      output.run(
        teacherRunId,
        id,
        JSON.stringify([1 - d.teacher, d.teacher]),
        d.teacher >= 0.5 ? labelIds.unfair : labelIds.fair,
        NOW,
      );
      return { id, text: d.text, gold: d.gold };
    });
    // Left out of everything: an excluded test document and a train document.
    const excluded = Number(
      insertExample.run(projectId, 'duplicate unfair', 16, 'test', 1, 'duplicate', NOW).lastInsertRowid,
    );
    annotate.run(projectId, excluded, labelIds.unfair, 'dr.lee', NOW);
    const train = Number(insertExample.run(projectId, 'train doc', 9, 'train', 0, null, NOW).lastInsertRowid);
    annotate.run(projectId, train, labelIds.fair, 'dr.lee', NOW);

    const modelDir = join(dataDir, 'runs', `fake-model-${projectId}`);
    mkdirSync(modelDir, { recursive: true });
    const studentRunId = Number(
      db
        .prepare(
          `INSERT INTO student_runs (project_id, teacher_run_id, architecture, settings, labels_snapshot, state,
             model_path, model_bytes, created_at)
           VALUES (?, ?, 'fasttext', ?, ?, 'completed', ?, 48000, ?)`,
        )
        .run(
          projectId,
          teacherRunId,
          JSON.stringify({ temperature: 2, learningRate: 0.02 }),
          JSON.stringify(['fair', 'unfair']),
          modelDir,
          NOW,
        ).lastInsertRowid,
    );
    db.prepare(
      `INSERT INTO metrics (project_id, student_run_id, kind, epoch, split, name, value, created_at)
       VALUES (?, ?, 'epoch', 1, 'train', 'train_loss', 0.9, ?), (?, ?, 'epoch', 2, 'train', 'train_loss', 0.5, ?)`,
    ).run(projectId, studentRunId, NOW, projectId, studentRunId, NOW);
    return { projectId, labelIds, test, teacherRunId, studentRunId, modelDir };
  })();
}

/**
 * A fake StudentPredictor (a trained TensorFlow.js/fastText student is not needed to test evaluation): says "unfair"
 * with 0.8 when the text contains the word, else 0.2. Records which folder it was loaded from.
 */
export function fakeStudentLoader(labels: readonly string[] = ['fair', 'unfair']): {
  load: (dir: string) => Promise<StudentPredictor>;
  loadedFrom: string[];
} {
  const loadedFrom: string[] = [];
  return {
    loadedFrom,
    load: async (dir) => {
      loadedFrom.push(dir);
      return {
        labels,
        kind: 'single',
        thresholds: null,
        predict: async (texts) =>
          texts.map((t) => {
            const p = /\bunfair\b/.test(t) ? 0.8 : 0.2;
            return [1 - p, p];
          }),
        dispose: () => undefined,
      };
    },
  };
}
