import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { humanLabelSets } from '../../src/main/core/labels';
import { iterativeStratification } from '../../src/main/features/dataset/iterativeStratification';
import { mulberry32 } from '../../src/shared/random';
import { DATASETS, testCore } from '../helpers';
import { importFile } from '../dataset/fixtures';

describe('iterative stratification (pure)', () => {
  it('gives every label, rare ones included, its share of each split; a random split does not', () => {
    // 8 labels with 2..400 documents, 15% of documents with two labels, 40% with none.
    const rnd = mulberry32(7);
    const items: number[][] = [];
    for (let i = 0; i < 3000; i++) {
      const r = rnd();
      if (r < 0.4) items.push([]);
      else {
        const a = 1 + Math.floor(Math.pow(rnd(), 2.5) * 8);
        items.push(rnd() < 0.15 ? [a, 1 + ((a + 2) % 8)] : [a]);
      }
    }
    const fractions = [0.7, 0.1, 0.2];
    const to = iterativeStratification(items, fractions, mulberry32(1));
    const worst = (assign: readonly number[]): number => {
      let dev = 0;
      for (let l = 1; l <= 8; l++) {
        const docs = items.map((s, i) => (s.includes(l) ? i : -1)).filter((i) => i >= 0);
        fractions.forEach((f, j) => {
          const got = docs.filter((i) => assign[i] === j).length;
          dev = Math.max(dev, Math.abs(got - f * docs.length));
        });
      }
      return dev;
    };
    // Split sizes as asked (within one document), each label within 2 documents of its share.
    fractions.forEach((f, j) =>
      expect(Math.abs(to.filter((x) => x === j).length - f * 3000)).toBeLessThanOrEqual(1),
    );
    expect(worst(to)).toBeLessThanOrEqual(2);
    const r2 = mulberry32(1);
    const randomSplit = items.map(() => {
      const u = r2();
      return u < 0.7 ? 0 : u < 0.8 ? 1 : 2;
    });
    expect(worst(randomSplit)).toBeGreaterThan(4);
    // Seeded: the same seed, the same split.
    expect(iterativeStratification(items, fractions, mulberry32(1))).toEqual(to);
  });
});

describe('splitting a multi-label project', () => {
  let t: Awaited<ReturnType<typeof testCore>>;
  let core: Core;
  let projectId: number;
  beforeAll(async () => {
    t = await testCore();
    core = t.core;
    projectId = (await core.call('projects.create', { name: 'ToS', kind: 'multi' })).id;
    await importFile(core, {
      projectId,
      path: join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv'),
      textColumn: 'text',
      labelColumn: 'labels',
      multiLabel: { format: 'list', delimiter: '|' },
    });
  });
  afterAll(async () => t.close());

  it('keeps each of the 8 CLAUDETTE labels and "none of these" in proportion across train, validation, test', async () => {
    const stats = await core.call('dataset.split', {
      projectId,
      train: 0.8,
      validation: 0.1,
      test: 0.1,
      seed: 3,
    });
    // Split sizes within a few documents of 80/10/10 of 9,414 (labels come first in the algorithm).
    expect(Math.abs(stats.splits.train - 7531.2)).toBeLessThan(3);
    expect(Math.abs(stats.splits.test - 941.4)).toBeLessThan(3);
    expect(stats.splits.train + stats.splits.validation + stats.splits.test).toBe(9414);
    const sets = humanLabelSets(core.db, projectId);
    const splitOf = new Map(
      (
        core.db.prepare('SELECT id, split FROM examples WHERE project_id = ?').all(projectId) as Array<{
          id: number;
          split: string;
        }>
      ).map((r) => [r.id, r.split]),
    );
    const labelIds = [...new Set([...sets.values()].flat())];
    expect(labelIds).toHaveLength(8);
    for (const l of [...labelIds, 0]) {
      const docs = [...sets].filter(([, s]) => (l === 0 ? s.length === 0 : s.includes(l))).map(([id]) => id);
      for (const [split, f] of [
        ['train', 0.8],
        ['validation', 0.1],
        ['test', 0.1],
      ] as const) {
        const got = docs.filter((id) => splitOf.get(id) === split).length;
        expect(Math.abs(got - f * docs.length), `label ${l} in ${split}`).toBeLessThanOrEqual(2);
      }
    }
  });
});
