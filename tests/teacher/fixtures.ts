import { createHash } from 'node:crypto';
import type { Core } from '../../src/main/core/core';
import { createProject } from '../../src/main/features/projects/projects';
import { nowIso } from '../../src/main/core/time';
import type { TeacherModel } from '../../src/shared/teacher';
import { tinyModelPath } from '../fixtures/gguf/generate';

export interface ExampleSpec {
  readonly text: string;
  readonly split?: 'train' | 'validation' | 'test' | null;
  readonly label?: string;
}

/** A project with labels and examples written straight into SQLite, as an import would leave them. */
export function makeProject(
  core: Core,
  opts: {
    name?: string;
    labels: ReadonlyArray<{ name: string; description?: string }>;
    examples: readonly ExampleSpec[];
  },
): { projectId: number; exampleIds: number[]; labelIds: Map<string, number> } {
  const db = core.db;
  return db.transaction(() => {
    const p = createProject(db, {
      name: opts.name ?? `Project ${Math.random().toString(36).slice(2)}`,
      taskDescription: 'Decide whether a sentence from online terms of service is unfair.',
    });
    const now = nowIso();
    const labelIds = new Map<string, number>();
    opts.labels.forEach((l, i) => {
      const info = db
        .prepare(
          'INSERT INTO labels (project_id, name, description, position, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(p.id, l.name, l.description ?? '', i, now);
      labelIds.set(l.name, Number(info.lastInsertRowid));
    });
    const exampleIds = opts.examples.map((e) => {
      const info = db
        .prepare(
          'INSERT INTO examples (project_id, text, text_hash, length, split, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          p.id,
          e.text,
          createHash('sha256').update(e.text).digest('hex'),
          e.text.length,
          e.split ?? null,
          now,
        );
      const id = Number(info.lastInsertRowid);
      if (e.label) {
        db.prepare(
          "INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at) VALUES (?, ?, ?, 'import', 'import', ?)",
        ).run(p.id, id, labelIds.get(e.label) ?? null, now);
      }
      return id;
    });
    return { projectId: p.id, exampleIds, labelIds };
  })();
}

export const SENTENCES = [
  'We may terminate your account at any time without notice.',
  'You can contact our support team by email.',
  'Any dispute shall be resolved by binding arbitration.',
  'We use cookies to improve the service.',
  'We are not liable for any damages arising from use of the service.',
  'These terms are governed by the laws of the State of California.',
  'You must be at least 13 years old to use the service.',
  'We may change these terms at any time by posting a new version.',
  'Your content remains yours.',
  'By using the service you agree to these terms.',
  'We may remove content at our sole discretion.',
  'Payments are processed by a third party.',
];

/** Imports the tiny generated model through the import job, as the UI does. */
export async function importTinyModel(core: Core): Promise<TeacherModel> {
  const job = await core.call('teacher.importModel', { path: tinyModelPath() });
  const done = await core.jobs.wait(job.id);
  if (done.state !== 'completed') throw new Error(`import ${done.state}: ${done.error}`);
  return done.result as TeacherModel;
}
