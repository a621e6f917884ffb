import { afterEach, describe, expect, it } from 'vitest';
import { readAnswer, readChannelAnswer } from '../../src/shared/answers';
import { startServer, type RunningServer } from '../../src/main/server/server';
import type { ChannelName } from '../../src/shared/contract';
import { LoggedIn, LoggedOut, TeamSession } from '../../src/shared/team';
import { TeamClient } from '../../e2e/teamClient';
import { tempDir } from '../helpers';
import { serverForEachTest } from '../httpServer';
import { addRunArtifacts, addStudentModel } from '../export/fixtures';
import { addTeacherRun, makeProject, type Fixture } from '../review/fixture';

// The review, team, disk, export, backup and projects channels answer with their response schemas
// (src/shared/<feature>.ts): what the real core answers over real HTTP, on a real SQLite project, must read back
// unchanged (a field the schema lacks would be stripped, and fail `toEqual`), and an answer of another shape must
// be refused by name.

const served = serverForEachTest();
const post = (channel: ChannelName, request: unknown): Promise<unknown> => served.post(channel, request);

/** What the core answers `channel` as it reaches a page (JSON, as over HTTP and IPC), for paths a page may not send. */
async function direct(channel: ChannelName, request: unknown): Promise<unknown> {
  return JSON.parse(JSON.stringify(await served.core.invokeRaw(channel, request))) as unknown;
}

/** Reads `body` as `channel`'s answer: a success, read back unchanged. */
function expectReadsBack(channel: ChannelName, body: unknown): void {
  expect(body, channel).toMatchObject({ ok: true });
  expect(readChannelAnswer(body, channel), channel).toEqual(body);
}

async function finished(jobId: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const job = await served.core.call('jobs.get', { jobId });
    if (job.state === 'completed') return;
    if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`job ${jobId}: ${job.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** 40 documents (the last 10 on the test split), a teacher run on all of them, 12 labels by two annotators. */
async function project(): Promise<Fixture> {
  const fx = await makeProject(
    served.core,
    Array.from({ length: 40 }, (_, i) => `Clause ${i}: the provider may change these terms at any time.`),
    { split: (i) => (i >= 30 ? 'test' : 'train') },
  );
  addTeacherRun(
    served.core,
    fx,
    fx.examples.map((exampleId, i) => ({ exampleId, pUnfair: (i % 10) / 10, reasoning: `reason ${i}` })),
  );
  for (const [i, exampleId] of fx.examples.slice(28, 34).entries()) {
    for (const annotator of ['ann', 'bob']) {
      await served.core.call('review.annotate', {
        projectId: fx.projectId,
        exampleId,
        // ann and bob disagree on the first document: a conflict to adjudicate.
        labelId: i === 0 && annotator === 'bob' ? fx.labels.unfair : fx.labels.fair,
        queue: { kind: 'all' },
        annotator,
        timeSpentMs: 1200 + i,
      });
    }
  }
  return fx;
}

describe('feature answers read with their response schemas', () => {
  it('review and team channels: the real answers read back unchanged', async () => {
    const fx = await project();
    const { projectId } = fx;
    const queue = { kind: 'all' as const };
    await served.core.call('team.addUser', {
      username: 'ann',
      role: 'annotator',
      password: 'correct horse battery',
    });
    await served.core.call('team.addUser', {
      username: 'bob',
      role: 'annotator',
      password: 'correct horse battery',
    });
    const exported = await served.core.call('review.export', { projectId });
    const calls: Array<[ChannelName, unknown]> = [
      ['review.state', { projectId, annotator: 'ann' }],
      ['review.counts', { projectId, queue }],
      ['review.bulkPreview', { projectId, queue: { kind: 'unreviewed' }, minConfidence: 0.6 }],
      ['review.gold', { projectId }],
      ['review.agreement', { projectId }],
      ['review.history', { projectId, limit: 50 }],
      ['review.export', { projectId }],
      ['review.import', { projectId, jsonl: exported.jsonl, dryRun: true }],
      ['team.whoami', {}],
      ['team.users', {}],
      ['team.addUser', { username: 'cid', role: 'lead', password: 'correct horse battery' }],
      ['team.updateUser', { username: 'cid', disabled: true }],
      ['team.setPassword', { username: 'cid', password: 'another long password' }],
      ['team.assign', { projectId, annotators: ['ann', 'bob'], overlap: 0.5, limit: 10 }],
      ['team.progress', { projectId }],
      ['team.adjudicate', { projectId, exampleId: fx.examples[28], labelId: fx.labels.unfair }],
      ['projects.progress', { projectId }],
      ['review.bulkAccept', { projectId, queue: { kind: 'unreviewed' }, minConfidence: 0.6 }],
    ];
    for (const [channel, request] of calls) expectReadsBack(channel, await post(channel, request));
    // The answers hold what the schemas read: not empty shells.
    const agreement = readChannelAnswer(await post('review.agreement', { projectId }), 'review.agreement');
    expect(agreement.ok && agreement.value.pairs[0]).toMatchObject({ a: 'ann', b: 'bob', overlap: 6 });
    const progress = readChannelAnswer(await post('team.progress', { projectId }), 'team.progress');
    // ann and bob labelled; the lead's decision counts as a label of its own ('me', single-user mode's person).
    expect(progress.ok && progress.value.annotators.map((a) => a.username)).toEqual(['ann', 'bob', 'me']);
  });

  it('disk, export, backup and projects channels: the real answers read back unchanged', async () => {
    const fx = await project();
    const { projectId } = fx;
    const { runId } = addStudentModel(served.core, projectId);
    addRunArtifacts(served.core, projectId);
    const teacherRunId = served.core.db
      .prepare('SELECT MIN(id) FROM teacher_runs WHERE project_id = ?')
      .pluck()
      .get(projectId) as number;
    const calls: Array<[ChannelName, unknown]> = [
      ['disk.usage', { projectId }],
      ['disk.runUse', { projectId, runId }],
      ['disk.teacherRunUse', { projectId, runId: teacherRunId }],
      ['export.overview', { projectId }],
      ['export.playground', { projectId, runId, text: 'The provider may end this at any time.' }],
      ['export.student', { projectId, runId }],
    ];
    for (const [channel, request] of calls) expectReadsBack(channel, await post(channel, request));

    const backup = readChannelAnswer(await post('backup.create', { projectId }), 'backup.create');
    if (!backup.ok) throw new Error(backup.error.message);
    await finished(backup.value.id);
    const job = await post('jobs.get', { jobId: backup.value.id });
    expectReadsBack('jobs.get', job);
    const written = readChannelAnswer(job, 'jobs.get');
    if (!written.ok || written.value.kind !== 'export.backup' || !written.value.result)
      throw new Error('no backup');
    // A path outside the uploads: the core's answer as IPC hands it over (a page over HTTP may not name it).
    const path = written.value.result.path;
    expectReadsBack('backup.inspect', await direct('backup.inspect', { path }));
    expectReadsBack('backup.restore', await direct('backup.restore', { path, name: 'Restored' }));

    expectReadsBack('disk.deleteRun', await post('disk.deleteRun', { projectId, runId, force: true }));
    expectReadsBack(
      'disk.deleteTeacherRun',
      await post('disk.deleteTeacherRun', { projectId, runId: teacherRunId, force: true }),
    );
    expectReadsBack(
      'projects.delete',
      await post('projects.delete', {
        projectId,
        confirmName: (await served.core.call('projects.get', { projectId })).name,
      }),
    );
  });

  it('refuses an answer of another shape with the badAnswer error naming the channel and the field', async () => {
    const fx = await project();
    const body = (await post('review.agreement', { projectId: fx.projectId })) as {
      value: { pairs: Array<{ kappa: unknown }> };
    };
    body.value.pairs[0].kappa = 'high';
    expect(readChannelAnswer(body, 'review.agreement')).toMatchObject({
      ok: false,
      error: {
        code: 'INTERNAL',
        key: 'badAnswer',
        params: { channel: 'review.agreement', problem: expect.stringContaining('pairs.0.kappa') },
      },
    });
    const usage = (await post('disk.usage', { projectId: fx.projectId })) as {
      value: Record<string, unknown>;
    };
    delete usage.value.totalBytes;
    expect(readChannelAnswer(usage, 'disk.usage')).toMatchObject({
      ok: false,
      error: {
        key: 'badAnswer',
        params: { channel: 'disk.usage', problem: expect.stringContaining('totalBytes') },
      },
    });
    // A job-starting channel answers a job: one of an unknown state is refused too.
    const started = (await post('review.bulkAccept', {
      projectId: fx.projectId,
      queue: { kind: 'unreviewed' },
      minConfidence: 0.9,
    })) as { value: { state: string } };
    started.value.state = 'sleeping';
    expect(readChannelAnswer(started, 'review.bulkAccept')).toMatchObject({
      ok: false,
      error: { key: 'badAnswer', params: { channel: 'review.bulkAccept' } },
    });
  });
});

describe('team mode login routes read with their schemas (src/shared/team.ts)', () => {
  let team: RunningServer;
  afterEach(async () => team?.close());

  it('reads /api/session, /api/setup, /api/login and /api/logout as the login page does, and refuses another shape', async () => {
    const s = tempDir();
    try {
      team = await startServer({
        core: served.core,
        staticDir: s.dir,
        team: { host: '127.0.0.1', tls: null, setupCode: 'open-sesame' },
      });
      const page = new TeamClient(team.url);
      const session = async (): Promise<unknown> => (await page.request('GET', '/api/session')).body;
      const before = await session();
      expect(readAnswer(before, '/api/session', TeamSession)).toEqual({
        ok: true,
        value: { team: true, user: null, csrf: null, needsSetup: true },
      });
      const setup = (
        await page.request('POST', '/api/setup', {
          code: 'open-sesame',
          username: 'ada',
          password: 'correct horse battery',
        })
      ).body;
      const admin = readAnswer(setup, '/api/setup', LoggedIn);
      expect(admin).toEqual(setup);
      expect(admin.ok && admin.value.user).toEqual({ username: 'ada', role: 'admin' });
      if (admin.ok) page.csrf = admin.value.csrf;
      const during = readAnswer(await session(), '/api/session', TeamSession);
      expect(during.ok && during.value).toMatchObject({ user: { username: 'ada' }, needsSetup: false });
      const out = (await page.request('POST', '/api/logout', {})).body;
      expect(readAnswer(out, '/api/logout', LoggedOut)).toEqual(out);
      const again = (await page.login('ada', 'correct horse battery')).body;
      expect(readAnswer(again, '/api/login', LoggedIn)).toEqual(again);
      // A wrong password is an error answer of the right shape: it passes as it is, for the page to show.
      const wrong = (await new TeamClient(team.url).login('ada', 'not the password')).body;
      expect(readAnswer(wrong, '/api/login', LoggedIn)).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHORIZED' },
      });

      const odd = { ok: true, value: { team: true, user: { username: 'ada', role: 'owner' }, csrf: null } };
      expect(readAnswer(odd, '/api/session', TeamSession)).toMatchObject({
        ok: false,
        error: {
          key: 'badAnswer',
          params: { channel: '/api/session', problem: expect.stringContaining('user.role') },
        },
      });
      page.close();
    } finally {
      s.cleanup();
    }
  });
});
