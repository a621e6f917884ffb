import { describe, expect, it } from 'vitest';
import { runAs, type Actor } from '../../src/main/core/actor';
import type { ReviewItem } from '../../src/shared/review';
import type { TeamProgress } from '../../src/shared/team';
import { coreForEachTest } from '../helpers';
import { makeProject } from '../review/fixture';

const PASSWORD = 'correct horse battery';
const ann: Actor = { username: 'ann', role: 'annotator' };
const bob: Actor = { username: 'bob', role: 'annotator' };
const lee: Actor = { username: 'lee', role: 'lead' };

describe('team assignment, leases, agreement and adjudication (core, real SQLite)', () => {
  const t = coreForEachTest();
  const as = <T>(actor: Actor, channel: string, request: unknown): Promise<T> =>
    runAs(actor, async () => {
      const r = await t.core.invokeRaw(channel, request, { actor });
      if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
      return r.value as T;
    });
  const setup = async (docs: number): Promise<Awaited<ReturnType<typeof makeProject>>> => {
    for (const [username, role] of [
      ['ann', 'annotator'],
      ['bob', 'annotator'],
      ['lee', 'lead'],
    ] as const) {
      await t.core.call('team.addUser', { username, role, password: PASSWORD });
    }
    return makeProject(
      t.core,
      Array.from({ length: docs }, (_, i) => `document number ${i}`),
    );
  };

  it('assigns with the chosen overlap: every document once, the overlap share twice', async () => {
    const fx = await setup(40);
    const r = await as<{ assigned: number; overlapping: number }>(lee, 'team.assign', {
      projectId: fx.projectId,
      annotators: ['ann', 'bob'],
      overlap: 0.25,
    });
    expect(r).toMatchObject({ assigned: 40, overlapping: 10 });
    const rows = t.core.db
      .prepare('SELECT username, COUNT(*) AS n FROM team_assignments GROUP BY username ORDER BY username')
      .all();
    expect(rows).toEqual([
      { username: 'ann', n: 25 },
      { username: 'bob', n: 25 },
    ]);
    // Assigning again gives nothing twice.
    const again = await as<{ assigned: number }>(lee, 'team.assign', {
      projectId: fx.projectId,
      annotators: ['ann', 'bob'],
      overlap: 0.25,
    });
    expect(again.assigned).toBe(0);
  });

  it('never shows two people the same unassigned document at once, and each label is kept', async () => {
    const fx = await setup(12);
    // A one-document assignment makes both of them members; the other eleven stay unassigned.
    await as(lee, 'team.assign', { projectId: fx.projectId, annotators: ['ann'], overlap: 0, limit: 1 });
    await as(lee, 'team.assign', { projectId: fx.projectId, annotators: ['bob'], overlap: 0, limit: 1 });
    const seen = new Map<string, number[]>([
      ['ann', []],
      ['bob', []],
    ]);
    let a = (await as<{ item: ReviewItem | null }>(ann, 'review.state', { projectId: fx.projectId })).item;
    let b = (await as<{ item: ReviewItem | null }>(bob, 'review.state', { projectId: fx.projectId })).item;
    while (a || b) {
      expect(a?.exampleId).not.toBe(b?.exampleId);
      if (a) {
        seen.get('ann')!.push(a.exampleId);
        a = (
          await as<{ next: ReviewItem | null }>(ann, 'review.annotate', {
            projectId: fx.projectId,
            exampleId: a.exampleId,
            labelId: fx.labels.fair,
            queue: { kind: 'unreviewed' },
          })
        ).next;
      }
      if (b) {
        seen.get('bob')!.push(b.exampleId);
        b = (
          await as<{ next: ReviewItem | null }>(bob, 'review.annotate', {
            projectId: fx.projectId,
            exampleId: b.exampleId,
            labelId: fx.labels.unfair,
            queue: { kind: 'unreviewed' },
          })
        ).next;
      }
    }
    const all = [...seen.get('ann')!, ...seen.get('bob')!];
    expect(new Set(all).size).toBe(12);
    expect(all.length).toBe(12);
    const stored = t.core.db
      .prepare('SELECT example_id, COUNT(*) AS n FROM annotations GROUP BY example_id HAVING n <> 1')
      .all();
    expect(stored).toEqual([]);
  });

  it('brings overlap documents to both annotators blind, measures agreement, and a lead adjudicates', async () => {
    const fx = await setup(4);
    await as(lee, 'team.assign', { projectId: fx.projectId, annotators: ['ann', 'bob'], overlap: 1 });
    const label = async (actor: Actor, pick: (i: number) => number): Promise<number> => {
      let item = (await as<{ item: ReviewItem | null }>(actor, 'review.state', { projectId: fx.projectId }))
        .item;
      let n = 0;
      while (item) {
        // Blind: an annotator never sees the other's label.
        expect(item.history.every((h) => h.annotator === actor.username)).toBe(true);
        item = (
          await as<{ next: ReviewItem | null }>(actor, 'review.annotate', {
            projectId: fx.projectId,
            exampleId: item.exampleId,
            labelId: pick(fx.examples.indexOf(item.exampleId)),
            queue: { kind: 'unreviewed' },
          })
        ).next;
        n++;
      }
      return n;
    };
    expect(await label(ann, () => fx.labels.fair)).toBe(4);
    expect(await label(bob, (i) => (i === 0 ? fx.labels.unfair : fx.labels.fair))).toBe(4);
    const agreement = await as<{ pairs: Array<{ overlap: number; agreed: number }> }>(
      lee,
      'review.agreement',
      {
        projectId: fx.projectId,
      },
    );
    expect(agreement.pairs[0]).toMatchObject({ overlap: 4, agreed: 3 });
    let progress = await as<TeamProgress>(ann, 'team.progress', { projectId: fx.projectId });
    expect(progress.openConflicts).toBe(1);
    expect(progress.annotators.map((p) => [p.username, p.assigned, p.done])).toEqual([
      ['ann', 4, 4],
      ['bob', 4, 4],
    ]);
    const conflicts = await as<ReviewItem | null>(lee, 'review.next', {
      projectId: fx.projectId,
      queue: { kind: 'conflicts' },
      exampleId: null,
    });
    expect(conflicts?.exampleId).toBe(fx.examples[0]);
    await as(lee, 'team.adjudicate', {
      projectId: fx.projectId,
      exampleId: fx.examples[0],
      labelId: fx.labels.unfair,
    });
    progress = await as<TeamProgress>(lee, 'team.progress', { projectId: fx.projectId });
    expect(progress).toMatchObject({ openConflicts: 0, adjudicated: 1 });
    const current = t.core.db
      .prepare('SELECT label_id FROM annotations WHERE example_id = ? ORDER BY id DESC LIMIT 1')
      .pluck()
      .get(fx.examples[0]);
    expect(current).toBe(fx.labels.unfair);
    const audit = t.core.db.prepare("SELECT actor FROM audit_log WHERE action = 'adjudicate'").pluck().all();
    expect(audit).toEqual(['lee']);
    // The lead's decision is not a third annotator in the agreement figures.
    const after = await as<{ pairs: Array<{ a: string; b: string; overlap: number; agreed: number }> }>(
      lee,
      'review.agreement',
      { projectId: fx.projectId },
    );
    expect(after.pairs.map((p) => [p.a, p.b, p.overlap, p.agreed])).toEqual([['ann', 'bob', 4, 3]]);
  });
});
