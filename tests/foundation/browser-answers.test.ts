import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { z } from 'zod';
import { readAnswer, readEvent } from '../../src/shared/answers';
import { contract, type ChannelName } from '../../src/shared/contract';
import { errorMessage } from '../../src/shared/errorMessages';
import type { EventEnvelope } from '../../src/shared/events';
import { serverForEachTest } from '../httpServer';
import { addTeacherRun, makeProject, type Fixture } from '../review/fixture';

// Browser mode reads every answer and event with the contract's schemas (src/renderer/src/api/answers.ts). These
// tests read what a real server answers over real HTTP, so a schema that disagrees with the core fails here.

const served = serverForEachTest();
const fetchJson = (channel: ChannelName, request: unknown): Promise<unknown> => served.post(channel, request);

function schemaOf(channel: ChannelName): z.ZodType {
  const schema = (contract[channel] as { output?: z.ZodType }).output;
  if (!schema) throw new Error(`${channel} has no response schema`);
  return schema;
}

/** A project of `n` documents of about 2,000 characters, half of them with a teacher output and a label. */
async function project(n: number): Promise<Fixture> {
  const text = (i: number): string =>
    `Document ${i}. ` + 'The tenant shall give notice in writing. '.repeat(48);
  const fx = await makeProject(
    served.core,
    Array.from({ length: n }, (_, i) => text(i)),
  );
  addTeacherRun(
    served.core,
    fx,
    fx.examples.filter((_, i) => i % 2 === 0).map((exampleId, i) => ({ exampleId, pUnfair: (i % 10) / 10 })),
  );
  for (const exampleId of fx.examples.slice(0, 10))
    await served.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId,
      labelId: fx.labels.fair,
      queue: { kind: 'all' },
    });
  return fx;
}

describe('browser mode reads answers with the contract schemas', () => {
  it('reads what the server answers on every channel that has a response schema used here', async () => {
    const fx = await project(40);
    const { projectId } = fx;
    const queue = { kind: 'all' as const };
    const calls: Array<[ChannelName, unknown]> = [
      ['projects.list', {}],
      ['projects.get', { projectId }],
      ['dataset.browse', { projectId, limit: 1000 }],
      ['review.next', { projectId, queue, exampleId: null, direction: 'next' }],
      ['review.upcoming', { projectId, queue, exampleId: fx.examples[0], count: 20 }],
      ['review.item', { projectId, exampleId: fx.examples[0] }],
      ['review.annotate', { projectId, exampleId: fx.examples[20], labelId: fx.labels.unfair, queue }],
      ['review.undo', { projectId }],
      ['jobs.list', {}],
    ];
    for (const [channel, request] of calls) {
      const body = await fetchJson(channel, request);
      const read = readAnswer(body, channel, schemaOf(channel));
      expect(read, channel).toEqual(body);
    }
  });

  it('refuses an answer of another shape with a message that names the channel and the field, in both languages', async () => {
    const fx = await project(30);
    const body = (await fetchJson('review.upcoming', {
      projectId: fx.projectId,
      queue: { kind: 'all' },
      exampleId: fx.examples[0],
      count: 5,
    })) as { ok: true; value: Array<{ teacher: { confidence: unknown } | null }> };
    const withTeacher = body.value.findIndex((item) => item.teacher !== null);
    expect(withTeacher).toBeGreaterThanOrEqual(0);
    body.value[withTeacher].teacher!.confidence = 'high';
    const read = readAnswer(body, 'review.upcoming', schemaOf('review.upcoming'));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toMatchObject({
      code: 'INTERNAL',
      key: 'badAnswer',
      params: { channel: 'review.upcoming' },
    });
    expect(read.error.params?.problem).toContain(`${withTeacher}.teacher.confidence`);
    expect(read.error.message).toContain(
      'The server answered "review.upcoming" with data this page cannot read',
    );
    expect(errorMessage(read.error, 'zh-CN')).toContain('服务器对“review.upcoming”的回答无法被此页面读取');

    // Not an answer at all (no `ok`), and an error whose code the contract does not know.
    expect(readAnswer({ value: 1 }, 'projects.list', schemaOf('projects.list'))).toMatchObject({
      ok: false,
      error: { key: 'badAnswer' },
    });
    expect(
      readAnswer(
        { ok: false, error: { code: 'OOPS', message: 'x' } },
        'projects.list',
        schemaOf('projects.list'),
      ),
    ).toMatchObject({
      ok: false,
      error: { key: 'badAnswer', params: { problem: expect.stringContaining('error.code') } },
    });
    // An error answer of the right shape passes as it is.
    const refused = await fetchJson('projects.get', { projectId: 999 });
    expect(readAnswer(refused, 'projects.get', schemaOf('projects.get'))).toEqual(refused);
  });

  it('reads pushed events with their payload schema and drops one of another shape', async () => {
    const fx = await project(4);
    const ws = new WebSocket(`${served.server.url.replace('http', 'ws')}api/events`, [
      'distillery',
      `distillery-token.${served.server.token}`,
    ]);
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const got = new Promise<void>((resolve) => {
      ws.on('message', (data: Buffer) => {
        seen.push(data.toString());
        if (seen.some((s) => s.includes('"review.annotated"'))) resolve();
      });
    });
    await served.core.call('review.annotate', {
      projectId: fx.projectId,
      exampleId: fx.examples[3],
      labelId: fx.labels.fair,
      queue: { kind: 'all' },
    });
    await got;
    ws.close();
    const events = seen.map(readEvent);
    expect(events.every((e) => e !== null)).toBe(true);
    expect(events.map((e) => e?.name)).toContain('review.annotated');
    const annotated = events.find((e) => e?.name === 'review.annotated') as EventEnvelope<'review.annotated'>;
    expect(annotated.payload).toEqual({ projectId: fx.projectId, exampleId: fx.examples[3] });

    const quiet = console.error;
    console.error = () => {};
    try {
      expect(
        readEvent(JSON.stringify({ name: 'review.annotated', payload: { projectId: 'one' } })),
      ).toBeNull();
      expect(readEvent(JSON.stringify({ name: 'no.such', payload: {} }))).toBeNull();
      expect(readEvent('not json')).toBeNull();
    } finally {
      console.error = quiet;
    }
  });

  it('costs little next to JSON.parse on the largest answers (browse pages of 200 and 1,000 rows, review.upcoming 20)', async () => {
    const fx = await project(1000);
    const queue = { kind: 'all' as const };
    for (const [channel, request] of [
      ['dataset.browse', { projectId: fx.projectId, limit: 200 }],
      ['dataset.browse', { projectId: fx.projectId, limit: 1000 }],
      ['review.upcoming', { projectId: fx.projectId, queue, exampleId: fx.examples[0], count: 20 }],
    ] as Array<[ChannelName, unknown]>) {
      const text = JSON.stringify(await fetchJson(channel, request));
      const schema = schemaOf(channel);
      const time = (f: () => unknown): number => {
        const start = performance.now();
        for (let i = 0; i < 20; i++) f();
        return (performance.now() - start) / 20;
      };
      const body = JSON.parse(text) as unknown;
      time(() => readAnswer(body, channel, schema)); // warm up, as a page that has read one before
      const parseMs = time(() => JSON.parse(text));
      const readMs = time(() => readAnswer(body, channel, schema));
      // A figure to read, not a timed assertion: the machine is shared.
      console.log(
        `${channel}: ${(text.length / 1024).toFixed(0)} KiB, JSON.parse ${parseMs.toFixed(2)} ms, schema ${readMs.toFixed(2)} ms`,
      );
      expect(readAnswer(body, channel, schema).ok).toBe(true);
    }
  });
});
