import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { humanLabels } from '../../src/main/core/labels';
import { BATCH_BYTES } from '../../src/main/features/dataset/importBatch';
import { READ_IN_WORKER_FROM } from '../../src/main/features/dataset/importReader';
import { DATASETS, testCore } from '../helpers';
import { importFile, tableSnapshot, writeFixture, openProjectFixture } from './fixtures';

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let dir: string;
let cleanupDir: () => void;
let projectId: number;

beforeEach(async () => {
  ({ t, core, dir, cleanupDir, projectId } = await openProjectFixture('Letters'));
});
afterEach(async () => {
  await t.close();
  cleanupDir();
});

/** Rows an import job has staged so far (0 before its staging file is attached). */
/** Rows an import has written so far (its checkpoint, committed with each batch). */
function written(jobId: number): number {
  const row = core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(jobId) as
    { checkpoint: string | null } | undefined;
  return row?.checkpoint ? ((JSON.parse(row.checkpoint) as { written?: number }).written ?? 0) : 0;
}

/** Import staging files in the data folder, and rows older versions staged in distillery.db. */
function leftovers(): { files: string[]; rows: unknown } {
  return {
    files: readdirSync(core.paths.tmp).filter((f) => f.includes('staging')),
    rows: core.db.prepare('SELECT COUNT(*) AS n FROM import_staging').get(),
  };
}

function texts(): string[] {
  return (
    core.db.prepare('SELECT text FROM examples WHERE project_id = ? ORDER BY id').all(projectId) as Array<{
      text: string;
    }>
  ).map((r) => r.text);
}

describe('importing the shared datasets', () => {
  it('reads the latin-1 finance CSV without corrupting accents, and turns its label column into labels', async () => {
    const path = join(DATASETS, 'financial_phrasebank', 'all-data.csv');
    const preview = await core.call('dataset.preview', { path });
    expect(preview).toMatchObject({
      format: 'csv',
      encoding: 'latin1',
      delimiter: ',',
      columns: ['label', 'content'],
    });
    expect(preview.suggested).toEqual({ text: 'content', label: 'label', id: null, split: null });
    const { job, result } = await importFile(core, {
      projectId,
      path,
      textColumn: 'content',
      labelColumn: 'label',
    });
    expect(job.state).toBe('completed');
    expect(result).toMatchObject({
      imported: 4846,
      skipped: 0,
      labelsCreated: ['negative', 'neutral', 'positive'],
    });
    const all = texts().join('\n');
    expect(all).not.toContain('\ufffd');
    // The file's only six non-ASCII bytes, read as latin-1.
    expect(all.match(/[ªÍÑó]/g)).toHaveLength(6);
    // The import's labels are human labels for every other feature.
    const human = humanLabels(core.db, projectId);
    expect(human.size).toBe(4846);
    const annotations = core.db
      .prepare(
        "SELECT COUNT(*) AS n FROM annotations WHERE project_id = ? AND source = 'import' AND annotator = 'import'",
      )
      .get(projectId) as { n: number };
    expect(annotations.n).toBe(4846);
    const first = core.db
      .prepare('SELECT source_row, imported_label FROM examples WHERE project_id = ? ORDER BY id LIMIT 1')
      .get(projectId);
    expect(first).toEqual({ source_row: 2, imported_label: 'neutral' });
  });

  it('reads KUAKE-QIC (a Chinese JSON array) with its ids and eleven labels', async () => {
    const path = join(DATASETS, 'kuake_qic', 'KUAKE-QIC_train.json');
    const preview = await core.call('dataset.preview', { path });
    expect(preview).toMatchObject({ format: 'json', encoding: 'utf-8', columns: ['id', 'query', 'label'] });
    const { result } = await importFile(core, {
      projectId,
      path,
      textColumn: 'query',
      labelColumn: 'label',
      idColumn: 'id',
    });
    expect(result?.imported).toBe(6931);
    expect(result?.labelsCreated).toHaveLength(11);
    const labels = await core.call('dataset.labels', { projectId });
    expect(labels.map((l) => l.name)).toContain('病情诊断');
    expect(labels.reduce((s, l) => s + l.count, 0)).toBe(6931);
    const row = core.db.prepare("SELECT text, external_id FROM examples WHERE external_id = 's1'").get();
    expect(row).toEqual({ text: '丰胸的方法有哪些', external_id: 's1' });
  });

  it('reads the unfair-ToS TSV and keeps the other columns as metadata; a second import adds to the project', async () => {
    const path = join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv');
    const preview = await core.call('dataset.preview', { path });
    expect(preview).toMatchObject({ delimiter: '\t', suggested: { text: 'text', label: 'labels' } });
    const { result } = await importFile(core, { projectId, path, textColumn: 'text', labelColumn: 'labels' });
    expect(result?.imported).toBe(9414);
    const meta = core.db
      .prepare('SELECT metadata FROM examples WHERE project_id = ? ORDER BY id LIMIT 1')
      .get(projectId) as {
      metadata: string;
    };
    expect(JSON.parse(meta.metadata)).toEqual({ document: '9gag', sent_idx: '0', split_guess: 'train' });
    const second = await importFile(core, {
      projectId,
      path: join(DATASETS, 'kuake_qic', 'KUAKE-QIC_test.json'),
      textColumn: 'query',
    });
    expect(second.job.state).toBe('completed');
    const stats = await core.call('dataset.stats', { projectId });
    expect(stats.sources.map((s) => s.name)).toEqual(['claudette50_sentences.tsv', 'KUAKE-QIC_test.json']);
    expect(stats.total).toBe(9414 + (second.result?.imported ?? 0));
  });
});

describe('formats and encodings', () => {
  it('parses quoted CSV fields with delimiters, doubled quotes, embedded newlines and CRLF endings', async () => {
    const csv = 'id;text;label\r\n1;"Hello; world";a\r\n2;"She said ""no""\r\nthen left";b\r\n3;plain;a\r\n';
    const path = writeFixture(dir, 'semi.csv', csv);
    const preview = await core.call('dataset.preview', { path });
    expect(preview.delimiter).toBe(';');
    const { result } = await importFile(core, {
      projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      idColumn: 'id',
    });
    expect(result?.imported).toBe(3);
    expect(texts()).toEqual(['Hello; world', 'She said "no"\nthen left', 'plain']);
    const rows = core.db
      .prepare('SELECT source_row FROM examples WHERE project_id = ? ORDER BY id')
      .all(projectId);
    expect(rows).toEqual([{ source_row: 2 }, { source_row: 3 }, { source_row: 5 }]);
  });

  it.each([
    ['utf-8 with BOM', 'utf-8', '\ufeff', 'utf-8'],
    ['utf-16le with BOM', 'utf-16le', '\ufeff', 'utf-16le'],
    ['utf-16be with BOM', 'utf-16be', '\ufeff', 'utf-16be'],
    ['GB18030', 'gb18030', '', 'gb18030'],
    ['Big5', 'big5', '', 'big5'],
  ])('detects %s and imports the text intact', async (_name, encoding, bom, expected) => {
    const rows = ['text,label'];
    const zh = encoding === 'big5' ? '頭痛應該看哪個科室' : '头痛应该看哪个科室';
    for (let i = 0; i < 40; i++) rows.push(`${zh}${i},${i % 2 ? '是' : '否'}`);
    const path = writeFixture(dir, `${encoding}.csv`, bom + rows.join('\n') + '\n', encoding);
    const preview = await core.call('dataset.preview', { path });
    expect(preview.encoding).toBe(expected);
    expect(preview.rows[0]).toEqual([`${zh}0`, '否']);
    const { result } = await importFile(core, { projectId, path, textColumn: 'text', labelColumn: 'label' });
    expect(result?.imported).toBe(40);
    expect(texts()[5]).toBe(`${zh}5`);
  });

  it('reads a GB18030 file as GB18030 when one short line is valid UTF-8 by chance (KUAKE-QIC queries)', async () => {
    // "什么" in GB18030 (CA B2 C3 B4) is also valid UTF-8: read as UTF-8 with Windows-1252 for the other lines, every
    // other query of the file was garbled.
    const queries = (
      JSON.parse(readFileSync(join(DATASETS, 'kuake_qic', 'KUAKE-QIC_train.json'), 'utf8')) as {
        query: string;
      }[]
    ).map((r) => r.query.replace(/[\s",]/g, ''));
    expect(queries).toContain('什么');
    const path = writeFixture(dir, 'kuake-gb.csv', ['query', ...queries].join('\n') + '\n', 'gb18030');
    const preview = await core.call('dataset.preview', { path });
    expect(preview.encoding).toBe('gb18030');
    const { result } = await importFile(core, { projectId, path, textColumn: 'query' });
    expect(result?.imported).toBe(queries.length);
    expect(texts()).toEqual(queries);
  });

  it('reads the GB18030 lines of a UTF-8 file in GB18030 (two exports put together) and reports them', async () => {
    const queries = (
      JSON.parse(readFileSync(join(DATASETS, 'kuake_qic', 'KUAKE-QIC_dev.json'), 'utf8')) as {
        query: string;
      }[]
    )
      .map((r) => r.query.replace(/[\s",]/g, ''))
      .filter((q) => q.length >= 4)
      .slice(0, 330);
    // Lines 2-6 and 37-336 as UTF-8, lines 7-36 as an older tool saved them, in GB18030.
    const utf8 = (qs: string[]): Buffer => Buffer.from(qs.map((q) => `${q}\n`).join(''));
    const path = join(dir, 'two-exports.csv');
    writeFileSync(
      path,
      Buffer.concat([
        utf8(['query', ...queries.slice(0, 5)]),
        iconv.encode(
          queries
            .slice(5, 35)
            .map((q) => `${q}\n`)
            .join(''),
          'gb18030',
        ),
        utf8(queries.slice(35)),
      ]),
    );
    const preview = await core.call('dataset.preview', { path });
    expect(preview).toMatchObject({ encoding: 'utf-8', recodeFrom: 'gb18030' });
    expect(preview.rows.slice(0, 8).map((r) => r[0])).toEqual(queries.slice(0, 8));
    const { result } = await importFile(core, { projectId, path, textColumn: 'query' });
    expect(texts()).toEqual(queries);
    expect(result?.recoded).toEqual({
      count: 30,
      lines: Array.from({ length: 30 }, (_, i) => i + 7),
      encoding: 'gb18030',
    });
  });

  it('still reads a UTF-8 file with a few Windows-1252 lines line by line', async () => {
    const lines = ['text', ...Array.from({ length: 30 }, (_, i) => `头痛应该看哪个科室 ${i}`)];
    const utf8 = Buffer.from(lines.join('\n') + '\n');
    const path = join(dir, 'mixed.csv');
    writeFileSync(path, Buffer.concat([utf8, Buffer.from('Caf\xe9 cr\xe8me\n', 'latin1')]));
    const preview = await core.call('dataset.preview', { path });
    expect(preview.encoding).toBe('utf-8');
    const { result } = await importFile(core, { projectId, path, textColumn: 'text' });
    expect(result?.imported).toBe(31);
    expect(texts().at(-1)).toBe('Café crème');
    expect(texts()[0]).toBe('头痛应该看哪个科室 0');
  });

  it('lets a person override the detected encoding', async () => {
    const path = writeFixture(dir, 'l1.csv', 'text\nCafé crème\n', 'latin1');
    const preview = await core.call('dataset.preview', { path, encoding: 'latin1' });
    expect(preview.rows[0]).toEqual(['Café crème']);
  });

  it('imports JSON Lines, a JSON array and an .xlsx workbook', async () => {
    const jsonl = writeFixture(
      dir,
      'a.jsonl',
      '{"text":"one","tag":"x"}\n\n{"text":"two","tag":"y","n":3}\n',
    );
    const json = writeFixture(
      dir,
      'b.json',
      JSON.stringify([{ text: 'three' }, { text: 'four, with "quotes" ]' }], null, 2),
    );
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['Text', 'Label']);
    ws.addRow(['five', 'x']);
    ws.addRow(['six', 'y']);
    const xlsx = join(dir, 'c.xlsx');
    await wb.xlsx.writeFile(xlsx);
    expect((await core.call('dataset.preview', { path: jsonl })).columns).toEqual(['text', 'tag', 'n']);
    await importFile(core, { projectId, path: jsonl, textColumn: 'text', labelColumn: 'tag' });
    await importFile(core, { projectId, path: json, textColumn: 'text' });
    const xp = await core.call('dataset.preview', { path: xlsx });
    expect(xp).toMatchObject({
      format: 'xlsx',
      columns: ['Text', 'Label'],
      rows: [
        ['five', 'x'],
        ['six', 'y'],
      ],
    });
    await importFile(core, { projectId, path: xlsx, textColumn: 'Text', labelColumn: 'Label' });
    expect(texts()).toEqual(['one', 'two', 'three', 'four, with "quotes" ]', 'five', 'six']);
  });

  it('imports a folder of .txt/.md documents, one example each, with the sub-folder as a label', async () => {
    writeFixture(dir, 'docs/cardio/a.txt', 'Chest pain on exertion.');
    writeFixture(dir, 'docs/neuro/b.md', '# Note\nHeadache for three days.');
    writeFixture(dir, 'docs/neuro/skip.pdf', '%PDF');
    const path = join(dir, 'docs');
    const preview = await core.call('dataset.preview', { path });
    expect(preview).toMatchObject({ format: 'folder', columns: ['text', 'file', 'folder'] });
    const { result } = await importFile(core, {
      projectId,
      path,
      textColumn: 'text',
      labelColumn: 'folder',
      idColumn: 'file',
    });
    expect(result).toMatchObject({ imported: 2, labelsCreated: ['cardio', 'neuro'] });
    expect(texts()).toEqual(['Chest pain on exertion.', '# Note\nHeadache for three days.']);
  });
});

describe('bad input', () => {
  it('aborts on an unclosed quote with its line number, leaving the project exactly as before', async () => {
    await importFile(core, {
      projectId,
      path: writeFixture(dir, 'ok.csv', 'text\nalready here\n'),
      textColumn: 'text',
    });
    const before = tableSnapshot(core, projectId);
    const path = writeFixture(dir, 'bad.csv', 'text,label\nfine,a\n"never closed,b\nmore,a\n');
    const { job } = await importFile(core, { projectId, path, textColumn: 'text', labelColumn: 'label' });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/Line 3 of bad\.csv: .*unclosed quote.*Nothing was imported/);
    expect(tableSnapshot(core, projectId)).toEqual(before);
    expect(leftovers()).toEqual({ files: [], rows: { n: 0 } });
  });

  it('skips malformed rows when asked and reports each with file and line', async () => {
    const path = writeFixture(
      dir,
      'cols.csv',
      'text,label\ngood,a\ntoo,many,cells\nalso good,b\n"open,a\nlast,b\n',
    );
    const { result } = await importFile(core, {
      projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      onBadRow: 'skip',
    });
    expect(result?.badRows).toEqual([
      { file: 'cols.csv', line: 3, message: 'expected 2 columns, found 3' },
      { file: 'cols.csv', line: 5, message: 'a quoted field is never closed (unclosed quote)' },
    ]);
    expect(texts()).toEqual(['good', 'also good', 'last']);
    expect(result?.skipped).toBe(2);
  });

  it('reports an invalid JSON line by its number', async () => {
    const path = writeFixture(dir, 'x.jsonl', '{"text":"a"}\n{"text": oops}\n{"text":"b"}\n');
    const { job } = await importFile(core, { projectId, path, textColumn: 'text' });
    expect(job.error).toMatch(/^Line 2 of x\.jsonl: invalid JSON/);
    const skip = await importFile(core, { projectId, path, textColumn: 'text', onBadRow: 'skip' });
    expect(skip.result?.imported).toBe(2);
  });

  it('refuses empty and binary files, old .xls and a missing text column before any job starts', async () => {
    const empty = writeFixture(dir, 'empty.csv', '');
    await expect(core.call('dataset.preview', { path: empty })).rejects.toThrow(/is empty/);
    const bin = writeFixture(
      dir,
      'pic.csv',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2, 3, 0, 0]),
    );
    await expect(core.call('dataset.preview', { path: bin })).rejects.toThrow(/binary file/);
    const xls = writeFixture(dir, 'old.xls', 'x');
    await expect(core.call('dataset.preview', { path: xls })).rejects.toThrow(/save it as \.xlsx/);
    const ok = writeFixture(dir, 'ok.csv', 'body,label\nx,y\n');
    await expect(
      core.call('dataset.import', { projectId, path: ok, textColumn: 'text', onBadRow: 'abort' }),
    ).rejects.toThrow('The text column "text" does not exist in ok.csv. Its columns are: body, label.');
    expect(core.jobs.list({ projectId })).toHaveLength(0);
  });

  it('reports a single 50 MB line without holding it in memory, and imports the rows around it', async () => {
    const path = join(dir, 'huge.csv');
    const fd = openSync(path, 'w');
    writeSync(fd, 'text\nbefore\n');
    const block = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, '\nafter\n');
    closeSync(fd);
    const rssBefore = process.memoryUsage().rss;
    const { job, result } = await importFile(core, { projectId, path, textColumn: 'text', onBadRow: 'skip' });
    expect(job.state).toBe('completed');
    expect(result?.badRows).toHaveLength(1);
    expect(result?.badRows[0]).toMatchObject({ line: 3 });
    expect(result?.badRows[0].message).toMatch(/longer than/);
    expect(texts()).toEqual(['before', 'after']);
    // Far less than the 50 MB line would take as a JS string (100 MB) plus copies.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
  });
});

describe('job control', () => {
  /** A file large enough to be read on the import's reader thread (importReader.ts), as a real archive is. */
  function bigCsv(rows: number): string {
    const lines = ['text,label'];
    const words = 'with some words about a patient, a contract and a clause '.repeat(2);
    for (let i = 0; i < rows; i++) lines.push(`"example number ${i} ${words}",${i % 3 ? 'a' : 'b'}`);
    const path = writeFixture(dir, 'big.csv', lines.join('\n') + '\n');
    expect(statSync(path).size).toBeGreaterThanOrEqual(READ_IN_WORKER_FROM);
    return path;
  }

  it('ends a batch of long documents at BATCH_BYTES, not after ten thousand of them, and keeps every text whole', async () => {
    // 600 documents of 40 KB: in one batch of rows they were 24 MB of text held twice at once (6,000 of them took an
    // import to 923 MB of RSS); by bytes they are batches of about 400.
    const long = (i: number): string =>
      `note ${i} ${'patient presents with chest pain 胸痛 '.repeat(1100)}`.trim();
    const lines = ['text'];
    for (let i = 0; i < 600; i++) lines.push(long(i));
    const path = writeFixture(dir, 'long.csv', lines.join('\n') + '\n');
    expect(statSync(path).size).toBeGreaterThanOrEqual(READ_IN_WORKER_FROM);
    const job = await core.call('dataset.import', { projectId, path, textColumn: 'text', onBadRow: 'abort' });
    const count = core.db.prepare('SELECT COUNT(*) FROM examples WHERE project_id = ?').pluck();
    let first = 0;
    while (!first && !['completed', 'failed', 'cancelled'].includes(core.jobs.get(job.id).state)) {
      // The rows of the batches committed so far.
      first = count.get(projectId) as number;
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(600);
    expect(first * Buffer.byteLength(long(0))).toBeLessThanOrEqual(2 * BATCH_BYTES);
    expect((await core.jobs.wait(job.id)).state).toBe('completed');
    expect(texts()).toEqual(Array.from({ length: 600 }, (_, i) => long(i)));
  });

  it('a cancelled import leaves nothing behind', async () => {
    const path = bigCsv(60_000);
    const before = tableSnapshot(core, projectId);
    const job = await core.call('dataset.import', {
      projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      onBadRow: 'abort',
    });
    core.jobs.pause(job.id);
    core.jobs.cancel(job.id);
    const final = await core.jobs.wait(job.id);
    expect(final.state).toBe('cancelled');
    expect(tableSnapshot(core, projectId)).toEqual(before);
    expect(leftovers()).toEqual({ files: [], rows: { n: 0 } });
  });

  it('while an import writes its rows, a review save and job progress are written at once and kept; its rows appear in committed batches', async () => {
    await importFile(core, {
      projectId,
      path: writeFixture(dir, 'first.csv', 'text,label\nalready here,a\nand this one,b\n'),
      textColumn: 'text',
      labelColumn: 'label',
    });
    const [first] = core.db
      .prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id')
      .all(projectId) as Array<{
      id: number;
    }>;
    const labelB = (
      core.db.prepare("SELECT id FROM labels WHERE project_id = ? AND name = 'b'").get(projectId) as {
        id: number;
      }
    ).id;
    const ROWS = 200_000;
    const job = await core.call('dataset.import', {
      projectId,
      path: bigCsv(ROWS),
      textColumn: 'text',
      labelColumn: 'label',
      onBadRow: 'abort',
    });
    while (written(job.id) < 10_000) await new Promise((r) => setTimeout(r, 5));
    expect(core.jobs.get(job.id).state).toBe('running');
    await core.call('review.annotate', {
      projectId,
      exampleId: first.id,
      labelId: labelB,
      queue: { kind: 'all' },
    });
    // Held where it is for the look from outside (the reader thread writes a batch in tens of milliseconds, so the
    // import could otherwise end first); it goes on after.
    core.jobs.pause(job.id);
    // A second connection (as a backup tool or the CLI would be) sees the save and the import's progress committed,
    // and the import's rows of the batches committed so far, each with its file's label.
    const ro = new Database(core.paths.database, { readonly: true });
    try {
      expect(
        ro
          .prepare("SELECT COUNT(*) AS n FROM annotations WHERE example_id = ? AND source = 'human'")
          .get(first.id),
      ).toEqual({ n: 1 });
      expect(
        (ro.prepare('SELECT progress_done AS d FROM jobs WHERE id = ?').get(job.id) as { d: number }).d,
      ).toBeGreaterThan(0);
      const seen = ro
        .prepare('SELECT COUNT(*) AS n FROM examples WHERE project_id = ?')
        .pluck()
        .get(projectId);
      expect(seen).toBeGreaterThanOrEqual(10_002);
      expect(seen).toBeLessThan(ROWS + 2);
      const unlabelled = ro
        .prepare(
          `SELECT COUNT(*) FROM examples e WHERE e.project_id = ? AND e.id > ?
             AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.example_id = e.id AND a.source = 'import')`,
        )
        .pluck()
        .get(projectId, first.id + 1);
      expect(unlabelled).toBe(0);
    } finally {
      ro.close();
    }
    core.jobs.resume(job.id);
    expect((await core.jobs.wait(job.id)).state).toBe('completed');
    expect(texts()).toHaveLength(ROWS + 2);
    expect(humanLabels(core.db, projectId).get(first.id)).toBe(labelB);
    expect(leftovers()).toEqual({ files: [], rows: { n: 0 } });
  });

  it('resumes an import interrupted by a shutdown without duplicating rows', async () => {
    const path = bigCsv(60_000);
    const job = await core.call('dataset.import', {
      projectId,
      path,
      textColumn: 'text',
      labelColumn: 'label',
      onBadRow: 'abort',
    });
    // Let it write a few batches, then shut the core down as a quit or crash would.
    while (written(job.id) < 10_000) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await t.close({ keep: true });
    t = await testCore({ dataDir: t.dataDir });
    core = t.core;
    expect(core.jobs.get(job.id).state).toBe('interrupted');
    // The rows of the committed batches stay in the project for the resume, which goes on from its checkpoint.
    const checkpoint = JSON.parse(
      (core.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(job.id) as { checkpoint: string })
        .checkpoint,
    ) as { written: number };
    expect(checkpoint.written).toBeGreaterThanOrEqual(10_000);
    expect(texts()).toHaveLength(checkpoint.written);
    expect(leftovers().files).toEqual([]);
    core.jobs.resume(job.id);
    const final = await core.jobs.wait(job.id);
    expect(final.state).toBe('completed');
    const n = core.db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT source_row) AS d FROM examples').get();
    expect(n).toEqual({ n: 60_000, d: 60_000 });
    expect(leftovers()).toEqual({ files: [], rows: { n: 0 } });
  });
});
