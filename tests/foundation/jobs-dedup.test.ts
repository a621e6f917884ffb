import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addTeacherRun, makeProject } from '../review/fixture';
import { coreForEachTest } from '../helpers';
import { startTestJob } from '../testJob';

const t = coreForEachTest();

const jobRows = (kind: string): number =>
  (t.core.db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE kind = ?').get(kind) as { n: number }).n;

describe('the same job started twice is one job', () => {
  it('two identical starts at once get one job; other inputs, or a start after it ended, get their own', async () => {
    const req = { steps: 30, stepMs: 5 };
    const [a, b] = await Promise.all([
      startTestJob(t.core, req),
      startTestJob(t.core, { stepMs: 5, steps: 30 }),
    ]);
    expect(b.id).toBe(a.id);
    const other = await startTestJob(t.core, { steps: 31, stepMs: 5 });
    expect(other.id).not.toBe(a.id);
    // Paused is still the same work under way.
    await t.core.call('jobs.pause', { jobId: a.id });
    expect((await startTestJob(t.core, req)).id).toBe(a.id);
    await t.core.call('jobs.cancel', { jobId: a.id });
    await t.core.jobs.wait(a.id);
    await t.core.jobs.wait(other.id);
    const again = await startTestJob(t.core, req);
    expect(again.id).not.toBe(a.id);
    await t.core.jobs.wait(again.id);
    expect(jobRows('test.sleep')).toBe(3);
  });

  it('a double import reads the file once', async () => {
    const project = await t.core.call('projects.create', { name: 'Double import' });
    const file = join(t.dataDir, 'notes.csv');
    writeFileSync(file, ['text,label', ...Array.from({ length: 50 }, (_, i) => `note ${i},a`)].join('\n'));
    const req = { projectId: project.id, path: file, textColumn: 'text', labelColumn: 'label' };
    const [a, b] = await Promise.all([
      t.core.call('dataset.import', req),
      t.core.call('dataset.import', req),
    ]);
    expect(b.id).toBe(a.id);
    expect(await t.core.jobs.wait(a.id)).toMatchObject({ state: 'completed' });
    const stats = await t.core.call('dataset.stats', { projectId: project.id });
    expect(stats.total).toBe(50);
    expect(jobRows('dataset.import')).toBe(1);
  });

  it('a double backup writes one file', async () => {
    const project = await t.core.call('projects.create', { name: 'Double backup' });
    const [a, b] = await Promise.all([
      t.core.call('backup.create', { projectId: project.id }),
      t.core.call('backup.create', { projectId: project.id }),
    ]);
    expect(b.id).toBe(a.id);
    expect(await t.core.jobs.wait(a.id)).toMatchObject({ state: 'completed' });
    expect(readdirSync(join(t.dataDir, 'exports', 'backups'))).toHaveLength(1);
  });

  it('a double bulk accept is one action', async () => {
    const fx = await makeProject(t.core, ['one', 'two', 'three']);
    addTeacherRun(
      t.core,
      fx,
      fx.examples.map((exampleId) => ({ exampleId, pUnfair: 0.97 })),
    );
    const req = { projectId: fx.projectId, queue: { kind: 'unreviewed' as const }, minConfidence: 0.9 };
    const [a, b] = await Promise.all([
      t.core.call('review.bulkAccept', req),
      t.core.call('review.bulkAccept', req),
    ]);
    expect(b.id).toBe(a.id);
    expect(await t.core.jobs.wait(a.id)).toMatchObject({ result: { accepted: 3 } });
    expect(t.core.db.prepare('SELECT COUNT(*) AS n FROM annotations').get()).toEqual({ n: 3 });
  });
});
