import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { writeBigXlsx } from '../fixtures/malformed/bigXlsx';
import { importFile, projectFixtureForEachTest, tableSnapshot, writeFixture } from './fixtures';

let core: Core;
let dir: string;
let projectId: number;

projectFixtureForEachTest('Edges', (f) => {
  ({ core, dir, projectId } = f);
});

function texts(): string[] {
  return (
    core.db.prepare('SELECT text FROM examples WHERE project_id = ? ORDER BY id').all(projectId) as Array<{
      text: string;
    }>
  ).map((r) => r.text);
}

async function failure(path: string, textColumn = 'text'): Promise<{ code: string; message: string }> {
  const r = await core.invoke('dataset.import', { projectId, path, textColumn, onBadRow: 'abort' });
  if (!r.ok) return r.error;
  const job = await core.jobs.wait(r.value.id);
  expect(job.state).toBe('failed');
  return { code: job.errorCode ?? '', message: job.error ?? '' };
}

describe('silent wrong imports', () => {
  it('reads a UTF-8 file with a few latin-1 lines line by line, and reports those lines', async () => {
    const utf8 = Buffer.from('text,label\nCafé crème au lait,a\n北京的天气很好,b\n', 'utf8');
    const latin1 = Buffer.from('Naïve façade déjà vu,a\n', 'latin1');
    const tail = Buffer.from('Über straße,b\n', 'utf8');
    const path = writeFixture(dir, 'mixed.csv', Buffer.concat([utf8, latin1, tail]));
    const preview = await core.call('dataset.preview', { path });
    expect(preview.encoding).toBe('utf-8');
    const { result } = await importFile(core, { projectId, path, textColumn: 'text', labelColumn: 'label' });
    expect(texts()).toEqual(['Café crème au lait', '北京的天气很好', 'Naïve façade déjà vu', 'Über straße']);
    expect(result?.recoded).toEqual({ count: 1, lines: [4], encoding: 'windows-1252' });
  });

  it('refuses a whitespace-only file and a file whose texts are all empty: never one empty document', async () => {
    const before = tableSnapshot(core, projectId);
    const blank = writeFixture(dir, 'blank.csv', '   \n\t\n  \r\n\n');
    expect(await failure(blank)).toMatchObject({
      code: 'BAD_FILE',
      message: expect.stringMatching(/no documents/),
    });
    const empty = writeFixture(dir, 'empty-texts.csv', 'text,label\n  ,a\n\t,b\n');
    expect(await failure(empty)).toMatchObject({
      code: 'BAD_FILE',
      message: expect.stringMatching(/Every text in empty-texts\.csv is empty.*no documents/),
    });
    expect(tableSnapshot(core, projectId)).toEqual(before);
  });
});

describe('errors that used to mislead', () => {
  it('reads CR-only line endings as lines', async () => {
    const path = writeFixture(dir, 'mac.csv', 'text,label\r"first, quoted",a\rsecond,b\rthird,a\r');
    const { result } = await importFile(core, { projectId, path, textColumn: 'text', labelColumn: 'label' });
    expect(result?.imported).toBe(3);
    expect(texts()).toEqual(['first, quoted', 'second', 'third']);
  });

  it('refuses a FIFO as "not a regular file" and a missing file as NOT_FOUND, before any job', async () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    expect(await core.invoke('dataset.preview', { path: fifo })).toMatchObject({
      ok: false,
      error: { code: 'BAD_FILE', message: expect.stringMatching(/not a regular file/) },
    });
    expect(await core.invoke('dataset.preview', { path: join(dir, 'gone.csv') })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('imports a 6 MB JSON Lines record, and names the limit when the only record is too long', async () => {
    const big = 'x'.repeat(6 * 1024 * 1024);
    const path = writeFixture(
      dir,
      'big.jsonl',
      JSON.stringify({ text: big, label: 'a' }) + '\n{"text":"b"}\n',
    );
    const { result } = await importFile(core, { projectId, path, textColumn: 'text' });
    expect(result?.imported).toBe(2);
    const huge = join(dir, 'huge.jsonl');
    writeFileSync(huge, JSON.stringify({ text: 'y'.repeat(17 * 1024 * 1024) }) + '\n');
    expect(await core.invoke('dataset.preview', { path: huge })).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_FILE',
        message: expect.stringMatching(/line 1: the row is longer than 16,777,216 characters/),
      },
    });
  });
});

describe('a large workbook', () => {
  it('imports through the streaming reader with shared strings kept in a file, not in memory', async () => {
    const path = join(dir, 'big.xlsx');
    await writeBigXlsx(path, 30_000);
    const { result } = await importFile(core, { projectId, path, textColumn: 'text', labelColumn: 'label' });
    expect(result).toMatchObject({ imported: 30_000, labelsCreated: ['negative', 'neutral', 'positive'] });
    const all = texts();
    expect(all[0]).toBe('Document number 0: the patient reports symptoms on day 0 & asks for advice.');
    expect(all[29_999]).toBe(
      'Document number 29999: the patient reports symptoms on day 26 & asks for advice.',
    );
    expect(new Set(all).size).toBe(30_000);
  }, 300_000);
});
