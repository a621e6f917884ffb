import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addAnnotation,
  annotationWriter,
  retractAnnotation,
  retractBulkAction,
} from '../../src/main/core/annotations';
import { annotatorLabels, humanLabels } from '../../src/main/core/labels';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { ROOT, tempDir } from '../helpers';

/** core/annotations.ts is the one writer of review's and team's annotations: what it stores, and that it is the one. */
describe('the annotation writer', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  function project(): { db: Db; ex: () => number; label: (n: string) => number } {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const db = openDatabase(join(t.dir, 'a.db'));
    cleanups.unshift(() => db.close());
    const now = '2026-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)").run(now, now);
    let position = 0;
    return {
      db,
      ex: () =>
        Number(
          db
            .prepare(
              "INSERT INTO examples (project_id, text, length, split, created_at) VALUES (1, 'x', 1, 'train', ?)",
            )
            .run(now).lastInsertRowid,
        ),
      label: (name) =>
        Number(
          db
            .prepare('INSERT INTO labels (project_id, name, position, created_at) VALUES (1, ?, ?, ?)')
            .run(name, position++, now).lastInsertRowid,
        ),
    };
  }

  it('stores an answer as a new row, with its source, teacher agreement, time and label set', () => {
    const { db, ex, label } = project();
    const e = ex();
    const a = label('a');
    const id = addAnnotation(db, {
      projectId: 1,
      exampleId: e,
      labelId: a,
      labelSet: null,
      annotator: 'ann',
      source: 'teacher_accept',
      acceptedTeacher: true,
      timeSpentMs: 1200,
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    const multi = addAnnotation(db, {
      projectId: 1,
      exampleId: e,
      labelId: null,
      labelSet: [],
      annotator: 'lead',
      source: 'merge',
      createdAt: '2026-01-03T00:00:00.000Z',
    });
    expect(multi).toBe(id + 1);
    const rows = db
      .prepare(
        `SELECT label_id, label_set, annotator, source, accepted_teacher, time_spent_ms, created_at, retracted_at
         FROM annotations ORDER BY id`,
      )
      .all();
    expect(rows).toEqual([
      {
        label_id: a,
        label_set: null,
        annotator: 'ann',
        source: 'teacher_accept',
        accepted_teacher: 1,
        time_spent_ms: 1200,
        created_at: '2026-01-02T00:00:00.000Z',
        retracted_at: null,
      },
      {
        label_id: null,
        label_set: '[]',
        annotator: 'lead',
        source: 'merge',
        accepted_teacher: null,
        time_spent_ms: null,
        created_at: '2026-01-03T00:00:00.000Z',
        retracted_at: null,
      },
    ]);
  });

  it('retracts one row, or every row of one bulk action and no other, and never retracts a row twice', () => {
    const { db, ex, label } = project();
    const a = label('a');
    const b = label('b');
    const [e1, e2, e3] = [ex(), ex(), ex()];
    const add = annotationWriter(db);
    const row = (exampleId: number, labelId: number, source: 'bulk' | 'human', at: string): number =>
      add({ projectId: 1, exampleId, labelId, labelSet: null, annotator: 'ann', source, createdAt: at });
    row(e1, a, 'bulk', 'T1');
    row(e2, a, 'bulk', 'T1');
    row(e3, a, 'bulk', 'T0');
    const own = row(e3, b, 'human', 'T2');
    expect(humanLabels(db, 1).get(e3)).toBe(b);

    expect(retractAnnotation(db, own, 'T3')).toBe(1);
    expect(retractAnnotation(db, own, 'T4')).toBe(0);
    expect(humanLabels(db, 1).get(e3)).toBe(a);

    expect(retractBulkAction(db, 1, 'ann', 'T1', 'T5')).toBe(2);
    expect(retractBulkAction(db, 1, 'someone else', 'T0', 'T5')).toBe(0);
    expect([...(annotatorLabels(db, 1).get('ann')?.keys() ?? [])]).toEqual([e3]);
  });

  it('is the only module outside the import and the migrations that writes the annotations table', () => {
    const src = join(ROOT, 'src', 'main');
    const writes = /\b(INSERT(\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+annotations\b/;
    const writers: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && writes.test(readFileSync(path, 'utf8'))) {
          writers.push(relative(src, path).split('\\').join('/'));
        }
      }
    };
    walk(src);
    // A re-import that updates rows by id writes their labels from its staging file; migrations rebuild the table.
    // Everything else that labels a document (review, team, the demo project's seed, a new import's file labels)
    // goes through core/annotations.ts.
    const others = writers.filter(
      (f) => !f.startsWith('core/store/migrations/') && f !== 'features/dataset/importCommit.ts',
    );
    expect(others.sort()).toEqual(['core/annotations.ts']);
  });
});
