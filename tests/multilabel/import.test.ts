import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { humanLabelSets, humanLabels, projectKind } from '../../src/main/core/labels';
import type { Core } from '../../src/main/core/core';
import { DATASETS, tempDir, testCore } from '../helpers';
import { importFile, writeFixture } from '../dataset/fixtures';

const CLAUDETTE = join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv');

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let dir: { dir: string; cleanup: () => void };
beforeEach(async () => {
  t = await testCore();
  core = t.core;
  dir = tempDir('distillery-ml-');
});
afterEach(async () => {
  await t.close();
  dir.cleanup();
});

function namesOf(projectId: number): Map<number, string[]> {
  const names = new Map(
    (
      core.db.prepare('SELECT id, name FROM labels WHERE project_id = ?').all(projectId) as Array<{
        id: number;
        name: string;
      }>
    ).map((l) => [l.id, l.name]),
  );
  const sets = humanLabelSets(core.db, projectId);
  return new Map([...sets].map(([id, ids]) => [id, ids.map((i) => names.get(i) ?? '?')]));
}

describe('a multi-label project', () => {
  it('imports the CLAUDETTE corpus with its |-joined labels, previewed first, "none of these" kept as a label', async () => {
    const p = await core.call('projects.create', { name: 'ToS', kind: 'multi' });
    expect(p.kind).toBe('multi');
    expect(projectKind(core.db, p.id)).toBe('multi');
    const preview = await core.call('dataset.preview', {
      path: CLAUDETTE,
      labelColumn: 'labels',
      multiLabel: { format: 'list', delimiter: '|' },
    });
    expect(preview.columns).toEqual(['document', 'sent_idx', 'split_guess', 'labels', 'text']);
    expect(preview.labelSets).toHaveLength(preview.rows.length);
    expect(preview.labelSets?.[0]).toEqual({ names: [] });
    const { result } = await importFile(core, {
      projectId: p.id,
      path: CLAUDETTE,
      textColumn: 'text',
      labelColumn: 'labels',
      multiLabel: { format: 'list', delimiter: '|' },
    });
    expect(result?.imported).toBe(9414);
    expect([...(result?.labelsCreated ?? [])].sort()).toEqual([
      'Arbitration',
      'Choice of law',
      'Content removal',
      'Contract by using',
      'Jurisdiction',
      'Limitation of liability',
      'Unilateral change',
      'Unilateral termination',
    ]);
    const sets = namesOf(p.id);
    // Every sentence is labelled: an empty set is "none of these", not missing.
    expect(sets.size).toBe(9414);
    const all = [...sets.values()];
    expect(all.filter((s) => s.length > 0)).toHaveLength(1032);
    expect(all.filter((s) => s.length >= 2)).toHaveLength(95);
    const per = (name: string): number => all.filter((s) => s.includes(name)).length;
    // PROVENANCE.md: LTD 296, TER 236, CH 188, CR 118, USE 117, LAW 70, J 68, A 44.
    expect(
      [
        'Limitation of liability',
        'Unilateral termination',
        'Unilateral change',
        'Content removal',
        'Contract by using',
        'Choice of law',
        'Jurisdiction',
        'Arbitration',
      ].map(per),
    ).toEqual([296, 236, 188, 118, 117, 70, 68, 44]);
    // Single-label reads see no label at all: the representation leaves them unchanged.
    expect(humanLabels(core.db, p.id).size).toBe(0);
    // The CLI prints the same kind back.
    expect((await core.call('projects.get', { projectId: p.id })).kind).toBe('multi');
  });

  it('reads JSON arrays, one 0/1 column per label, and refuses a bad cell with its line', async () => {
    const p = await core.call('projects.create', { name: 'Notes', kind: 'multi' });
    const jsonFile = writeFixture(
      dir.dir,
      'notes.jsonl',
      [
        { id: 'a', text: 'chest pain and fever', dx: ['cardiac', 'infection'] },
        { id: 'b', text: 'routine check', dx: [] },
        { id: 'c', text: 'cough', dx: ['infection', 'infection'] },
      ]
        .map((r) => JSON.stringify({ ...r, dx: JSON.stringify(r.dx) }))
        .join('\n') + '\n',
    );
    const preview = await core.call('dataset.preview', {
      path: jsonFile,
      labelColumn: 'dx',
      multiLabel: { format: 'auto' },
    });
    expect(preview.labelSets).toEqual([
      { names: ['cardiac', 'infection'] },
      { names: [] },
      { names: ['infection'] },
    ]);
    await importFile(core, {
      projectId: p.id,
      path: jsonFile,
      textColumn: 'text',
      labelColumn: 'dx',
      idColumn: 'id',
    });
    const cols = writeFixture(
      dir.dir,
      'cols.csv',
      'text,cardiac,infection,trauma\nbroken arm,0,0,1\nsepsis after fall,0,1,1\nnothing found,0,0,0\n',
    );
    const colPreview = await core.call('dataset.preview', { path: cols });
    expect(colPreview.binaryColumns).toEqual(['cardiac', 'infection', 'trauma']);
    await importFile(core, {
      projectId: p.id,
      path: cols,
      textColumn: 'text',
      multiLabel: { format: 'columns', columns: ['cardiac', 'infection', 'trauma'] },
    });
    const byText = new Map(
      [...namesOf(p.id)].map(([id, names]) => [
        (core.db.prepare('SELECT text FROM examples WHERE id = ?').get(id) as { text: string }).text,
        names,
      ]),
    );
    expect(Object.fromEntries(byText)).toEqual({
      'chest pain and fever': ['cardiac', 'infection'],
      'routine check': [],
      cough: ['infection'],
      'broken arm': ['trauma'],
      'sepsis after fall': ['infection', 'trauma'],
      'nothing found': [],
    });
    // The label columns are not kept as metadata.
    const meta = core.db.prepare("SELECT metadata FROM examples WHERE text = 'broken arm'").get() as {
      metadata: string | null;
    };
    expect(meta.metadata).toBeNull();

    const bad = writeFixture(dir.dir, 'bad.csv', 'text,cardiac\nok,1\nwhat,maybe\n');
    const { job } = await importFile(core, {
      projectId: p.id,
      path: bad,
      textColumn: 'text',
      multiLabel: { format: 'columns', columns: ['cardiac'] },
    });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/Line 3 .*"maybe" in the label column "cardiac" is not 0 or 1/);
    await expect(
      core.call('dataset.import', {
        projectId: p.id,
        path: bad,
        textColumn: 'text',
        multiLabel: { format: 'columns', columns: ['nope'] },
      }),
    ).rejects.toThrow(/label columns "nope" do not exist/);
  });

  it('re-importing with "update" replaces an imported label set a person has not changed', async () => {
    const p = await core.call('projects.create', { name: 'Upd', kind: 'multi' });
    const v1 = writeFixture(dir.dir, 'v1.csv', 'id,text,labels\n1,alpha,A|B\n2,beta,\n');
    await importFile(core, {
      projectId: p.id,
      path: v1,
      textColumn: 'text',
      labelColumn: 'labels',
      idColumn: 'id',
    });
    const v2 = writeFixture(dir.dir, 'v2.csv', 'id,text,labels\n1,alpha,B\n2,beta,A\n');
    await importFile(core, {
      projectId: p.id,
      path: v2,
      textColumn: 'text',
      labelColumn: 'labels',
      idColumn: 'id',
      onExisting: 'update',
    });
    expect([...namesOf(p.id).values()]).toEqual([['B'], ['A']]);
  });

  it('exports label sets (CSV: a JSON array per row; JSONL: labels, null when not labelled) that import back', async () => {
    const p = await core.call('projects.create', { name: 'Out', kind: 'multi' });
    const f = writeFixture(dir.dir, 'sets.csv', 'text,labels\n"alpha, with a comma",B|A\nbeta,\n中文,C\n');
    await importFile(core, { projectId: p.id, path: f, textColumn: 'text', labelColumn: 'labels' });
    // A document nobody has labelled yet (imported without a label column).
    const g = writeFixture(dir.dir, 'more.csv', 'text\ngamma\n');
    await importFile(core, { projectId: p.id, path: g, textColumn: 'text' });
    const jsonl = await core.call('dataset.export', { projectId: p.id, format: 'jsonl' });
    const lines = readFileSync(jsonl.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; labels: string[] | null; label?: unknown });
    expect(lines.map((l) => [l.text, l.labels])).toEqual([
      ['alpha, with a comma', ['A', 'B']],
      ['beta', []],
      ['中文', ['C']],
      ['gamma', null],
    ]);
    expect(lines.every((l) => !('label' in l))).toBe(true);
    const csv = await core.call('dataset.export', { projectId: p.id, format: 'csv' });
    const copy = await core.call('projects.create', { name: 'Copy', kind: 'multi' });
    const back = await importFile(core, {
      projectId: copy.id,
      path: csv.path,
      textColumn: 'text',
      labelColumn: 'label',
      multiLabel: { format: 'auto', delimiter: '|' },
    });
    expect(back.result?.imported).toBe(4);
    // The sets come back as they were; a blank cell reads as "none of these", as the importer documents.
    expect([...namesOf(copy.id).values()]).toEqual([['A', 'B'], [], ['C'], []]);
  });

  it('a single-label project refuses multi-label options and imports as before', async () => {
    const p = await core.call('projects.create', { name: 'Single' });
    expect(p.kind).toBe('single');
    const f = writeFixture(dir.dir, 's.csv', 'text,label\nhello,greeting\n');
    await expect(
      core.call('dataset.import', {
        projectId: p.id,
        path: f,
        textColumn: 'text',
        labelColumn: 'label',
        multiLabel: { format: 'list' },
      }),
    ).rejects.toThrow(/single-label project/);
    await importFile(core, { projectId: p.id, path: f, textColumn: 'text', labelColumn: 'label' });
    expect(humanLabels(core.db, p.id).size).toBe(1);
    expect(humanLabelSets(core.db, p.id).size).toBe(0);
  });
});
