import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/shared/jobs';
import { checkpointsDeferred, deferCheckpoints } from '../../src/main/core/store/checkpoints';
import { DEFERRABLE_INDEXES, deferIndexes } from '../../src/main/features/dataset/importIndexes';
import { INSERT_TRIGGERS } from '../../src/main/features/dataset/importDirect';
import { LENGTH_BIN_BOUNDS } from '../../src/main/core/store/migrations/022_example_counts';
import type { ImportResult } from '../../src/shared/dataset';
import { textHash } from '../../src/main/features/dataset/cleanText';
import { READ_IN_WORKER_FROM } from '../../src/main/features/dataset/importReader';
import {
  importFile,
  projectFixtureForEachTest,
  writeFixture,
  type ProjectFixture,
  importIndexNames,
} from './fixtures';

// A large import (at least 50,000 rows, estimated from its first batch) writes its rows with seven indexes dropped,
// the log's checkpoints held off, the foreign keys off for each batch and the per-row insert triggers dropped inside
// each batch (importDirect.ts). After it every count is exact, and its search index job puts everything back.

let f: ProjectFixture;
projectFixtureForEachTest('large import', (x) => (f = x));

const ROWS = 60_000;
const LABELS = ['urgent', 'routine', 'admin'];
const WORDS = 'patient chest pain 合同 条款 fever dose review clinic notice'.split(' ');

function bigCsv(): string {
  const lines = ['id,text,label,split'];
  for (let i = 0; i < ROWS; i++) {
    const words = Array.from({ length: 1 + ((i * 7) % 60) }, (_, k) => WORDS[(i + k) % WORDS.length]);
    lines.push(`${i + 1},"${words.join(' ')}",${LABELS[i % 3]},${i % 5 === 0 ? 'validation' : 'train'}`);
  }
  return lines.join('\n');
}

function indexNames(): string[] {
  return importIndexNames(f.core);
}

/** example_counts and label_counts as kept, and as counted from the documents and the views. */
function counts(): { kept: unknown[]; counted: unknown[]; labelsKept: unknown[]; labelsCounted: unknown[] } {
  const db = f.core.db;
  const bin = LENGTH_BIN_BOUNDS.slice(1)
    .map((b, i) => `WHEN length < ${b} THEN ${LENGTH_BIN_BOUNDS[i]}`)
    .join(' ');
  return {
    kept: db
      .prepare(
        'SELECT split, length_bin, n FROM example_counts WHERE project_id = ? AND n <> 0 ORDER BY 1, 2',
      )
      .all(f.projectId),
    counted: db
      .prepare(
        `SELECT COALESCE(split, '') AS split, CASE ${bin} ELSE 5000 END AS length_bin, COUNT(*) AS n
         FROM examples WHERE project_id = ? AND excluded = 0 GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all(f.projectId),
    labelsKept: db
      .prepare('SELECT split, human, n FROM label_counts WHERE project_id = ? AND n <> 0 ORDER BY 1, 2')
      .all(f.projectId),
    labelsCounted: db
      .prepare(
        `SELECT COALESCE(e.split, '') AS split, hl.label_id AS human, COUNT(*) AS n
         FROM examples e JOIN human_labels hl ON hl.example_id = e.id
         WHERE e.project_id = ? AND e.excluded = 0 GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all(f.projectId),
  };
}

/** The schema's triggers on the tables an import writes (it drops the insert triggers inside each batch). */
function triggerNames(): string[] {
  return f.core.db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('examples', 'annotations') ORDER BY name`,
    )
    .pluck()
    .all() as string[];
}

function importLarge(path: string): ReturnType<typeof importFile> {
  return importFile(f.core, {
    projectId: f.projectId,
    path,
    textColumn: 'text',
    labelColumn: 'label',
    idColumn: 'id',
    splitColumn: 'split',
  });
}

describe('a large import', () => {
  it('knows every insert trigger of the tables it writes (a new one must be counted by the import, or it is lost)', () => {
    // The batches drop INSERT_TRIGGERS and do their work themselves (importDirect.ts). A migration that adds an insert
    // trigger on examples or annotations would otherwise run it on some rows and not on an import's: add it to
    // INSERT_TRIGGERS with its effect done per batch, or keep it deliberately and change this test.
    const insertTriggers = f.core.db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('examples', 'annotations')
           AND sql LIKE '% INSERT ON %' ORDER BY name`,
      )
      .pluck()
      .all();
    expect(insertTriggers).toEqual([...INSERT_TRIGGERS].sort());
  });

  it('defers indexes and checkpoints until its search index job, and keeps every count exact', async () => {
    const db = f.core.db;
    const before = indexNames();
    const triggers = triggerNames();
    expect(triggers).toContain('label_counts_annotation_after_insert');
    const threshold = db.pragma('wal_autocheckpoint', { simple: true });
    // The state at the moment the import completes (its search index job has not run yet).
    let atEnd: { deferred: string[]; checkpointsHeld: boolean; foreignKeys: unknown } | null = null;
    const stop = f.core.events.subscribe((e) => {
      const job = e.payload as Job;
      if (e.name === 'job.updated' && job.kind === 'dataset.import' && job.state === 'completed' && !atEnd) {
        atEnd = {
          deferred: db.prepare('SELECT name FROM deferred_indexes ORDER BY name').pluck().all() as string[],
          checkpointsHeld: checkpointsDeferred(db),
          foreignKeys: db.pragma('foreign_keys', { simple: true }),
        };
      }
    });
    const path = writeFixture(f.dir, 'large.csv', bigCsv());
    // Read on the reader thread (importReader.ts), as a large file is.
    expect(statSync(path).size).toBeGreaterThanOrEqual(READ_IN_WORKER_FROM);
    const { job, result } = await importLarge(path);
    stop();
    expect(job.state).toBe('completed');
    expect(result?.imported).toBe(ROWS);
    expect(atEnd).toEqual({
      deferred: [
        'annotations_project',
        'examples_external',
        'examples_hash',
        'examples_project_split',
        'review_annotations_annotator',
        'review_examples_live',
        'review_examples_random',
      ],
      checkpointsHeld: true,
      foreignKeys: 1,
    });
    // Counted in grouped statements while the triggers were paused: the same as counting the documents.
    const c = counts();
    expect(c.kept).toEqual(c.counted);
    expect(c.labelsKept).toEqual(c.labelsCounted);
    expect((c.labelsCounted as Array<{ n: number }>).reduce((s, r) => s + r.n, 0)).toBe(ROWS);
    expect(db.prepare('SELECT COUNT(*) FROM label_count_pause').pluck().get()).toBe(0);
    expect(triggerNames()).toEqual(triggers);
    // Stored as the reader read them: text (bound as UTF-8 bytes, cast), each hash the hash of its text.
    expect(
      db
        .prepare(
          `SELECT COUNT(*) FROM examples WHERE project_id = ? AND (typeof(text) <> 'text' OR typeof(text_hash) <> 'text'
             OR typeof(external_id) <> 'text' OR typeof(imported_label) <> 'text' OR typeof(split) <> 'text')`,
        )
        .pluck()
        .get(f.projectId),
    ).toBe(0);
    const rows = db
      .prepare(
        'SELECT source_row, external_id, text, text_hash, length, split FROM examples WHERE project_id = ?',
      )
      .all(f.projectId) as Array<{
      source_row: number;
      external_id: string;
      text: string;
      text_hash: string;
      length: number;
      split: string;
    }>;
    const lines = bigCsv().split('\n').slice(1);
    for (const r of rows) {
      const i = Number(r.external_id) - 1;
      expect(r.source_row).toBe(i + 2);
      expect(lines[i]).toContain(`"${r.text}"`);
      expect(r.text_hash).toBe(textHash(r.text));
      expect(r.length).toBe([...r.text].length);
      expect(r.split).toBe(i % 5 === 0 ? 'validation' : 'train');
    }

    const index = await f.core.jobs.wait((result as ImportResult).searchIndexJobId as number);
    expect(index.state).toBe('completed');
    expect(indexNames()).toEqual(before);
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(checkpointsDeferred(db)).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(threshold);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // A later write counts row by row again (the pause is lifted).
    db.prepare(
      'UPDATE examples SET split = ? WHERE id = (SELECT MIN(id) FROM examples WHERE project_id = ?)',
    ).run('train', f.projectId);
    const after = counts();
    expect(after.kept).toEqual(after.counted);
  }, 120_000);

  it('gives the checkpoints back when it fails', async () => {
    const db = f.core.db;
    const threshold = db.pragma('wal_autocheckpoint', { simple: true });
    // A bad row near the end, with "abort": the rows written before it are removed again.
    const path = writeFixture(f.dir, 'bad.csv', `${bigCsv()}\n${ROWS + 1},"late",urgent,nowhere`);
    const { job } = await importLarge(path);
    expect(job.state).toBe('failed');
    expect(checkpointsDeferred(db)).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(threshold);
    expect(db.prepare('SELECT COUNT(*) FROM examples WHERE project_id = ?').pluck().get(f.projectId)).toBe(0);
    expect(
      db
        .prepare('SELECT COUNT(*) FROM example_counts WHERE project_id = ? AND n <> 0')
        .pluck()
        .get(f.projectId),
    ).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(triggerNames()).toContain('example_counts_insert');
  }, 120_000);

  it('a re-import by ids that fails settles what a large import left for its skipped search index job', async () => {
    const db = f.core.db;
    const before = indexNames();
    const threshold = db.pragma('wal_autocheckpoint', { simple: true });
    const first = await importFile(f.core, {
      projectId: f.projectId,
      path: writeFixture(f.dir, 'ids.csv', 'id,text\n1,one\n2,two\n'),
      textColumn: 'text',
      idColumn: 'id',
    });
    expect(first.job.state).toBe('completed');
    await f.core.jobs.wait(first.result?.searchIndexJobId as number);
    // As a large import leaves them when its search index job ran while another import was still running.
    db.transaction(() => deferIndexes(db, DEFERRABLE_INDEXES))();
    deferCheckpoints(db);
    // That other import: ids into a project that has ids (the staged path), ending on a bad row.
    const { job } = await importFile(f.core, {
      projectId: f.projectId,
      path: writeFixture(f.dir, 'again.csv', 'id,text,split\n3,three,train\n4,four,nowhere\n'),
      textColumn: 'text',
      idColumn: 'id',
      splitColumn: 'split',
      onExisting: 'skip',
    });
    expect(job.state).toBe('failed');
    expect(indexNames()).toEqual(before);
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(checkpointsDeferred(db)).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(threshold);
  });

  it('puts everything back when the database fills up in the middle of a batch', async () => {
    const db = f.core.db;
    const before = indexNames();
    const triggers = triggerNames();
    const threshold = db.pragma('wal_autocheckpoint', { simple: true });
    // A full disk, as SQLite meets it: a few megabytes more, then every write that needs a new page fails.
    const pages = db.pragma('page_count', { simple: true }) as number;
    const limit = db.pragma('max_page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2000}`);
    try {
      const { job } = await importLarge(writeFixture(f.dir, 'full.csv', bigCsv()));
      expect(job.state).toBe('failed');
      expect(job.errorKey).toBe('dataset.diskHoldingDataFolder');
    } finally {
      db.pragma(`max_page_count = ${limit}`);
    }
    expect(triggerNames()).toEqual(triggers);
    expect(indexNames()).toEqual(before);
    expect(checkpointsDeferred(db)).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(threshold);
    expect(db.prepare('SELECT COUNT(*) FROM examples WHERE project_id = ?').pluck().get(f.projectId)).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM annotations WHERE project_id = ?').pluck().get(f.projectId)).toBe(
      0,
    );
    const c = counts();
    expect(c.kept).toEqual([]);
    expect(c.labelsKept).toEqual([]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  }, 120_000);
});
