import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { ImportResult } from '../../src/shared/dataset';
import type { Job } from '../../src/shared/jobs';
import { writeDataCorpus, type CorpusItem } from '../fixtures/malformed/corpus';
import { tempDir, testCore } from '../helpers';

/** Per file: a hang is a failure, never a wait. */
const ITEM_TIMEOUT_MS = 60_000;

interface Outcome {
  readonly kind: 'error' | 'imported';
  readonly code?: string;
  readonly message?: string;
  readonly result?: ImportResult;
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_r, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${ITEM_TIMEOUT_MS} ms`)), ITEM_TIMEOUT_MS),
    ),
  ]);
}

/** A clear error: a code other than INTERNAL and a message for a person (no stack trace, no "undefined"). */
function expectClear(item: string, code: string | undefined, message: string | undefined): void {
  expect(code, `${item}: ${message}`).toBeDefined();
  expect(code, `${item}: ${message}`).not.toBe('INTERNAL');
  expect(message, item).toMatch(/\w{3,}/);
  expect(message, item).not.toMatch(/\n\s+at |\bundefined\b|\[object Object\]/);
}

describe('the malformed-input corpus, through the real import job', () => {
  let t: Awaited<ReturnType<typeof testCore>>;
  let core: Core;
  let files: { dir: string; cleanup: () => void };
  let items: CorpusItem[] = [];
  beforeAll(async () => {
    t = await testCore();
    core = t.core;
    files = tempDir('distillery-corpus-');
    items = await writeDataCorpus(join(files.dir, 'data'));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    files?.cleanup();
  });

  async function importOne(item: CorpusItem, projectId: number): Promise<Outcome> {
    const preview = await core.invoke('dataset.preview', { path: item.path });
    if (!preview.ok) return { kind: 'error', code: preview.error.code, message: preview.error.message };
    const textColumn = item.textColumn ?? preview.value.suggested.text ?? preview.value.columns[0];
    const started = await core.invoke('dataset.import', {
      projectId,
      path: item.path,
      textColumn,
      splitColumn: preview.value.suggested.split,
      onBadRow: 'skip',
    });
    if (!started.ok) return { kind: 'error', code: started.error.code, message: started.error.message };
    let job: Job;
    try {
      job = await withTimeout(core.jobs.wait(started.value.id), item.name);
    } catch (e) {
      core.jobs.cancel(started.value.id);
      throw e;
    }
    if (job.state === 'completed') return { kind: 'imported', result: job.result as ImportResult };
    return {
      kind: 'error',
      code: job.errorCode ?? undefined,
      message: job.error ?? '',
    };
  }

  it('ends every file in a clear error or a correct import, and the database stays intact', async () => {
    expect(items.length).toBeGreaterThanOrEqual(60);
    let clear = 0;
    let correct = 0;
    for (const item of items) {
      const projectId = (await core.call('projects.create', { name: `Corpus ${item.name}`.slice(0, 100) }))
        .id;
      const out = await withTimeout(importOne(item, projectId), item.name);
      const texts = (
        core.db
          .prepare('SELECT text FROM examples WHERE project_id = ? ORDER BY id')
          .all(projectId) as Array<{
          text: string;
        }>
      ).map((r) => r.text);
      if (out.kind === 'error') {
        expect(
          'error' in item.expect || 'any' in item.expect,
          `${item.name} failed: ${out.code} ${out.message}`,
        ).toBe(true);
        expectClear(item.name, out.code, out.message);
        // A refused file leaves its project empty.
        expect(texts, item.name).toEqual([]);
        clear++;
        continue;
      }
      expect(
        'error' in item.expect,
        `${item.name} was imported (${out.result?.imported} rows) but should be refused`,
      ).toBe(false);
      if ('rows' in item.expect) {
        expect(out.result?.imported, item.name).toBe(item.expect.rows);
        expect(texts, item.name).toHaveLength(item.expect.rows);
        if (item.expect.skipped !== undefined)
          expect(out.result?.skipped, item.name).toBe(item.expect.skipped);
        if (item.expect.texts) expect(texts, item.name).toEqual(item.expect.texts);
        // Never mojibake: no replacement characters in a correct import.
        for (const text of texts) expect(text, item.name).not.toContain('\ufffd');
      }
      correct++;
    }
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM import_staging').get()).toEqual({ n: 0 });
    console.log(
      `malformed data corpus: ${items.length} files, ${clear} clear errors, ${correct} correct imports`,
    );
    expect(clear + correct).toBe(items.length);
  }, 900_000);
});
