import { describe, expect, it } from 'vitest';
import { nowIso } from '../../src/main/core/time';
import type { ImportResult } from '../../src/shared/dataset';
import { importFile, projectFixtureForEachTest, writeFixture, type ProjectFixture } from './fixtures';

let f: ProjectFixture;
projectFixtureForEachTest('search index', (x) => (f = x));

const CSV =
  'text,label\n' +
  Array.from(
    { length: 1200 },
    (_, i) => `"note ${i}: patient ${i % 3 === 0 ? '头痛发烧' : 'stable'}",a`,
  ).join('\n');

async function importNotes(): Promise<ImportResult | null> {
  const path = writeFixture(f.dir, 'notes.csv', CSV);
  const { result } = await importFile(f.core, {
    projectId: f.projectId,
    path,
    textColumn: 'text',
    labelColumn: 'label',
  });
  return result;
}

describe('the search index after an import', () => {
  it('is built by a job of its own once the rows are in: the import ends without waiting for it', async () => {
    const result = await importNotes();
    expect(result?.imported).toBe(1200);
    expect(result?.searchIndexJobId).toBeGreaterThan(0);
    const index = await f.core.jobs.wait(result!.searchIndexJobId!);
    expect(index.kind).toBe('dataset.searchIndex');
    expect(index.state).toBe('completed');
    expect(index.result).toEqual({ indexed: 1200 });
    const indexed = f.core.db.prepare('SELECT COUNT(*) AS n FROM examples_fts_docsize').get() as {
      n: number;
    };
    expect(indexed.n).toBe(1200);
    const page = await f.core.call('dataset.browse', {
      projectId: f.projectId,
      limit: 1000,
      filters: { search: '头痛发' },
    });
    expect(page.rows).toHaveLength(400);
    expect(page.searchIndexBuilding).toBeUndefined();
  });

  it('while it is being built, a search reads the texts, finds the same rows and says the index is building', async () => {
    const result = await importNotes();
    await f.core.jobs.wait(result!.searchIndexJobId!);
    // A job of the project that is still building (as after a large import): written as the job manager does.
    const now = nowIso();
    f.core.db
      .prepare(
        `INSERT INTO jobs (project_id, kind, title, state, params, created_at, updated_at)
         VALUES (?, 'dataset.searchIndex', 'Search index', 'paused', '{}', ?, ?)`,
      )
      .run(f.projectId, now, now);
    const search = async (q: string): Promise<{ ids: number[]; building?: boolean }> => {
      const page = await f.core.call('dataset.browse', {
        projectId: f.projectId,
        limit: 1000,
        filters: { search: q },
      });
      return { ids: page.rows.map((r) => r.id), building: page.searchIndexBuilding };
    };
    const scanned = await search('头痛发 PATIENT');
    expect(scanned.building).toBe(true);
    expect(scanned.ids).toHaveLength(400);
    f.core.db.prepare("UPDATE jobs SET state = 'completed' WHERE kind = 'dataset.searchIndex'").run();
    const indexed = await search('头痛发 PATIENT');
    expect(indexed.building).toBeUndefined();
    expect(indexed.ids).toEqual(scanned.ids);
  });
});
