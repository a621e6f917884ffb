import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TeamClient } from '../../e2e/teamClient';
import { annotatorLabelSets, humanLabelSets } from '../../src/main/core/labels';
import type { Core } from '../../src/main/core/core';
import { startServer, type RunningServer } from '../../src/main/server/server';
import type { AgreementReport, ReviewItem, ReviewState } from '../../src/shared/review';
import type { TeamProgress } from '../../src/shared/team';
import { tempDir, testCore } from '../helpers';
import { makeMultiProject, type MultiFixture } from '../review/multilabel-fixture';

const PASSWORD = 'correct horse battery';
const TEXTS = [
  'The provider may terminate the account at any time without notice.',
  'Any dispute shall be settled by arbitration in the provider’s home country.',
  'We may change these terms at any time.',
  'You can cancel your subscription whenever you like.',
];

describe('team mode with a multi-label project (HTTP on loopback, real SQLite)', () => {
  let server: RunningServer;
  let core: Core;
  let fx: MultiFixture;
  let close: () => Promise<void>;
  const clients: TeamClient[] = [];
  const loggedIn = async (username: string): Promise<TeamClient> => {
    const c = new TeamClient(server.url);
    clients.push(c);
    expect((await c.login(username, PASSWORD)).status).toBe(200);
    return c;
  };

  beforeEach(async () => {
    const t = await testCore();
    core = t.core;
    for (const [username, role] of [
      ['ann', 'annotator'],
      ['bob', 'annotator'],
      ['lee', 'lead'],
    ] as const) {
      await core.call('team.addUser', { username, role, password: PASSWORD });
    }
    fx = await makeMultiProject(core, TEXTS);
    const s = tempDir();
    writeFileSync(join(s.dir, 'index.html'), '<!doctype html><title>Distillery</title>');
    server = await startServer({ core, staticDir: s.dir, team: { host: '127.0.0.1', tls: null } });
    close = async () => {
      for (const c of clients.splice(0)) c.close();
      await server.close();
      await t.close();
      s.cleanup();
    };
  });
  afterEach(async () => close());

  it('two annotators save label sets blind, agreement is per label and over sets, and the lead decides a set', async () => {
    const { a, b, c } = fx.labels;
    const lee = await loggedIn('lee');
    await lee.call('team.assign', { projectId: fx.projectId, annotators: ['ann', 'bob'], overlap: 1 });
    // Each annotator's sets by document index; they differ on documents 1 ({a,b} vs {b}) and 3 ({} vs {c}).
    const answers: Record<'ann' | 'bob', number[][]> = {
      ann: [[a], [a, b], [b, c], []],
      bob: [[a], [b], [c, b], [c]],
    };
    for (const name of ['ann', 'bob'] as const) {
      const person = await loggedIn(name);
      const state = await person.call<ReviewState>('review.state', { projectId: fx.projectId });
      expect(state.kind).toBe('multi');
      let item = state.item;
      let saved = 0;
      while (item) {
        // Blind: an annotator never sees the other's sets.
        expect(item.history.every((h) => h.annotator === name)).toBe(true);
        const labelSet = answers[name][fx.examples.indexOf(item.exampleId)];
        item = (
          await person.call<{ next: ReviewItem | null }>('review.annotate', {
            projectId: fx.projectId,
            exampleId: item.exampleId,
            labelSet,
            queue: { kind: 'unreviewed' },
            // Ignored in team mode: the session says who labels.
            annotator: 'someone-else',
          })
        ).next;
        saved++;
      }
      expect(saved).toBe(4);
      // A single label is refused in a multi-label project, with a message that says what to send.
      const single = await person.invoke('review.annotate', {
        projectId: fx.projectId,
        exampleId: fx.examples[0],
        labelId: a,
        queue: { kind: 'all' },
      });
      expect(single.body.error?.message).toContain('multi-label project');
    }
    const sets = annotatorLabelSets(core.db, fx.projectId);
    expect(sets.get('ann')?.get(fx.examples[2])).toEqual([b, c]);
    expect(sets.get('bob')?.get(fx.examples[2])).toEqual([b, c]);
    expect([...sets.keys()].sort()).toEqual(['ann', 'bob']);

    const agreement = await lee.call<AgreementReport>('review.agreement', { projectId: fx.projectId });
    expect(agreement.annotators).toEqual(['ann', 'bob']);
    expect(agreement.disagreements).toBe(2);
    expect(agreement.sets?.units).toBe(4);
    // Label a: ann yes on 0, 1; bob yes on 0 only. Over 4 documents: po = 3/4, pe = (2/4)(1/4) + (2/4)(3/4) = 1/2.
    const labelA = agreement.sets?.perLabel.find((l) => l.name === 'a');
    expect(labelA?.pairs[0]).toMatchObject({ a: 'ann', b: 'bob', overlap: 4 });
    expect(labelA?.pairs[0].kappa).toBeCloseTo(0.5, 12);
    let progress = await lee.call<TeamProgress>('team.progress', { projectId: fx.projectId });
    expect(progress.openConflicts).toBe(2);

    // The lead goes through the conflicts queue and decides each with a whole set.
    const decisions = new Map([
      [fx.examples[1], [a, b]],
      [fx.examples[3], []],
    ]);
    let seen = 0;
    for (;;) {
      const conflict = await lee.call<ReviewItem | null>('review.next', {
        projectId: fx.projectId,
        queue: { kind: 'conflicts' },
        exampleId: null,
      });
      if (!conflict) break;
      expect(decisions.has(conflict.exampleId)).toBe(true);
      await lee.call('team.adjudicate', {
        projectId: fx.projectId,
        exampleId: conflict.exampleId,
        labelSet: decisions.get(conflict.exampleId),
      });
      seen++;
      expect(seen).toBeLessThanOrEqual(2);
    }
    expect(seen).toBe(2);
    progress = await lee.call<TeamProgress>('team.progress', { projectId: fx.projectId });
    expect(progress).toMatchObject({ openConflicts: 0, adjudicated: 2 });
    const decided = humanLabelSets(core.db, fx.projectId);
    expect(decided.get(fx.examples[1])).toEqual([a, b]);
    expect(decided.get(fx.examples[3])).toEqual([]);
    expect(
      core.db
        .prepare('SELECT label_id, label_set, adjudicator FROM team_adjudications ORDER BY example_id')
        .all(),
    ).toEqual([
      { label_id: null, label_set: JSON.stringify([a, b]), adjudicator: 'lee' },
      { label_id: null, label_set: '[]', adjudicator: 'lee' },
    ]);
    // The lead's decisions are not a third annotator in the agreement figures.
    const after = await lee.call<AgreementReport>('review.agreement', { projectId: fx.projectId });
    expect(after.annotators).toEqual(['ann', 'bob']);
    expect(after.sets?.alpha).toBeCloseTo(agreement.sets?.alpha ?? NaN, 12);

    // A single label, or a set naming a label of no project, is refused and nothing is written.
    const before = core.db.prepare('SELECT COUNT(*) FROM annotations').pluck().get();
    const wrongKind = await lee.invoke('team.adjudicate', {
      projectId: fx.projectId,
      exampleId: fx.examples[1],
      labelId: a,
    });
    expect(wrongKind.body.error?.message).toContain('multi-label project');
    const unknown = await lee.invoke('team.adjudicate', {
      projectId: fx.projectId,
      exampleId: fx.examples[1],
      labelSet: [a, 999_999],
    });
    expect(unknown.body.error?.message).toContain('not in this project');
    // An annotator may not decide.
    const ann = await loggedIn('ann');
    expect(
      (
        await ann.invoke('team.adjudicate', {
          projectId: fx.projectId,
          exampleId: fx.examples[1],
          labelSet: [a],
        })
      ).status,
    ).toBe(403);
    expect(core.db.prepare('SELECT COUNT(*) FROM annotations').pluck().get()).toBe(before);
  });
});
