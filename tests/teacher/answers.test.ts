import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { readAnswer } from '../../src/shared/answers';
import { appContract } from '../../src/shared/app';
import { contract, type ChannelName } from '../../src/shared/contract';
import { errorMessage } from '../../src/shared/errorMessages';
import { maskingContract } from '../../src/shared/masking';
import { teacherContract, type TeacherModel } from '../../src/shared/teacher';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { tempDir, testCore } from '../helpers';
import { insertTeacherRun } from '../review/fixture';
import { makeProject, SENTENCES } from './fixtures';
import { ML_LABELS, multiLabelProject } from './multilabelFixture';

// The teacher's, masking's and the app's channels carry their answers' schemas (src/shared/teacher*.ts, masking.ts,
// app.ts): browser mode reads every answer with them. Here each channel is called on a real server (a SQLite
// project, the teacher process with the tiny generated model) and what it answers must read back unchanged, so a
// schema that disagrees with the code producing the answer fails here.

const MINE = [
  ...Object.keys(teacherContract),
  ...Object.keys(maskingContract),
  ...Object.keys(appContract),
] as ChannelName[];

const local = { threads: 1, sequences: 2, contextSize: 512 } as const;

function schemaOf(channel: ChannelName): z.ZodType {
  const schema = (contract[channel] as { output?: z.ZodType }).output;
  if (!schema) throw new Error(`${channel} has no response schema`);
  return schema;
}

let server: RunningServer;
let t: Awaited<ReturnType<typeof testCore>>;
let site: ReturnType<typeof tempDir>;
/** The channels the tests read an answer of, to check that none of this file's share was left out. */
const read = new Set<ChannelName>();

beforeAll(async () => {
  t = await testCore();
  site = tempDir();
  server = await startServer({ core: t.core, staticDir: site.dir });
}, 60_000);
afterAll(async () => {
  await server.close();
  await t.close();
  site.cleanup();
});

async function body(channel: ChannelName, request: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}api/invoke/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
    body: JSON.stringify(request),
  });
  return res.json();
}

/** The channel's answer over HTTP, read with its schema: it must succeed and equal what the server sent. */
async function answer<T = unknown>(channel: ChannelName, request: unknown): Promise<T> {
  return check(channel, await body(channel, request)) as T;
}

/**
 * A channel whose request names a file on the server's disk (refused over HTTP, where files are uploaded first):
 * called on the core, its answer sent through JSON as the server sends it.
 */
async function answerOnCore<T = unknown>(channel: ChannelName, request: unknown): Promise<T> {
  const value = await (t.core.call as (c: string, r: unknown) => Promise<unknown>)(channel, request);
  return check(channel, JSON.parse(JSON.stringify({ ok: true, value })) as unknown) as T;
}

/** A JSONL file of teacher outputs (one object a line) in the data folder. */
function jsonl(name: string, lines: readonly object[]): string {
  const file = join(t.dataDir, name);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
  return file;
}

function check(channel: ChannelName, sent: unknown): unknown {
  expect(sent, channel).toMatchObject({ ok: true });
  const got = readAnswer(sent, channel, schemaOf(channel));
  expect(got, channel).toEqual(sent);
  read.add(channel);
  return (sent as { value: unknown }).value;
}

describe('teacher, masking and app answers read with their schemas', () => {
  it('declares a response schema on every channel of the teacher, masking and app contracts', () => {
    expect(MINE).toHaveLength(38);
    for (const channel of MINE) expect(schemaOf(channel), channel).toBeDefined();
  });

  it('reads the app and settings answers; settings are the person’s only, not the core’s own keys', async () => {
    await answer('app.info', {});
    // The core keeps its own keys in the same table: they are no setting of the person's and are not sent.
    t.core.db.prepare("INSERT INTO settings (key, value) VALUES ('demoSeeded', 'true')").run();
    const settings = await answer<Record<string, unknown>>('settings.get', {});
    expect(Object.keys(settings).sort()).toEqual([
      'annotator',
      'language',
      'lastProjectId',
      'lastStep',
      'theme',
    ]);
    expect(await answer('settings.update', { annotator: 'Ana', lastProjectId: 3 })).toMatchObject({
      annotator: 'Ana',
      lastProjectId: 3,
    });
  });

  it('reads the masking answers: rules, a masked text, added, switched and removed rules, a preview', async () => {
    const { projectId } = makeProject(t.core, {
      labels: [{ name: 'fair' }, { name: 'unfair' }],
      examples: [
        { text: 'Write to ana@example.com or call +44 20 7946 0958.' },
        { text: 'Dr. Chen saw the patient on 3 March 2024.' },
      ],
    });
    await answer('dataset.maskRules', {});
    await answer('dataset.maskRules', { projectId });
    await answer('dataset.maskText', { text: 'Mail ana@example.com', projectId });
    await answer('dataset.maskAddRule', {
      projectId,
      rule: { kind: 'names', name: 'doctors', names: ['Chen'] },
    });
    const rules = await answer<Array<{ name: string; caseInsensitive?: boolean }>>('dataset.maskAddRule', {
      projectId,
      rule: { kind: 'regex', name: 'ward', pattern: 'Ward [0-9]+', caseInsensitive: true },
    });
    expect(rules.find((r) => r.name === 'ward')?.caseInsensitive).toBe(true);
    await answer('dataset.maskSetEnabled', { projectId, name: 'date', enabled: true });
    const preview = await answer<{ samples: unknown[] }>('dataset.maskPreview', { projectId, sample: 10 });
    expect(preview.samples.length).toBeGreaterThan(0);
    await answer('dataset.maskRemoveRule', { projectId, name: 'ward' });
  });

  it('reads every teacher answer from the real teacher (tiny model), runs, checks, prompt lab and imports', async () => {
    const examples = SENTENCES.map((text, i) => ({
      text,
      split: i < 8 ? ('validation' as const) : ('train' as const),
      label: i % 2 ? 'unfair' : 'fair',
    }));
    const { projectId, exampleIds } = makeProject(t.core, {
      labels: [{ name: 'fair' }, { name: 'unfair' }],
      examples,
    });
    const job = await answerOnCore<{ id: number }>('teacher.importModel', { path: tinyModelPath() });
    const done = await t.core.jobs.wait(job.id);
    expect(done.state, done.error ?? '').toBe('completed');
    const [model] = await answer<TeacherModel[]>('teacher.models', {});
    const choice = { projectId, modelId: model.id, ...local };

    await answer('teacher.recommended', {});
    await answer('teacher.hardware', {});
    expect(await answer('teacher.hardware', { modelId: model.id })).toMatchObject({
      fit: { modelId: model.id },
    });
    await answer('teacher.promptPreview', choice);
    const previewed = await answer<Array<{ distribution: unknown }>>('teacher.preview', {
      ...choice,
      count: 2,
    });
    expect(previewed[0].distribution).not.toBeNull();
    await answer('teacher.plan', choice);
    await answer('teacher.time', choice);
    expect(await answer('teacher.plan', choice)).toMatchObject({ timing: { documents: expect.any(Number) } });

    const started = await answer<{ run: { id: number }; job: { id: number } }>('teacher.run', choice);
    expect((await t.core.jobs.wait(started.job.id)).state).toBe('completed');
    const runId = started.run.id;
    await answer('teacher.runs', { projectId });
    await answer('teacher.outputs', { runId, limit: 5 });
    await answer('teacher.check', { runId });
    await answer('teacher.calibrate', { runId });

    await answer('teacher.draft', { projectId });
    const draft = {
      modelId: model.id,
      mode: 'direct',
      fewShot: 1,
      reasoningBudget: 256,
      template: '',
      endpoints: [{ url: 'http://gpu:8000', model: 'm', concurrency: 4 }],
    };
    await answer('teacher.saveDraft', { projectId, draft });
    expect(await answer('teacher.draft', { projectId })).toEqual(draft);

    await answer('teacher.task', { projectId });
    await answer('teacher.setTask', { projectId, task: 'Spot unfair clauses.' });
    const version = { projectId, template: '', task: 'Spot unfair clauses.' };
    const v1 = await answer<{ id: number }>('teacher.savePromptVersion', { ...version, name: 'First' });
    const v2 = await answer<{ id: number }>('teacher.savePromptVersion', {
      ...version,
      name: 'Second',
      task: 'Spot unfair clauses in terms of service.\nBe strict.',
      fewShot: 2,
    });
    await answer('teacher.promptVersions', { projectId });
    await answer('teacher.promptDiff', { fromId: v2.id, toId: v1.id });
    expect(await answer('teacher.promptText', { ...choice, exampleId: exampleIds[0] })).toMatchObject({
      modelText: expect.any(String),
    });
    const trial = await answer<{ id: number }>('teacher.trial', { ...choice, versionId: v1.id, sample: 3 });
    expect((await t.core.jobs.wait(trial.id)).state).toBe('completed');

    // An address nobody serves: refused with the reason, in the same shape.
    expect(
      await answer('teacher.checkEndpoint', { url: 'http://127.0.0.1:9/', model: 'm', concurrency: 1 }),
    ).toMatchObject({ accepted: false, refusal: 'unreachable' });
    await answer('teacher.endpointRates', {});

    const file = jsonl(
      'outputs.jsonl',
      SENTENCES.map((text) => ({ text, probs: { fair: 0.3, unfair: 0.7 } })),
    );
    await answerOnCore('teacher.importRun', { projectId, path: file });

    // A run stored without its settings (the column's default) answers with every settings field, as a run does.
    insertTeacherRun(t.core, projectId, [{ id: 1, name: 'fair' }]);
    await answer('teacher.runs', { projectId });

    // A model that cannot be reached is never downloaded in a test: the answer is the job that will fail.
    const download = await answer<{ id: number }>('teacher.downloadModel', {
      url: 'http://127.0.0.1:9/m.gguf',
    });
    expect((await t.core.jobs.wait(download.id)).state).toBe('failed');
    await answer('teacher.removeModel', { modelId: model.id });
  }, 300_000);

  it('reads the multi-label answers: a preview of each label, an imported run, its check and calibration', async () => {
    const { projectId, rows } = await multiLabelProject(t.core, t.dataDir);
    const models = await answer<TeacherModel[]>('teacher.models', {});
    const model =
      models[0] ??
      (await t.core.jobs.wait((await t.core.call('teacher.importModel', { path: tinyModelPath() })).id))
        .result;
    const previewed = await answer<Array<{ labelProbabilities: unknown }>>('teacher.preview', {
      projectId,
      modelId: (model as TeacherModel).id,
      count: 2,
      ...local,
    });
    expect(previewed[0].labelProbabilities).toBeTruthy();
    const probs = (labels: readonly string[]): object =>
      Object.fromEntries(ML_LABELS.map((l) => [l, labels.includes(l) ? 0.8 : 0.1]));
    const file = jsonl(
      'multi.jsonl',
      rows.map((r) => ({ text: r.text, probs: probs(r.labels) })),
    );
    const { run } = await answerOnCore<{ run: { id: number } }>('teacher.importRun', {
      projectId,
      path: file,
    });
    await answer('teacher.labelCheck', { runId: run.id });
    await answer('teacher.calibrateLabels', { runId: run.id });
  }, 300_000);

  it('has read an answer of every channel of the share', () => {
    expect([...MINE].filter((c) => !read.has(c))).toEqual([]);
  });

  it('refuses an answer of another shape with the badAnswer error naming the channel and the field', async () => {
    const sent = (await body('settings.get', {})) as { ok: true; value: Record<string, unknown> };
    sent.value.theme = 'sepia';
    const got = readAnswer(sent, 'settings.get', schemaOf('settings.get'));
    expect(got).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', key: 'badAnswer', params: { channel: 'settings.get' } },
    });
    if (got.ok) return;
    expect(got.error.params?.problem).toContain('theme');
    expect(errorMessage(got.error, 'zh-CN')).toContain('settings.get');

    const { projectId } = makeProject(t.core, { labels: [{ name: 'a' }], examples: [{ text: 'x' }] });
    insertTeacherRun(t.core, projectId, [{ id: 1, name: 'a' }]);
    const runs = (await body('teacher.runs', { projectId })) as {
      ok: true;
      value: Array<{ settings: Record<string, unknown> }>;
    };
    runs.value[0].settings.threads = '4';
    expect(readAnswer(runs, 'teacher.runs', schemaOf('teacher.runs'))).toMatchObject({
      ok: false,
      error: {
        key: 'badAnswer',
        params: { channel: 'teacher.runs', problem: expect.stringContaining('0.settings.threads') },
      },
    });
  });
});
