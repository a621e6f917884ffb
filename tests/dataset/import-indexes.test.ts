import { describe, expect, it } from 'vitest';
import { withIndexesDeferred } from '../../src/main/features/dataset/importCommit';
import { importFile, projectFixtureForEachTest, writeFixture, type ProjectFixture } from './fixtures';

let f: ProjectFixture;
projectFixtureForEachTest('import indexes', (x) => (f = x));

function indexes(): unknown[] {
  return f.core.db
    .prepare(
      `SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('examples', 'annotations')
       ORDER BY name`,
    )
    .all();
}

function plan(sql: string, ...args: unknown[]): string {
  const rows = f.core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>;
  return rows.map((r) => r.detail).join('; ');
}

const CSV =
  'id,text,label\n' +
  Array.from({ length: 300 }, (_, i) => `${i + 1},"note ${i}",${i % 2 ? 'a' : 'b'}`).join('\n');

describe('an import into a near-empty database builds the indexes after the rows', () => {
  it('leaves every index of examples and annotations as it was, complete and used', async () => {
    const before = indexes();
    expect(before.length).toBeGreaterThan(4);
    const path = writeFixture(f.dir, 'notes.csv', CSV);
    const { result } = await importFile(f.core, {
      projectId: f.projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      idColumn: 'id',
    });
    expect(result?.imported).toBe(300);
    expect(indexes()).toEqual(before);
    expect(f.core.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(
      plan('SELECT id FROM examples WHERE project_id = ? AND external_id = ?', f.projectId, '7'),
    ).toContain('examples_external');
    const found = f.core.db
      .prepare('SELECT text FROM examples WHERE project_id = ? AND external_id = ?')
      .get(f.projectId, '7') as { text: string };
    expect(found.text).toBe('note 6');
    const annotations = f.core.db
      .prepare('SELECT COUNT(*) AS n FROM annotations WHERE project_id = ?')
      .get(f.projectId) as { n: number };
    expect(annotations.n).toBe(300);
  });

  it('restores the dropped indexes when the write fails (the transaction rolls the DROP back)', () => {
    const before = indexes();
    const db = f.core.db;
    expect(() =>
      db.transaction(() =>
        withIndexesDeferred(db, 'examples', 10, () => {
          expect(indexes().filter((i) => (i as { tbl_name: string }).tbl_name === 'examples')).toEqual([]);
          throw new Error('disk full');
        }),
      )(),
    ).toThrow('disk full');
    expect(indexes()).toEqual(before);
  });

  it('keeps the indexes in place when the table already holds more rows than the import adds', async () => {
    const path = writeFixture(f.dir, 'notes.csv', CSV);
    await importFile(f.core, { projectId: f.projectId, path, textColumn: 'text' });
    const db = f.core.db;
    const before = indexes();
    let during: unknown[] = [];
    db.transaction(() => withIndexesDeferred(db, 'examples', 10, () => (during = indexes())))();
    expect(during).toEqual(before);
  });
});
