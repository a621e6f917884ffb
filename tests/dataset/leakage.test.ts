import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../review/fixture';
import { coreForEachTest } from '../helpers';

const t = coreForEachTest();

const CLAUSE = 'The supplier may terminate this agreement at any time and without notice to the customer.';

describe('train/test leakage', () => {
  it('finds exact (normalised) and near duplicates of test documents in training and validation data', async () => {
    const texts = [
      CLAUSE, // train
      'Payment is due within thirty days of the invoice date, in euros.', // validation
      'Patient reports a mild headache for three days, no fever.', // train
      `  the supplier may   terminate this agreement at any time and without notice to the customer.`, // test: exact
      'Payment is due within thirty days of the invoice date, in euro.', // test: near
      'Deliveries are made to the address named in the order form only.', // test: clean
    ];
    const splits = ['train', 'validation', 'train', 'test', 'test', 'test'] as const;
    const fx = await makeProject(t.core, texts, { split: (i) => splits[i] });
    const r = await t.core.call('dataset.leakage', { projectId: fx.projectId });
    expect(r).toMatchObject({ testTotal: 3, exact: 1, near: 1 });
    expect(r.pairs.map((p) => [p.testId, p.otherId, p.otherSplit, p.kind])).toEqual([
      [fx.examples[3], fx.examples[0], 'train', 'exact'],
      [fx.examples[4], fx.examples[1], 'validation', 'near'],
    ]);

    // A document removed by cleaning does not leak.
    t.core.db.prepare('UPDATE examples SET excluded = 1 WHERE id = ?').run(fx.examples[0]);
    expect(await t.core.call('dataset.leakage', { projectId: fx.projectId })).toMatchObject({
      exact: 0,
      near: 1,
    });
  });

  it('a double import makes train and test share texts: every such test document is reported', async () => {
    const project = await t.core.call('projects.create', { name: 'Imported twice' });
    const file = join(t.dataDir, 'clauses.csv');
    const rows = Array.from(
      { length: 60 },
      (_, i) =>
        `"Clause ${i}: ${['liability', 'payment', 'termination', 'privacy'][i % 4]} terms number ${i * 7}",x`,
    );
    writeFileSync(file, ['text,label', ...rows].join('\n'));
    for (let k = 0; k < 2; k++) {
      const job = await t.core.call('dataset.import', {
        projectId: project.id,
        path: file,
        textColumn: 'text',
      });
      expect(await t.core.jobs.wait(job.id)).toMatchObject({ state: 'completed' });
    }
    await t.core.call('dataset.split', { projectId: project.id, stratify: false });
    const shared = t.core.db
      .prepare(
        `SELECT COUNT(DISTINCT t.id) AS n FROM examples t JOIN examples o
           ON o.project_id = t.project_id AND o.text = t.text AND o.split IN ('train', 'validation')
         WHERE t.project_id = ? AND t.split = 'test'`,
      )
      .get(project.id) as { n: number };
    expect(shared.n).toBeGreaterThan(0);
    const r = await t.core.call('dataset.leakage', { projectId: project.id });
    expect(r.exact).toBe(shared.n);
    expect(r.pairs.filter((p) => p.kind === 'exact')).toHaveLength(shared.n);
  });
});
