import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  annotatorLabels,
  goldLabels,
  humanLabelSql,
  humanLabels,
  PERSON_CHOSEN_SOURCES,
} from '../../src/main/core/labels';
import { openDatabase, type Db } from '../../src/main/core/store/db';
import { tempDir } from '../helpers';

/**
 * The label rules live once, as the views of migration 011 (human_labels, person_labels, annotator_labels): every
 * feature reads them. These cases pin what each view says on a real SQLite file, change by change.
 */
describe('label views', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  function project(): { db: Db; ex: (split: string | null) => number; label: (n: string) => number } {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const db = openDatabase(join(t.dir, 'a.db'));
    cleanups.unshift(() => db.close());
    const now = '2026-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)").run(now, now);
    let position = 0;
    return {
      db,
      ex: (split) =>
        Number(
          db
            .prepare(
              "INSERT INTO examples (project_id, text, length, split, created_at) VALUES (1, 'x', 1, ?, ?)",
            )
            .run(split, now).lastInsertRowid,
        ),
      label: (name) =>
        Number(
          db
            .prepare('INSERT INTO labels (project_id, name, position, created_at) VALUES (1, ?, ?, ?)')
            .run(name, position++, now).lastInsertRowid,
        ),
    };
  }

  let clock = 0;
  function annotate(
    db: Db,
    exampleId: number,
    labelId: number | null,
    annotator: string,
    source: string,
    retracted = false,
  ): void {
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString();
    db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at, retracted_at)
       VALUES (1, ?, ?, ?, ?, ?, ?)`,
    ).run(exampleId, labelId, annotator, source, at, retracted ? at : null);
  }

  it('the human label is the latest live labelled annotation, whoever made it', () => {
    const { db, ex, label } = project();
    const [a, b] = [label('a'), label('b')];
    const changed = ex('train');
    annotate(db, changed, a, 'ann', 'human');
    annotate(db, changed, b, 'ann', 'human');
    const retracted = ex('train');
    annotate(db, retracted, a, 'ann', 'human');
    annotate(db, retracted, b, 'ann', 'human', true);
    const accepted = ex('train');
    annotate(db, accepted, a, 'ann', 'import');
    annotate(db, accepted, b, 'ann', 'teacher_accept');
    const skipped = ex('train');
    annotate(db, skipped, a, 'ann', 'human');
    annotate(db, skipped, null, 'ann', 'human');
    const none = ex('train');
    const expected = new Map([
      [changed, b],
      [retracted, a],
      [accepted, b],
      [skipped, a],
    ]);
    expect(humanLabels(db, 1)).toEqual(expected);
    // The SQL fragment every feature's queries use says the same, and NULL for an unlabelled example.
    const sql = db.prepare(`SELECT e.id, ${humanLabelSql('e')} AS label FROM examples e ORDER BY e.id`);
    expect(
      new Map((sql.all() as Array<{ id: number; label: number | null }>).map((r) => [r.id, r.label])),
    ).toEqual(new Map([...expected, [none, null]]));
  });

  it('gold is the latest label a person chose on the test split: an accepted teacher label never counts', () => {
    const { db, ex, label } = project();
    const [a, b] = [label('a'), label('b')];
    const personThenBulk = ex('test');
    annotate(db, personThenBulk, a, 'ann', 'human');
    annotate(db, personThenBulk, b, 'ann', 'bulk');
    const onlyAccepted = ex('test');
    annotate(db, onlyAccepted, a, 'ann', 'teacher_accept');
    const merged = ex('test');
    annotate(db, merged, a, 'ann', 'import');
    annotate(db, merged, b, 'other', 'merge');
    const train = ex('train');
    annotate(db, train, a, 'ann', 'human');
    expect(goldLabels(db, 1)).toEqual(
      new Map([
        [personThenBulk, a],
        [merged, b],
      ]),
    );
    // The view's list of person-chosen sources is the one core/labels.ts documents.
    const sql = db
      .prepare("SELECT sql FROM sqlite_master WHERE name = 'person_labels'")
      .pluck()
      .get() as string;
    expect(sql).toContain(`IN (${PERSON_CHOSEN_SOURCES.map((s) => `'${s}'`).join(', ')})`);
  });

  it('each annotator keeps their own current label; excluded examples are left out', () => {
    const { db, ex, label } = project();
    const [a, b] = [label('a'), label('b')];
    const shared = ex('train');
    annotate(db, shared, a, 'ann', 'human');
    annotate(db, shared, b, 'bob', 'human');
    annotate(db, shared, b, 'ann', 'human', true);
    const gone = ex('train');
    annotate(db, gone, a, 'ann', 'human');
    db.prepare('UPDATE examples SET excluded = 1 WHERE id = ?').run(gone);
    const labels = annotatorLabels(db, 1);
    expect(labels.get('ann')).toEqual(new Map([[shared, a]]));
    expect(labels.get('bob')).toEqual(new Map([[shared, b]]));
    expect(humanLabels(db, 1)).toEqual(new Map([[shared, b]]));
  });
});
