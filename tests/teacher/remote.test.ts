import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  getLlama,
  LlamaLogLevel,
  type ControlledEvaluateInputItem,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { teacherDistributions } from '../../src/main/core/labels';
import { testCore } from '../helpers';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { importTinyModel, makeProject, SENTENCES } from './fixtures';

/**
 * A real OpenAI-compatible completions server on 127.0.0.1 that serves the tiny model's log-probs (echo + logprobs),
 * computed by node-llama-cpp in this process, as llama.cpp's server or vLLM would.
 */
async function startLogprobServer(
  model: LlamaModel,
  context: LlamaContext,
): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const seq = context.getSequence();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hits++;
      const job = queue.then(async () => {
        const { prompt } = JSON.parse(body) as { prompt: string };
        const tokens = model.tokenize(prompt, true);
        await seq.clearHistory();
        const out = await seq.controlledEvaluate(
          tokens.map((t): ControlledEvaluateInputItem => [t, { generateNext: { probabilities: true } }]),
        );
        const pieces = tokens.map((t) => model.detokenize([t], true));
        const offsets: number[] = [];
        let at = 0;
        for (const p of pieces) {
          offsets.push(at);
          at += p.length;
        }
        const logprobs = tokens.map((t, i) =>
          i === 0 ? null : Math.log(out[i - 1]?.next.probabilities?.get(t) ?? Number.NaN),
        );
        return {
          choices: [
            { text: prompt, logprobs: { tokens: pieces, token_logprobs: logprobs, text_offset: offsets } },
          ],
        };
      });
      queue = job.catch(() => undefined);
      void job.then(
        (r) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(r));
        },
        (e: Error) => {
          res.writeHead(500);
          res.end(e.message);
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

describe('remote OpenAI-compatible endpoint teacher (real HTTP server on 127.0.0.1)', () => {
  let core: Core;
  let close: () => Promise<void>;
  let servers: Array<Awaited<ReturnType<typeof startLogprobServer>>>;
  let model: LlamaModel;
  beforeAll(async () => {
    ({ core, close } = await testCore());
    const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: tinyModelPath() });
    const ctx = await model.createContext({ contextSize: 512, sequences: 2, threads: 1 });
    servers = [await startLogprobServer(model, ctx), await startLogprobServer(model, ctx)];
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) s.server.close();
    await model.dispose();
    await close();
  });

  it('labels a project through two endpoints, spreading the work, with the same distributions as the local model', async () => {
    const labels = [{ name: 'fair' }, { name: 'unfair' }];
    const p = makeProject(core, { labels, examples: SENTENCES.slice(0, 6).map((text) => ({ text })) });
    const endpoints = servers.map((s) => ({ url: s.url, model: 'tiny', concurrency: 2 }));
    const { run, job } = await core.call('teacher.run', { projectId: p.projectId, endpoints });
    const final = await core.jobs.wait(job.id);
    expect(final.state, final.error ?? '').toBe('completed');
    expect(servers.every((s) => s.hits() > 0)).toBe(true);
    const remote = teacherDistributions(core.db, run.id);
    expect(remote.size).toBe(6);

    const tiny = await importTinyModel(core);
    const localPreview = await core.call('teacher.preview', {
      projectId: p.projectId,
      modelId: tiny.id,
      count: 6,
      threads: 1,
      sequences: 2,
      contextSize: 512,
    });
    for (const item of localPreview) {
      const r = remote.get(item.exampleId!)!;
      expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      item.distribution!.probs.forEach((x, k) => expect(Math.abs(x - r[k])).toBeLessThan(1e-3));
    }
  }, 120_000);

  it('explains an endpoint that is down, and refuses reasoning mode remotely', async () => {
    const p = makeProject(core, { labels: [{ name: 'a' }, { name: 'b' }], examples: [{ text: 'x' }] });
    const dead = [{ url: 'http://127.0.0.1:9', model: 'tiny', concurrency: 1 }];
    await expect(core.call('teacher.preview', { projectId: p.projectId, endpoints: dead })).rejects.toThrow(
      /cannot be reached/,
    );
    await expect(
      core.call('teacher.run', { projectId: p.projectId, endpoints: dead, mode: 'reasoning' }),
    ).rejects.toThrow(/local model only/);
  });
});
