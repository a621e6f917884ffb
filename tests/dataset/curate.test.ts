import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { humanLabels } from '../../src/main/core/labels';
import { nearDuplicateClusters } from '../../src/main/features/dataset/cleanText';
import { testCore } from '../helpers';
import { importFile, importLabelledRows, openProjectFixture } from './fixtures';

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let dir: string;
let cleanupDir: () => void;
let projectId: number;

beforeEach(async () => {
  ({ t, core, dir, cleanupDir, projectId } = await openProjectFixture('Notes'));
});
afterEach(async () => {
  await t.close();
  cleanupDir();
});

async function load(rows: Array<[string, string]>): Promise<void> {
  await importLabelledRows(core, projectId, dir, rows);
}

function row(id: number): {
  text: string;
  original_text: string | null;
  excluded: number;
  exclude_reason: string | null;
} {
  return core.db
    .prepare('SELECT text, original_text, excluded, exclude_reason FROM examples WHERE id = ?')
    .get(id) as never;
}

function ids(): number[] {
  return (
    core.db.prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id').all(projectId) as Array<{
      id: number;
    }>
  ).map((r) => r.id);
}

describe('cleaning', () => {
  it('previews, applies and undoes normalisation, length limits and exact duplicates', async () => {
    await load([
      ['Ｆｕｌｌ\u3000width   text', 'a'],
      ['short', 'a'],
      ['the same sentence here', 'a'],
      ['the same sentence here', 'b'],
      ['a perfectly ordinary sentence', 'b'],
    ]);
    const [full, short, dup1, dup2, plain] = ids();
    const options = { minChars: 6, exactDuplicates: true };
    const preview = await core.call('dataset.cleanPreview', { projectId, options });
    expect(preview).toMatchObject({
      total: 5,
      changedByNormalisation: 1,
      tooShort: 1,
      exactDuplicates: 1,
      excluded: 2,
    });
    expect(preview.samples[0]).toEqual({
      id: full,
      before: 'Ｆｕｌｌ\u3000width   text',
      after: 'Full width text',
    });
    // A preview changes nothing.
    expect(row(full).text).toBe('Ｆｕｌｌ\u3000width   text');

    await core.call('dataset.cleanApply', { projectId, options });
    expect(row(full)).toMatchObject({ text: 'Full width text', original_text: 'Ｆｕｌｌ\u3000width   text' });
    expect(row(short)).toMatchObject({ excluded: 1, exclude_reason: 'too_short' });
    expect(row(dup1).excluded).toBe(0);
    expect(row(dup2)).toMatchObject({ excluded: 1, exclude_reason: 'duplicate' });
    expect(row(plain).excluded).toBe(0);
    // Excluded examples are gone downstream.
    expect(humanLabels(core.db, projectId).has(dup2)).toBe(false);
    const stats = await core.call('dataset.stats', { projectId });
    expect(stats).toMatchObject({
      total: 5,
      included: 3,
      excluded: 2,
      excludedByReason: { too_short: 1, duplicate: 1 },
    });

    expect(await core.call('dataset.cleanUndo', { projectId })).toEqual({
      restored: 3,
      lockedTestSkipped: 0,
    });
    expect(row(full)).toMatchObject({ text: 'Ｆｕｌｌ\u3000width   text', original_text: null, excluded: 0 });
    expect(row(dup2).excluded).toBe(0);
  });

  it('never changes or removes a row of a locked test split: apply, undo and exclusion leave the gold set alone', async () => {
    await load([
      ['Ｆｕｌｌ\u3000width gold text', 'a'],
      ['tiny', 'a'],
      ['duplicated gold sentence', 'b'],
      ['duplicated gold sentence', 'b'],
      ['duplicated gold sentence', 'a'],
      ['Ｆｕｌｌ\u3000width train text', 'a'],
      ['small', 'b'],
      ['a perfectly ordinary sentence', 'b'],
    ]);
    const all = ids();
    const [gNorm, gShort, gDup1, gDup2, trainDup, trainNorm, trainShort] = all;
    const gold = [gNorm, gShort, gDup1, gDup2];
    // Setup: these four rows are the test split (a split puts rows by seed; here we choose them).
    const setSplit = core.db.prepare('UPDATE examples SET split = ? WHERE id = ?');
    for (const id of all) setSplit.run(gold.includes(id) ? 'test' : 'train', id);
    await core.call('dataset.lockTest', { projectId, locked: true });
    const goldRows = (): unknown[] =>
      core.db
        .prepare(
          `SELECT id, text, original_text, excluded, exclude_reason, split FROM examples WHERE id IN (${gold.join(',')}) ORDER BY id`,
        )
        .all();
    const before = goldRows();
    const options = { minChars: 6, exactDuplicates: true };

    const preview = await core.call('dataset.cleanPreview', { projectId, options });
    // The plan says what it left alone: the gold row it would normalise, the short one, the second gold copy.
    expect(preview).toMatchObject({
      lockedTestSkipped: 3,
      changedByNormalisation: 1,
      tooShort: 1,
      exactDuplicates: 1,
      excluded: 2,
    });
    const applied = await core.call('dataset.cleanApply', { projectId, options });
    expect(applied.lockedTestSkipped).toBe(3);
    expect(goldRows()).toEqual(before);
    // The rest was cleaned, and the train copy of a gold text is the one left out.
    expect(row(trainNorm).text).toBe('Full width train text');
    expect(row(trainShort).exclude_reason).toBe('too_short');
    expect(row(trainDup).exclude_reason).toBe('duplicate');

    // Leaving out or bringing back a gold row by hand is refused; other rows still work.
    await expect(
      core.call('dataset.setExcluded', { projectId, exampleIds: [gDup1, trainNorm], excluded: true }),
    ).rejects.toThrow(/locked test split.*Unlock the test split first/);
    expect(goldRows()).toEqual(before);
    expect(row(trainNorm).excluded).toBe(0);
    expect(
      await core.call('dataset.setExcluded', { projectId, exampleIds: [trainNorm], excluded: true }),
    ).toEqual({ changed: 1 });

    // Cleaned while unlocked, then locked: undo restores the rest and leaves the gold rows as they were locked.
    await core.call('dataset.lockTest', { projectId, locked: false, confirm: true });
    await core.call('dataset.cleanApply', { projectId, options });
    expect(row(gNorm).text).toBe('Full width gold text');
    expect(row(gShort).exclude_reason).toBe('too_short');
    await core.call('dataset.lockTest', { projectId, locked: true });
    const lockedState = goldRows();
    const undo = await core.call('dataset.cleanUndo', { projectId });
    expect(undo.lockedTestSkipped).toBe(3);
    expect(goldRows()).toEqual(lockedState);
    expect(row(trainNorm).text).toBe('Ｆｕｌｌ\u3000width train text');
    expect(row(trainShort).excluded).toBe(0);
  });

  it('finds near-duplicate clusters above the threshold and keeps one of each', async () => {
    const base =
      'The patient was admitted with acute chest pain radiating to the left arm and was given aspirin.';
    await load([
      [base, 'a'],
      [base.replace('left arm', 'left  arm.'), 'a'],
      [base.replace('aspirin', 'aspirin today'), 'b'],
      ['Completely different discharge note about a broken wrist after a fall on ice.', 'a'],
    ]);
    const [a, b, c, d] = ids();
    const preview = await core.call('dataset.cleanPreview', {
      projectId,
      options: { nearDuplicates: true, nearThreshold: 0.7, exactDuplicates: false, whitespace: false },
    });
    expect(preview.nearDuplicates).toBe(2);
    expect(preview.clusters).toHaveLength(1);
    expect(preview.clusters[0].map((x) => x.id)).toEqual([a, b, c]);
    await core.call('dataset.cleanApply', {
      projectId,
      options: { nearDuplicates: true, nearThreshold: 0.7, exactDuplicates: false, whitespace: false },
    });
    expect([a, b, c, d].map((id) => row(id).exclude_reason)).toEqual([
      null,
      'near_duplicate',
      'near_duplicate',
      null,
    ]);
  });

  it('clusters unsegmented Chinese near-duplicates too, and not unrelated texts', () => {
    const clusters = nearDuplicateClusters(
      [
        { id: 1, text: '患者因反复头痛三天入院，伴有恶心呕吐，既往有高血压病史十年。' },
        { id: 2, text: '患者因反复头痛三天入院，伴有恶心呕吐，既往有高血压病史十余年。' },
        { id: 3, text: '孩子发烧三十八度五应该吃什么退烧药比较好' },
      ],
      0.6,
    );
    expect(clusters).toEqual([[1, 2]]);
  });

  it('masks e-mails, phone numbers, ID-card and medical-record numbers when asked, and lists its rules', async () => {
    const rules = await core.call('dataset.maskRules', {});
    expect(rules.filter((r) => r.enabled).map((r) => r.name)).toEqual([
      'email',
      'cn_id_card',
      'medical_record_number',
      'cn_mobile',
      'intl_phone',
      'phone',
    ]);
    const r = await core.call('dataset.maskText', {
      text: '联系 13812345678 或 jane.doe@example.org，身份证 110105199003071239，病历号：00123456，tel +44 20 7946 0958',
    });
    expect(r).toMatchObject({ text: '联系 [PHONE] 或 [EMAIL]，身份证 [ID]，[MRN]，tel [PHONE]', masked: 5 });
    // Finnish mobile numbers (missed before), and an 18-digit number whose check character is wrong is not an ID.
    expect(
      await core.call('dataset.maskText', {
        text: 'Soita +358 400 817198 tai +358-40-1234567. Tilinumero 110105199003071234, ID 11010519491231002x.',
      }),
    ).toMatchObject({
      text: 'Soita [PHONE] tai [PHONE]. Tilinumero 110105199003071234, ID [ID].',
      masked: 3,
    });
    // Ordinary numbers stay.
    expect(
      (await core.call('dataset.maskText', { text: 'Dose 500 mg twice, BP 120/80 in 2023' })).masked,
    ).toBe(0);
    await load([['Call me at 13812345678 please', 'a']]);
    await core.call('dataset.cleanApply', { projectId, options: { mask: true } });
    expect(row(ids()[0])).toMatchObject({
      text: 'Call me at [PHONE] please',
      original_text: 'Call me at 13812345678 please',
    });
  });
});

describe('labels', () => {
  it('edits descriptions, colours and keys, adds and reorders, and refuses to delete a label in use', async () => {
    await load([
      ['x one', 'urgent'],
      ['x two', 'routine'],
    ]);
    let labels = await core.call('dataset.labels', { projectId });
    expect(labels.map((l) => [l.name, l.count])).toEqual([
      ['routine', 1],
      ['urgent', 1],
    ]);
    const [routine, urgent] = labels;
    labels = await core.call('dataset.saveLabels', {
      projectId,
      labels: [
        { id: urgent.id, name: 'urgent', description: 'Needs a doctor today.', color: 'red', hotkey: 'u' },
        { id: routine.id, name: 'routine', description: 'Can wait for the next clinic.', hotkey: 'r' },
        { name: 'unclear', description: 'Cannot tell from the text.' },
      ],
    });
    expect(labels.map((l) => [l.name, l.position, l.hotkey])).toEqual([
      ['urgent', 0, 'u'],
      ['routine', 1, 'r'],
      ['unclear', 2, null],
    ]);
    await expect(
      core.call('dataset.saveLabels', {
        projectId,
        labels: [
          { name: 'a', description: '', hotkey: 'k' },
          { name: 'b', description: '', hotkey: 'k' },
        ],
      }),
    ).rejects.toThrow(/key "k" is given to two labels/);
    await expect(core.call('dataset.deleteLabel', { projectId, labelId: urgent.id })).rejects.toThrow(
      /used by 1 annotations/,
    );
    labels = await core.call('dataset.deleteLabel', { projectId, labelId: labels[2].id });
    expect(labels.map((l) => l.name)).toEqual(['urgent', 'routine']);
  });
});

describe('splits, the test lock, browsing and export', () => {
  async function loadMany(): Promise<void> {
    const rows: Array<[string, string]> = [];
    for (let i = 0; i < 300; i++)
      rows.push([`sentence ${i} about ${i % 3 === 0 ? 'pain' : 'billing'}`, i % 3 === 0 ? 'p' : 'b']);
    await load(rows);
  }

  it('splits stratified by label, reproducibly by seed', async () => {
    await loadMany();
    const s = await core.call('dataset.split', {
      projectId,
      train: 0.8,
      validation: 0.1,
      test: 0.1,
      seed: 7,
    });
    expect(s.splits).toEqual({ train: 240, validation: 30, test: 30, none: 0 });
    const p = s.perLabel.find((l) => l.name === 'p');
    expect(p?.counts).toEqual({ train: 80, validation: 10, test: 10, none: 0 });
    const first = core.db.prepare('SELECT id, split FROM examples ORDER BY id').all();
    await core.call('dataset.split', { projectId, train: 0.5, validation: 0.25, test: 0.25, seed: 1 });
    await core.call('dataset.split', { projectId, train: 0.8, validation: 0.1, test: 0.1, seed: 7 });
    expect(core.db.prepare('SELECT id, split FROM examples ORDER BY id').all()).toEqual(first);
  });

  it('a locked test split never moves, and unlocking needs a confirmation', async () => {
    await loadMany();
    await expect(core.call('dataset.lockTest', { projectId, locked: true })).rejects.toThrow(
      /test split is empty/,
    );
    await core.call('dataset.split', { projectId, seed: 3 });
    const test = core.db.prepare("SELECT id FROM examples WHERE split = 'test' ORDER BY id").all();
    const locked = await core.call('dataset.lockTest', { projectId, locked: true });
    expect(locked.testLocked).toBe(true);
    // New data and a re-split: the test set stays exactly the same.
    await load([['a late arrival', 'p']]);
    const s = await core.call('dataset.split', {
      projectId,
      train: 0.5,
      validation: 0.2,
      test: 0.3,
      seed: 99,
    });
    expect(core.db.prepare("SELECT id FROM examples WHERE split = 'test' ORDER BY id").all()).toEqual(test);
    expect(s.splits.train + s.splits.validation).toBe(271);
    await expect(core.call('dataset.lockTest', { projectId, locked: false })).rejects.toThrow(
      /Confirm to unlock/,
    );
    expect(
      (await core.call('dataset.lockTest', { projectId, locked: false, confirm: true })).testLocked,
    ).toBe(false);
  });

  it('pages with a keyset cursor and filters by split, label, length and search', async () => {
    await loadMany();
    await core.call('dataset.split', { projectId, seed: 5 });
    const seen: number[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await core.call('dataset.browse', { projectId, after, limit: 70 });
      seen.push(...page.rows.map((r) => r.id));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(seen).toEqual(ids());
    const labels = await core.call('dataset.labels', { projectId });
    const p = labels.find((l) => l.name === 'p');
    const byLabel = await core.call('dataset.count', { projectId, filters: { labelId: p?.id } });
    expect(byLabel.count).toBe(100);
    const test = await core.call('dataset.browse', {
      projectId,
      limit: 1000,
      filters: { split: 'test', labelId: p?.id },
    });
    expect(test.rows.every((r) => r.split === 'test' && r.label === 'p')).toBe(true);
    expect(test.rows).toHaveLength(10);
    expect((await core.call('dataset.count', { projectId, filters: { search: 'PAIN' } })).count).toBe(100);
    expect((await core.call('dataset.count', { projectId, filters: { search: 'sentence 29' } })).count).toBe(
      13,
    );
    expect((await core.call('dataset.count', { projectId, filters: { minLength: 24 } })).count).toBe(
      (core.db.prepare('SELECT COUNT(*) AS n FROM examples WHERE length >= 24').get() as { n: number }).n,
    );
  });

  it('searches the demo project, whose rows were written directly, and Chinese substrings', async () => {
    await t.close();
    t = await testCore({ seedDemo: true });
    core = t.core;
    const demo = (await core.call('projects.list', {}))[0];
    const hits = await core.call('dataset.browse', {
      projectId: demo.id,
      limit: 5,
      filters: { search: 'arbitration' },
    });
    expect(hits.rows.length).toBeGreaterThan(0);
    expect(hits.rows.every((r) => /arbitration/i.test(r.text))).toBe(true);
    const stats = await core.call('dataset.stats', { projectId: demo.id });
    expect(stats.total).toBe(677);
    projectId = (await core.call('projects.create', { name: 'zh' })).id;
    await load([
      ['孩子发烧三十八度五怎么办', 'a'],
      ['头痛应该看哪个科室', 'b'],
    ]);
    const three = await core.call('dataset.browse', {
      projectId,
      limit: 10,
      filters: { search: '三十八度' },
    });
    expect(three.rows.map((r) => r.text)).toEqual(['孩子发烧三十八度五怎么办']);
    const two = await core.call('dataset.browse', { projectId, limit: 10, filters: { search: '头痛' } });
    expect(two.rows.map((r) => r.text)).toEqual(['头痛应该看哪个科室']);
    // An edited text is found by its new words only.
    core.db.prepare('UPDATE examples SET text = ? WHERE id = ?').run('腹痛三天', two.rows[0].id);
    expect((await core.call('dataset.count', { projectId, filters: { search: '哪个科室' } })).count).toBe(0);
  });

  it('exports CSV and JSONL with labels and splits that import back identically', async () => {
    await load([
      ['plain', 'a'],
      ['with, comma and "quotes"\nand a newline', 'b'],
      ['中文文本', 'a'],
    ]);
    await core.call('dataset.split', { projectId, seed: 1 });
    const csv = await core.call('dataset.export', { projectId, format: 'csv' });
    expect(csv.rows).toBe(3);
    const jsonl = await core.call('dataset.export', { projectId, format: 'jsonl' });
    const lines = readFileSync(jsonl.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; label: string; split: string });
    expect(lines.map((l) => [l.text, l.label])).toEqual([
      ['plain', 'a'],
      ['with, comma and "quotes"\nand a newline', 'b'],
      ['中文文本', 'a'],
    ]);
    const other = (await core.call('projects.create', { name: 'Copy' })).id;
    const back = await importFile(core, {
      projectId: other,
      path: csv.path,
      textColumn: 'text',
      labelColumn: 'label',
    });
    expect(back.result?.imported).toBe(3);
    const texts = core.db
      .prepare('SELECT text, imported_label FROM examples WHERE project_id = ? ORDER BY id')
      .all(other);
    expect(texts).toEqual(lines.map((l) => ({ text: l.text, imported_label: l.label })));
  });
});
