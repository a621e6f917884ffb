import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { humanLabelSets } from '../../src/main/core/labels';
import { ROOT, tempDir, testCore } from '../helpers';
import { makeProject } from './fixture';
import { makeMultiProject } from './multilabel-fixture';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
type TestCore = Awaited<ReturnType<typeof testCore>>['core'];
async function open(dataDir?: string): Promise<TestCore> {
  const t = await testCore(dataDir ? { dataDir } : {});
  closers.push(() => t.close({ keep: Boolean(dataDir) }));
  return t.core;
}

async function annotateSet(
  core: TestCore,
  projectId: number,
  exampleId: number,
  labelSet: number[],
  annotator: string,
): Promise<void> {
  await core.call('review.annotate', { projectId, exampleId, labelSet, queue: { kind: 'all' }, annotator });
}

const TEXTS = ['First clause.', 'Second clause.', 'Third clause.', 'Fourth clause.'];

describe('annotation exchange (JSONL) in a multi-label project', () => {
  it('carries label sets (the empty set too) by name to another machine; importing twice adds nothing', async () => {
    const a = await open();
    const fa = await makeMultiProject(a, TEXTS);
    await annotateSet(a, fa.projectId, fa.examples[0], [fa.labels.c, fa.labels.a], 'alice');
    await annotateSet(a, fa.projectId, fa.examples[1], [], 'alice');
    await annotateSet(a, fa.projectId, fa.examples[2], [fa.labels.b], 'bob');
    // A change of mind exports only the current set.
    await annotateSet(a, fa.projectId, fa.examples[2], [fa.labels.b, fa.labels.c], 'bob');
    const out = await a.call('review.export', { projectId: fa.projectId });
    expect(out.count).toBe(3);
    const lines = out.jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.labels, l.annotator, 'label' in l])).toEqual([
      [['a', 'c'], 'alice', false],
      [[], 'alice', false],
      [['b', 'c'], 'bob', false],
    ]);

    const b = await open();
    // The other machine imported the same documents in another order (so other ids).
    const fb = await makeMultiProject(b, [...TEXTS].reverse());
    const preview = await b.call('review.import', {
      projectId: fb.projectId,
      jsonl: out.jsonl,
      dryRun: true,
    });
    expect(preview).toMatchObject({ lines: 3, imported: 0, dryRun: true, conflicts: [], invalid: [] });
    expect(humanLabelSets(b.db, fb.projectId).size).toBe(0);
    const done = await b.call('review.import', { projectId: fb.projectId, jsonl: out.jsonl });
    expect(done).toMatchObject({ imported: 3, duplicates: 0, dryRun: false });
    expect(humanLabelSets(b.db, fb.projectId)).toEqual(
      new Map([
        [fb.examples[3], [fb.labels.a, fb.labels.c]],
        [fb.examples[2], []],
        [fb.examples[1], [fb.labels.b, fb.labels.c]],
      ]),
    );
    const rows = b.db
      .prepare('SELECT label_id, label_set, annotator, source FROM annotations ORDER BY id')
      .all();
    expect(rows[0]).toEqual({
      label_id: null,
      label_set: JSON.stringify([fb.labels.a, fb.labels.c]),
      annotator: 'alice',
      source: 'merge',
    });
    // Agreement reads the imported sets as the annotators' own.
    const agreement = await b.call('review.agreement', { projectId: fb.projectId });
    expect(agreement.annotators).toEqual(['alice', 'bob']);
    const again = await b.call('review.import', { projectId: fb.projectId, jsonl: out.jsonl });
    expect(again).toMatchObject({ imported: 0, duplicates: 3 });
    expect(b.db.prepare('SELECT COUNT(*) AS n FROM annotations').get()).toEqual({ n: 3 });
  });

  it('names the unknown labels of a set and imports nothing of that line, even with allowPartial', async () => {
    const core = await open();
    const fx = await makeMultiProject(core, TEXTS);
    const hash = (t: string): string =>
      (core.db.prepare('SELECT text_hash FROM examples WHERE text = ?').pluck().get(t) as string) ?? '';
    const line = (text: string, labels: string[]): string =>
      JSON.stringify({
        textHash: hash(text),
        labels,
        annotator: 'carol',
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    const jsonl = [
      line('First clause.', ['A', 'b']), // names match case-insensitively
      line('Second clause.', ['a', 'arbitration', 'jurisdiction']),
      line('Third clause.', ['c', 'arbitration']),
      JSON.stringify({
        textHash: hash('Fourth clause.'),
        label: 'a',
        annotator: 'carol',
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
    ].join('\n');
    const refused = await core.call('review.import', { projectId: fx.projectId, jsonl });
    expect(refused).toMatchObject({ lines: 4, imported: 0, dryRun: true });
    expect(refused.unknownLabels).toEqual([
      {
        line: 2,
        message:
          'The labels "arbitration", "jurisdiction" of the set a, arbitration, jurisdiction are not in this project. ' +
          'Add them under Labels, or leave this line out.',
      },
      {
        line: 3,
        message:
          'The label "arbitration" of the set c, arbitration is not in this project. Add it under Labels, or leave this line out.',
      },
    ]);
    expect(refused.invalid).toHaveLength(1);
    expect(refused.invalid[0].line).toBe(4);
    expect(refused.invalid[0].message).toContain('This is a multi-label project: the line needs "labels"');
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM annotations').get()).toEqual({ n: 0 });

    // Partial: the good line only; a set is never cut down to its known labels.
    const partial = await core.call('review.import', { projectId: fx.projectId, jsonl, allowPartial: true });
    expect(partial).toMatchObject({ imported: 1, dryRun: false });
    expect(humanLabelSets(core.db, fx.projectId)).toEqual(
      new Map([[fx.examples[0], [fx.labels.a, fx.labels.b]]]),
    );
  });

  it('a set file into a single-label project, and a single-label file into a multi-label one, are refused clearly', async () => {
    const multi = await open();
    const fm = await makeMultiProject(multi, TEXTS);
    await annotateSet(multi, fm.projectId, fm.examples[0], [fm.labels.a], 'alice');
    const sets = (await multi.call('review.export', { projectId: fm.projectId })).jsonl;

    const single = await open();
    const fs = await makeProject(single, TEXTS);
    await single.call('review.annotate', {
      projectId: fs.projectId,
      exampleId: fs.examples[0],
      labelId: fs.labels.fair,
      queue: { kind: 'all' },
      annotator: 'bob',
    });
    const one = (await single.call('review.export', { projectId: fs.projectId })).jsonl;

    const intoSingle = await single.call('review.import', { projectId: fs.projectId, jsonl: sets });
    expect(intoSingle.invalid[0].message).toContain('This is a single-label project');
    expect(intoSingle.imported).toBe(0);
    const intoMulti = await multi.call('review.import', { projectId: fm.projectId, jsonl: one });
    expect(intoMulti.invalid[0].message).toContain('This is a multi-label project');
    expect(intoMulti.imported).toBe(0);
  });

  it('a different set is a conflict: skip keeps ours, theirs takes their whole set', async () => {
    const other = await open();
    const fo = await makeMultiProject(other, TEXTS);
    await annotateSet(other, fo.projectId, fo.examples[1], [fo.labels.b, fo.labels.c], 'bob');
    const { jsonl } = await other.call('review.export', { projectId: fo.projectId });

    const core = await open();
    const fx = await makeMultiProject(core, TEXTS);
    await annotateSet(core, fx.projectId, fx.examples[1], [], 'alice');
    const skipped = await core.call('review.import', { projectId: fx.projectId, jsonl });
    expect(skipped.imported).toBe(0);
    expect(skipped.conflicts).toEqual([
      {
        line: 1,
        exampleId: fx.examples[1],
        currentLabel: '(none of these)',
        currentAnnotator: 'alice',
        importedLabel: 'b, c',
        importedAnnotator: 'bob',
        currentLabels: [],
        importedLabels: ['b', 'c'],
      },
    ]);
    expect(humanLabelSets(core.db, fx.projectId).get(fx.examples[1])).toEqual([]);
    const taken = await core.call('review.import', { projectId: fx.projectId, jsonl, onConflict: 'theirs' });
    expect(taken.imported).toBe(1);
    expect(humanLabelSets(core.db, fx.projectId).get(fx.examples[1])).toEqual([fx.labels.b, fx.labels.c]);
    // Now alice and bob disagree on that document: it is a conflict to adjudicate.
    const agreement = await core.call('review.agreement', { projectId: fx.projectId });
    expect(agreement.disagreements).toBe(1);
  });

  it('distillery review export / import carry sets between two data folders and name unknown labels', async () => {
    const from = tempDir();
    const to = tempDir();
    try {
      const a = await open(from.dir);
      const fa = await makeMultiProject(a, TEXTS);
      await annotateSet(a, fa.projectId, fa.examples[0], [fa.labels.a, fa.labels.b], 'alice');
      a.db.prepare("UPDATE labels SET name = 'penalty' WHERE id = ?").run(fa.labels.c);
      await annotateSet(a, fa.projectId, fa.examples[1], [fa.labels.c], 'alice');
      const b = await open(to.dir);
      const fb = await makeMultiProject(b, TEXTS);
      for (const c of closers.splice(0)) await c();

      const run = (
        dataDir: string,
        ...args: string[]
      ): { status: number | null; stdout: string; stderr: string } =>
        spawnSync(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dataDir], {
          cwd: ROOT,
          encoding: 'utf8',
        });
      const file = join(from.dir, 'annotations.jsonl');
      const exported = run(from.dir, 'review', 'export', String(fa.projectId), '--out', file);
      expect(exported.status, exported.stderr).toBe(0);
      expect(exported.stdout).toContain('Wrote 2 annotations');
      expect(readFileSync(file, 'utf8')).toContain('"labels":["penalty"]');

      const refused = run(to.dir, 'review', 'import', String(fb.projectId), file);
      expect(refused.status).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain(
        'line 2: The label "penalty" of the set penalty is not in this project.',
      );
      const partial = run(
        to.dir,
        'review',
        'import',
        String(fb.projectId),
        file,
        '--allow-partial',
        '--json',
      );
      expect(partial.status, partial.stderr).toBe(0);
      const json = JSON.parse(partial.stdout) as { imported?: number; value?: { imported: number } };
      expect(json.value?.imported ?? json.imported).toBe(1);
      const c = await open(to.dir);
      expect(humanLabelSets(c.db, fb.projectId)).toEqual(
        new Map([[fb.examples[0], [fb.labels.a, fb.labels.b]]]),
      );
    } finally {
      for (const c of closers.splice(0)) await c();
      from.cleanup();
      to.cleanup();
    }
  });
});
