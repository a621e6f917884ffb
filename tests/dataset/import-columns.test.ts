import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { humanLabels } from '../../src/main/core/labels';
import { DATASETS } from '../helpers';
import { importFile, projectFixtureForEachTest, tableSnapshot, writeFixture } from './fixtures';

let core: Core;
let dir: string;
let projectId: number;

projectFixtureForEachTest('Columns', (f) => {
  ({ core, dir, projectId } = f);
});

function rows(): Array<{ external_id: string | null; text: string; split: string | null }> {
  return core.db
    .prepare('SELECT external_id, text, split FROM examples WHERE project_id = ? ORDER BY id')
    .all(projectId) as Array<{ external_id: string | null; text: string; split: string | null }>;
}

describe('a CSV without a header row', () => {
  it('is detected on real files with their header line removed, and the person can override it', async () => {
    const fin = readFileSync(join(DATASETS, 'financial_phrasebank', 'all-data.csv'), 'latin1').split('\n');
    const headless = writeFixture(
      dir,
      'finance-no-header.csv',
      fin.slice(1, 400).join('\n') + '\n',
      'latin1',
    );
    const p = await core.call('dataset.preview', { path: headless });
    expect(p).toMatchObject({ hasHeader: false, headerDetected: true, columns: ['column_1', 'column_2'] });
    expect(p.rows[0][1]).toMatch(/^According to Gran/);
    expect(p.suggested.text).toBe('column_2');
    // The original, with its header, still reads its names.
    const withHeader = await core.call('dataset.preview', {
      path: join(DATASETS, 'financial_phrasebank', 'all-data.csv'),
    });
    expect(withHeader).toMatchObject({ hasHeader: true, columns: ['label', 'content'] });
    // The TSV of the legal dataset without its header line.
    const tos = readFileSync(join(DATASETS, 'unfair_tos', 'legalbench_unfair_tos_fewshot_train.tsv'), 'utf8');
    const tosPath = writeFixture(dir, 'tos.tsv', tos.split('\n').slice(1).join('\n'));
    expect(await core.call('dataset.preview', { path: tosPath })).toMatchObject({ hasHeader: false });
    // Override: the person says the first row holds names.
    const forced = await core.call('dataset.preview', { path: headless, hasHeader: true });
    expect(forced.hasHeader).toBe(true);
    expect(forced.columns[0]).toBe('neutral');
    // Importing without a header keeps the first line as a document.
    const { result } = await importFile(core, { projectId, path: headless, textColumn: 'column_2' });
    expect(result?.imported).toBe(399);
    expect(rows()[0].text).toMatch(/^According to Gran/);
  });

  it('keeps short distinct names as a header', async () => {
    const path = writeFixture(
      dir,
      'named.csv',
      'Kommentar,Bewertung\nSehr gutes Produkt, kam schnell an,gut\nLeider kaputt,schlecht\n',
    );
    const quoted = writeFixture(
      dir,
      'named2.csv',
      'Kommentar,Bewertung\n"Sehr gutes Produkt, kam schnell an",gut\nLeider kaputt,schlecht\n',
    );
    expect((await core.call('dataset.preview', { path: quoted })).hasHeader).toBe(true);
    expect((await core.call('dataset.preview', { path })).hasHeader).toBeTypeOf('boolean');
  });
});

describe('a split column', () => {
  it('puts rows in train, validation and test (val, dev, any case) and reports unknown values by line', async () => {
    const path = writeFixture(
      dir,
      'split.csv',
      'text,label,split\none,a,train\ntwo,b,VAL\nthree,a,dev\nfour,b,Test\nfive,a,\nsix,b,holdout\n',
    );
    const preview = await core.call('dataset.preview', { path });
    expect(preview.suggested.split).toBe('split');
    const aborted = await core.invoke('dataset.import', {
      projectId,
      path,
      textColumn: 'text',
      splitColumn: 'split',
      onBadRow: 'abort',
    });
    expect(aborted.ok).toBe(true);
    const job = await core.jobs.wait((aborted as { ok: true; value: { id: number } }).value.id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/Line 7 of split\.csv: unknown split "holdout"/);
    const { result } = await importFile(core, {
      projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      splitColumn: 'split',
      onBadRow: 'skip',
    });
    expect(result).toMatchObject({
      imported: 5,
      skipped: 1,
      splits: { train: 1, validation: 2, test: 1 },
      badRows: [{ line: 7, message: expect.stringMatching(/unknown split "holdout"/) }],
    });
    expect(rows().map((r) => r.split)).toEqual(['train', 'validation', 'validation', 'test', null]);
    // The split column is not kept as metadata.
    const meta = core.db.prepare('SELECT metadata FROM examples WHERE project_id = ?').all(projectId);
    expect(JSON.stringify(meta)).not.toContain('VAL');
  });

  it('reads the real split_guess column of the legal dataset, reporting its "valtest" rows', async () => {
    const all = readFileSync(join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv'), 'utf8').split('\n');
    const path = writeFixture(
      dir,
      'claudette.tsv',
      [all[0], ...all.slice(1, 300), ...all.slice(-300)].join('\n'),
    );
    const { result } = await importFile(core, {
      projectId,
      path,
      textColumn: 'text',
      splitColumn: 'split_guess',
      onBadRow: 'skip',
    });
    expect(result!.splits!.train).toBeGreaterThan(0);
    expect(result!.skipped).toBeGreaterThan(0);
    expect(result!.badRows[0].message).toMatch(/unknown split "valtest"/);
  });

  it('refuses rows for a locked test split, leaving the project as before', async () => {
    await importFile(core, {
      projectId,
      path: writeFixture(dir, 'a.csv', 'text\nalpha\nbeta\ngamma\n'),
      textColumn: 'text',
    });
    await core.call('dataset.split', { projectId, train: 0.34, validation: 0.33, test: 0.33 });
    await core.call('dataset.lockTest', { projectId, locked: true, confirm: true });
    const before = tableSnapshot(core, projectId);
    const { job } = await importFile(core, {
      projectId,
      path: writeFixture(dir, 'b.csv', 'text,split\ndelta,test\n'),
      textColumn: 'text',
      splitColumn: 'split',
    });
    expect(job.error).toMatch(/test split, which is locked/);
    expect(tableSnapshot(core, projectId)).toEqual(before);
  });
});

describe('Python/pandas-quoted TSV', () => {
  it('is detected and unquoted', async () => {
    const path = writeFixture(
      dir,
      'pandas.tsv',
      'text\tlabel\n"She said ""no""\tand left"\tneg\nplain text\tpos\n"a line\nbreak"\tpos\n',
    );
    const p = await core.call('dataset.preview', { path });
    expect(p.quoted).toBe(true);
    const { result } = await importFile(core, { projectId, path, textColumn: 'text', labelColumn: 'label' });
    expect(result?.imported).toBe(3);
    expect(rows().map((r) => r.text)).toEqual(['She said "no"\tand left', 'plain text', 'a line\nbreak']);
  });

  it('leaves a TSV whose sentences merely start with a quotation mark as it is', async () => {
    const path = writeFixture(dir, 'plain.tsv', 'text\tlabel\n"Hello" she said\ta\nok\tb\n');
    expect((await core.call('dataset.preview', { path })).quoted).toBeUndefined();
    await importFile(core, { projectId, path, textColumn: 'text' });
    expect(rows().map((r) => r.text)).toEqual(['"Hello" she said', 'ok']);
  });
});

describe('re-importing existing ids', () => {
  const first = 'id,text,label\n1,first text,a\n2,second text,b\n3,third text,a\n';
  const second = 'id,text,label\n1,first text,a\n2,second text CHANGED,a\n3,third text,a\n4,fourth text,b\n';

  it('must be told what to do, then skips (no new rows on a double import), updates or adds', async () => {
    const a = writeFixture(dir, 'a.csv', first);
    await importFile(core, { projectId, path: a, textColumn: 'text', labelColumn: 'label', idColumn: 'id' });
    expect(rows()).toHaveLength(3);
    // Without a choice: refused before any job, with a code the UI turns into a question.
    const asked = await core.invoke('dataset.import', {
      projectId,
      path: a,
      textColumn: 'text',
      idColumn: 'id',
      onBadRow: 'abort',
    });
    expect(asked).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', details: { onExisting: 'required' } },
    });
    // The same file twice, skip: nothing new.
    const { result: skipped } = await importFile(core, {
      projectId,
      path: a,
      textColumn: 'text',
      labelColumn: 'label',
      idColumn: 'id',
      onExisting: 'skip',
    });
    expect(skipped).toMatchObject({ imported: 0, existing: { matched: 3, action: 'skip' } });
    expect(rows()).toHaveLength(3);
    // Update: the changed row takes the new text and label; the new id is added.
    const b = writeFixture(dir, 'b.csv', second);
    const { result: updated } = await importFile(core, {
      projectId,
      path: b,
      textColumn: 'text',
      labelColumn: 'label',
      idColumn: 'id',
      onExisting: 'update',
    });
    expect(updated).toMatchObject({ imported: 1, existing: { matched: 3, action: 'update' } });
    expect(rows().map((r) => `${r.external_id}:${r.text}`)).toEqual([
      '1:first text',
      '2:second text CHANGED',
      '3:third text',
      '4:fourth text',
    ]);
    const labels = new Map(
      (
        core.db.prepare('SELECT id, name FROM labels WHERE project_id = ?').all(projectId) as Array<{
          id: number;
          name: string;
        }>
      ).map((l) => [l.id, l.name]),
    );
    const human = humanLabels(core.db, projectId);
    const byExt = new Map(
      (
        core.db.prepare('SELECT id, external_id FROM examples WHERE project_id = ?').all(projectId) as Array<{
          id: number;
          external_id: string;
        }>
      ).map((e) => [e.external_id, labels.get(human.get(e.id)!)]),
    );
    expect(byExt.get('2')).toBe('a');
    // Add: copies, as asked.
    const { result: added } = await importFile(core, {
      projectId,
      path: a,
      textColumn: 'text',
      idColumn: 'id',
      onExisting: 'add',
    });
    expect(added).toMatchObject({ imported: 3, existing: { matched: 3, action: 'add' } });
    expect(rows()).toHaveLength(7);
  });
});
