import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { createProject } from './projects';

export const DEMO_PROJECT_NAME = 'Demo: unfair contract terms';

const DEMO_LABELS = [
  {
    name: 'fair',
    description:
      'An ordinary clause of the terms of service that does not put the consumer at an unfair disadvantage.',
    color: 'teal',
    hotkey: 'f',
  },
  {
    name: 'unfair',
    description:
      'A potentially unfair clause: e.g. unilateral change or termination, limitation of liability, arbitration, ' +
      'choice of law or jurisdiction, content removal, or consent by merely using the service.',
    color: 'red',
    hotkey: 'u',
  },
];

/**
 * Creates the demo project on a first start: a few hundred sentences of online terms of service (CC BY 4.0).
 * The test split is human-labelled (gold), a quarter of the rest is labelled, the others wait for the teacher.
 */
export function seedDemoProject(db: Db, resources: string): number | null {
  const seeded = db.prepare("SELECT value FROM settings WHERE key = 'demoSeeded'").get();
  if (seeded) return null;
  const file = join(resources, 'demo', 'unfair_tos_demo.tsv');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return db.transaction(() => {
    const project = createProject(
      db,
      {
        name: DEMO_PROJECT_NAME,
        description:
          'Sentences from 50 online Terms of Service (CLAUDETTE corpus, CC BY 4.0). Try every step on it.',
        taskDescription:
          'Decide whether a sentence from an online Terms of Service is a potentially unfair clause.',
        isDemo: true,
      },
      'system',
    );
    const now = nowIso();
    const labelIds = new Map<string, number>();
    DEMO_LABELS.forEach((l, i) => {
      const info = db
        .prepare(
          'INSERT INTO labels (project_id, name, description, color, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(project.id, l.name, l.description, l.color, l.hotkey, i, now);
      labelIds.set(l.name, Number(info.lastInsertRowid));
    });
    const dataset = db
      .prepare(
        `INSERT INTO datasets (project_id, name, source_path, format, encoding, options, row_count, created_at)
         VALUES (?, 'unfair_tos_demo.tsv', ?, 'tsv', 'utf-8', '{}', ?, ?)`,
      )
      .run(project.id, file, rows.length, now);
    const datasetId = Number(dataset.lastInsertRowid);
    const insertExample = db.prepare(
      `INSERT INTO examples (project_id, dataset_id, source_row, text, text_hash, length, split, imported_label, metadata, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertAnnotation = db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
       VALUES (?, ?, ?, 'import', 'import', ?)`,
    );
    rows.forEach((line, i) => {
      const [text, label, document, splitGuess] = line.split('\t');
      // The corpus' own document split keeps sentences of one ToS together: 'valtest' documents are the test set.
      const split = splitGuess === 'valtest' ? 'test' : i % 5 === 0 ? 'validation' : 'train';
      const labelled = split !== 'train' || i % 4 === 0;
      const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
      const info = insertExample.run(
        project.id,
        datasetId,
        i + 2,
        text,
        hash,
        [...text].length,
        split,
        labelled ? label : null,
        JSON.stringify({ document }),
        now,
      );
      if (labelled)
        insertAnnotation.run(project.id, Number(info.lastInsertRowid), labelIds.get(label) ?? null, now);
    });
    db.prepare("INSERT INTO settings (key, value) VALUES ('demoSeeded', 'true')").run();
    return project.id;
  })();
}
