import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getLlama, LlamaLogLevel, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { teacherDistributions } from '../../src/main/core/labels';
import { sigmoid } from '../../src/shared/math';
import { forgetEndpoints } from '../../src/main/features/teacher/remote';
import { EndpointHttp } from '../../src/main/features/teacher/remoteHttp';
import { VllmVersion } from '../../src/main/features/teacher/remoteSchemas';
import type { PreviewItem, TeacherEndpoint } from '../../src/shared/teacher';
import { ROOT, tempDir, testCore } from '../helpers';
import { tinyModelPath } from '../fixtures/gguf/generate';
import { startEngine, type EngineOptions, type EngineServer } from './engineServer';
import { importTinyModel, makeProject, SENTENCES } from './fixtures';
import { ML_LABELS, multiLabelProject } from './multilabelFixture';

/**
 * Remote teachers against test engines on 127.0.0.1 (tests/teacher/engineServer.ts) that serve the generated tiny
 * model through node-llama-cpp with vLLM's and llama.cpp server's HTTP contracts. The remote numbers must equal the
 * local teacher's on the same model; an engine that cannot give exact numbers must be refused, not used.
 */

const CONTEXT = 512;
const LABELS = [{ name: 'fair' }, { name: 'unfair' }];

describe('remote teacher engines (test vLLM / llama.cpp / Ollama servers on 127.0.0.1)', () => {
  let core: Core;
  let close: () => Promise<void>;
  let dataDir = '';
  let model: LlamaModel;
  const contexts: LlamaContext[] = [];
  const servers: EngineServer[] = [];
  let localModelId = 0;

  const engine = async (
    o: Omit<EngineOptions, 'model' | 'sequence' | 'contextSize'>,
  ): Promise<EngineServer> => {
    // Each engine has its own context: sequences of one context are evaluated in shared batches, whose
    // composition moves the float results by ~1e-4 and would blur what this test compares.
    const own = await model.createContext({ contextSize: CONTEXT, sequences: 1, threads: 1 });
    contexts.push(own);
    const s = await startEngine({ ...o, model, sequence: own.getSequence(), contextSize: CONTEXT });
    servers.push(s);
    return s;
  };
  const endpoint = (s: EngineServer, extra: Partial<TeacherEndpoint> = {}): TeacherEndpoint => ({
    url: s.url,
    model: '',
    concurrency: 2,
    ...extra,
  });

  /** The local teacher's distributions for the project's first `count` examples, same model, same context. */
  const local = async (projectId: number, count: number, extra: object = {}): Promise<PreviewItem[]> =>
    core.call('teacher.preview', {
      projectId,
      modelId: localModelId,
      count,
      threads: 1,
      sequences: 1,
      contextSize: CONTEXT,
      ...extra,
    });

  const expectEqualToLocal = (remote: Map<number, number[]>, localItems: PreviewItem[]): void => {
    expect(remote.size).toBe(localItems.length);
    for (const item of localItems) {
      const r = remote.get(item.exampleId!)!;
      expect(Math.abs(r.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
      item.distribution!.probs.forEach((x, k) => expect(Math.abs(x - r[k])).toBeLessThan(1e-5));
    }
  };

  beforeAll(async () => {
    ({ core, close, dataDir } = await testCore());
    const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: tinyModelPath() });
    localModelId = (await importTinyModel(core)).id;
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const c of contexts) await c.dispose();
    await model.dispose();
    await close();
  });

  it('detects vLLM, passes its self-check with prompt_logprobs, and labels with the local teacher’s numbers (1e-5)', async () => {
    const vllm = await engine({ kind: 'vllm' });
    const check = await core.call('teacher.checkEndpoint', endpoint(vllm));
    expect(check).toMatchObject({
      engine: 'vllm',
      engineVersion: '0.8.5',
      models: ['tiny'],
      method: 'prompt_logprobs',
      templateSource: 'server',
      contextSize: CONTEXT,
      capacity: null,
      concurrency: 2,
      accepted: true,
      refusal: null,
    });
    expect(check.selfCheck).toMatchObject({ passed: true, prompts: 2, promptTokensCovered: true });
    expect(check.selfCheck!.maxSumError).toBeLessThan(1e-6);

    const p = makeProject(core, {
      labels: LABELS,
      examples: SENTENCES.slice(0, 4).map((text) => ({ text })),
    });
    const before = vllm.paths.get('/v1/completions') ?? 0;
    const { run, job } = await core.call('teacher.run', {
      projectId: p.projectId,
      endpoints: [endpoint(vllm)],
    });
    const final = await core.jobs.wait(job.id);
    expect(final.state, final.error ?? '').toBe('completed');
    // All labels of a document in one request: one completions request per document.
    expect((vllm.paths.get('/v1/completions') ?? 0) - before).toBe(4);
    expectEqualToLocal(teacherDistributions(core.db, run.id), await local(p.projectId, 4));
  }, 180_000);

  it('uses echo on a vLLM without prompt_logprobs, with the same numbers', async () => {
    const vllm = await engine({ kind: 'vllm', promptLogprobs: false });
    const check = await core.call('teacher.checkEndpoint', endpoint(vllm));
    expect(check).toMatchObject({ accepted: true, method: 'echo' });
    expect(check.capabilities).toMatchObject({ promptLogprobs: false, echoPromptLogprobs: true });
    const p = makeProject(core, {
      labels: LABELS,
      examples: SENTENCES.slice(4, 7).map((text) => ({ text })),
    });
    const items = await core.call('teacher.preview', {
      projectId: p.projectId,
      endpoints: [endpoint(vllm)],
      count: 3,
    });
    const remote = new Map(items.map((i) => [i.exampleId!, [...i.distribution!.probs]]));
    expectEqualToLocal(remote, await local(p.projectId, 3));
  }, 180_000);

  it('scores exactly through llama.cpp’s native n_probs, concurrency from its slots, spread over two endpoints', async () => {
    const llamacpp = await engine({ kind: 'llamacpp', slots: 3 });
    const vllm = await engine({ kind: 'vllm' });
    const check = await core.call('teacher.checkEndpoint', endpoint(llamacpp, { concurrency: 8 }));
    expect(check).toMatchObject({
      engine: 'llamacpp',
      engineVersion: 'b6100-testserver',
      method: 'n_probs',
      capacity: 3,
      concurrency: 3,
      accepted: true,
    });
    expect(check.capabilities).toMatchObject({ tokenize: true, nativeProbs: true, echoPromptLogprobs: null });

    const p = makeProject(core, {
      labels: LABELS,
      examples: SENTENCES.slice(0, 8).map((text) => ({ text })),
    });
    const { run, job } = await core.call('teacher.run', {
      projectId: p.projectId,
      endpoints: [endpoint(llamacpp), endpoint(vllm)],
    });
    const final = await core.jobs.wait(job.id);
    expect(final.state, final.error ?? '').toBe('completed');
    expect(llamacpp.paths.get('/completion')).toBeGreaterThan(0);
    expect(vllm.paths.get('/v1/completions')).toBeGreaterThan(0);
    const rates = await core.call('teacher.endpointRates', {});
    for (const url of [llamacpp.url, vllm.url]) {
      const r = rates.find((x) => x.url === url)!;
      expect(r.documents).toBeGreaterThan(0);
      expect(r.documentsPerSecond).toBeGreaterThan(0);
      expect(r.tokensPerSecond).toBeGreaterThan(r.documentsPerSecond);
    }
    expectEqualToLocal(teacherDistributions(core.db, run.id), await local(p.projectId, 8));
  }, 180_000);

  it('labels a multi-label project through vLLM and llama.cpp: one question per label, the local teacher’s log-odds', async () => {
    const vllm = await engine({ kind: 'vllm' });
    const llamacpp = await engine({ kind: 'llamacpp', slots: 2 });
    const { projectId, rows } = await multiLabelProject(core, dataDir);
    const choice = { projectId, mode: 'direct' as const, fewShot: 0, reasoningBudget: 64 };
    /** A completed run's stored per-label log-odds by example, and its id. */
    const logOdds = async (extra: object): Promise<{ id: number; z: Map<number, number[]> }> => {
      const { run, job } = await core.call('teacher.run', { ...choice, ...extra });
      expect(run.kind).toBe('multi');
      const final = await core.jobs.wait(job.id);
      expect(final.state, final.error ?? '').toBe('completed');
      const stored = core.db
        .prepare('SELECT example_id, logprobs FROM teacher_outputs WHERE run_id = ?')
        .all(run.id) as Array<{ example_id: number; logprobs: string }>;
      return {
        id: run.id,
        z: new Map(stored.map((o) => [o.example_id, JSON.parse(o.logprobs) as number[]])),
      };
    };
    const tokens = (runId: number): unknown[] =>
      core.db
        .prepare('SELECT example_id, tokens FROM teacher_outputs WHERE run_id = ? ORDER BY 1')
        .all(runId);
    const { id: localRun, z: local } = await logOdds({
      modelId: localModelId,
      endpoints: [],
      threads: 1,
      sequences: 1,
      contextSize: CONTEXT,
    });
    expect(local.size).toBe(rows.length);
    for (const server of [vllm, llamacpp]) {
      const { id: remoteRun, z: remote } = await logOdds({ endpoints: [endpoint(server)] });
      expect(remote.size).toBe(rows.length);
      let largest = 0;
      let total = 0;
      let count = 0;
      for (const [id, z] of local) {
        const r = remote.get(id)!;
        expect(r).toHaveLength(ML_LABELS.length);
        r.forEach((x, k) => {
          const d = Math.abs(sigmoid(x) - sigmoid(z[k]));
          largest = Math.max(largest, d);
          total += d;
          count++;
        });
      }
      // The same prompts (the same token counts, document by document). The local teacher evaluates the questions'
      // shared part in a batch of its own, the test servers each whole prompt after their prompt cache: llama.cpp's
      // numbers move with how tokens are batched (the local teacher's own one-batch path differs from its fast path
      // by up to 1e-3: multilabel-scoring.test.ts), so P(yes) agrees to a few 1e-3, 1e-3 on average.
      expect(tokens(remoteRun)).toEqual(tokens(localRun));
      expect(largest).toBeLessThan(3e-3);
      expect(total / count).toBeLessThan(1e-3);
    }
    // One request per label and document on vLLM (its answers' spellings scored together).
    expect(vllm.paths.get('/v1/completions')).toBeGreaterThanOrEqual(rows.length * ML_LABELS.length);
  }, 300_000);

  it('refuses a llama.cpp server reachable only through /v1/completions echo, and runs nothing on it', async () => {
    const echoOnly = await engine({ kind: 'llamacpp', native: false });
    const check = await core.call('teacher.checkEndpoint', endpoint(echoOnly));
    expect(check.accepted).toBe(false);
    expect(check.engine).toBe('llamacpp');
    expect(check.method).toBeNull();
    expect(check.refusal).toBe('self-check');
    expect(check.reason).toMatch(/generated tokens only/);
    expect(check.capabilities).toMatchObject({ nativeProbs: false, echoPromptLogprobs: false });
    expect(check.selfCheck).toMatchObject({ passed: false, promptTokensCovered: false });

    const p = makeProject(core, { labels: LABELS, examples: [{ text: SENTENCES[0] }] });
    await expect(
      core
        .call('teacher.run', { projectId: p.projectId, endpoints: [endpoint(echoOnly)] })
        .then((r) => core.jobs.wait(r.job.id)),
    ).resolves.toMatchObject({ state: 'failed', error: expect.stringMatching(/generated tokens only/) });
    const runs = await core.call('teacher.runs', { projectId: p.projectId });
    expect(runs[0].outputCount).toBe(0);
  }, 120_000);

  it('refuses Ollama and unknown addresses with why and what to use instead', async () => {
    const ollama = await engine({ kind: 'ollama' });
    const check = await core.call('teacher.checkEndpoint', endpoint(ollama));
    expect(check).toMatchObject({
      accepted: false,
      engine: 'ollama',
      refusal: 'ollama',
      engineVersion: '0.6.2',
    });
    expect(check.reason).toMatch(
      /Ollama does not return log-probabilities for the prompt.*vLLM or llama\.cpp/,
    );
    const dead = await core.call('teacher.checkEndpoint', {
      url: 'http://127.0.0.1:9',
      model: '',
      concurrency: 1,
    });
    expect(dead).toMatchObject({ accepted: false, refusal: 'unreachable', engine: null });
    expect(dead.reason).toMatch(/cannot be reached/);
    const p = makeProject(core, { labels: LABELS, examples: [{ text: 'x' }] });
    await expect(
      core.call('teacher.preview', { projectId: p.projectId, endpoints: [endpoint(ollama)] }),
    ).rejects.toThrow(/Ollama/);
  }, 60_000);

  it('marks a document failed (never a label) when the server gives a non-finite number for it', async () => {
    const vllm = await engine({ kind: 'vllm', poison: 'arbitration' });
    const p = makeProject(core, {
      labels: LABELS,
      examples: SENTENCES.slice(0, 4).map((text) => ({ text })),
    });
    const { run, job } = await core.call('teacher.run', {
      projectId: p.projectId,
      endpoints: [endpoint(vllm)],
    });
    expect((await core.jobs.wait(job.id)).state).toBe('completed');
    const after = (await core.call('teacher.runs', { projectId: p.projectId })).find((r) => r.id === run.id)!;
    expect(after.failedCount).toBe(1);
    expect(after.outputCount).toBe(3);
    const failed = core.db
      .prepare("SELECT example_id, error FROM teacher_run_targets WHERE run_id = ? AND status = 'failed'")
      .get(run.id) as { example_id: number; error: string };
    expect(failed.example_id).toBe(p.exampleIds[2]);
    expect(failed.error).toMatch(/no valid numbers/);
  }, 120_000);

  it('retries 429/503 with backoff and still gives the exact numbers', async () => {
    forgetEndpoints();
    const vllm = await engine({ kind: 'vllm' });
    const p = makeProject(core, {
      labels: LABELS,
      examples: SENTENCES.slice(8, 10).map((text) => ({ text })),
    });
    await core.call('teacher.checkEndpoint', endpoint(vllm));
    vllm.failNext(2, 503);
    const items = await core.call('teacher.preview', {
      projectId: p.projectId,
      endpoints: [endpoint(vllm)],
      count: 2,
    });
    const rate = (await core.call('teacher.endpointRates', {})).find((r) => r.url === vllm.url)!;
    expect(rate.retries).toBeGreaterThanOrEqual(2);
    const remote = new Map(items.map((i) => [i.exampleId!, [...i.distribution!.probs]]));
    expectEqualToLocal(remote, await local(p.projectId, 2));
  }, 120_000);

  it('moves the work of an endpoint that goes down to the others (its breaker opens, shown with the rates), same numbers', async () => {
    const [live, dying] = [await engine({ kind: 'vllm' }), await engine({ kind: 'vllm' })];
    await core.call('teacher.checkEndpoint', endpoint(live, { concurrency: 1 }));
    await core.call('teacher.checkEndpoint', endpoint(dying, { concurrency: 1 }));
    await dying.close();
    const p = makeProject(core, {
      labels: LABELS,
      examples: SENTENCES.slice(0, 3).map((text) => ({ text })),
    });
    const items = await core.call('teacher.preview', {
      projectId: p.projectId,
      endpoints: [endpoint(dying, { concurrency: 1 }), endpoint(live, { concurrency: 1 })],
      count: 3,
    });
    const remote = new Map(items.map((i) => [i.exampleId!, [...i.distribution!.probs]]));
    expectEqualToLocal(remote, await local(p.projectId, 3));
    const down = (await core.call('teacher.endpointRates', {})).find((r) => r.url === dying.url)!;
    expect(down.breakerOpen).toBe(true);
    expect(down.documents).toBe(0);
    expect(down.retries).toBeGreaterThan(0);
  }, 120_000);

  it('opens the circuit breaker after repeated failures and sends nothing while it is open', async () => {
    const vllm = await engine({ kind: 'vllm' });
    const http = new EndpointHttp(vllm.url, undefined, {
      retries: 10,
      baseDelayMs: 1,
      maxDelayMs: 2,
      breakerThreshold: 3,
      breakerCooldownMs: 60_000,
      timeoutMs: 10_000,
    });
    vllm.failNext(100, 429);
    const abort = new AbortController();
    const pending = http.request('/version', undefined, VllmVersion, abort.signal);
    // The third failure opens the breaker: the request then waits instead of hammering the server.
    await expect.poll(() => http.breakerOpen).toBe(true);
    const hits = vllm.hits();
    expect(hits).toBe(3);
    abort.abort(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
    expect(vllm.hits()).toBe(hits);
    expect(http.counters.breakerOpened).toBe(1);
  });

  it('reasoning mode on llama.cpp and vLLM: generates, then scores, with the local teacher’s thoughts and numbers', async () => {
    const p = makeProject(core, {
      labels: LABELS,
      examples: SENTENCES.slice(2, 4).map((text) => ({ text })),
    });
    const opts = { mode: 'reasoning' as const, reasoningBudget: 16 };
    const localItems = await local(p.projectId, 2, opts);
    for (const server of [await engine({ kind: 'llamacpp', slots: 1 }), await engine({ kind: 'vllm' })]) {
      const items = await core.call('teacher.preview', {
        projectId: p.projectId,
        endpoints: [endpoint(server)],
        count: 2,
        ...opts,
      });
      items.forEach((item, i) => {
        expect(localItems[i].distribution!.reasoning!.length).toBeGreaterThan(0);
        expect(item.distribution!.reasoning).toBe(localItems[i].distribution!.reasoning);
        item.distribution!.probs.forEach((x, k) =>
          expect(Math.abs(x - localItems[i].distribution!.probs[k])).toBeLessThan(1e-5),
        );
      });
    }
  }, 180_000);

  it('uses a chat template the person chose instead of the server’s', async () => {
    const vllm = await engine({ kind: 'vllm' });
    const chatTemplate = "{{ bos_token }}USER: {{ messages[0]['content'] }}\nASSISTANT:";
    const check = await core.call('teacher.checkEndpoint', endpoint(vllm, { chatTemplate }));
    expect(check).toMatchObject({ accepted: true, templateSource: 'user' });
    const broken = await core.call(
      'teacher.checkEndpoint',
      endpoint(vllm, { chatTemplate: 'no user turn here' }),
    );
    expect(broken).toMatchObject({ accepted: false, refusal: 'no-template' });
  }, 60_000);

  it('distillery teacher check-endpoint prints the engine and self-check, and fails with the reason when refused', async () => {
    const vllm = await engine({ kind: 'vllm' });
    const ollama = await engine({ kind: 'ollama' });
    const dir = tempDir();
    try {
      const cli = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
        promisify(execFile)(process.execPath, ['bin/distillery.mjs', ...args, '--data-dir', dir.dir], {
          cwd: ROOT,
        });
      const json = JSON.parse((await cli('teacher', 'check-endpoint', vllm.url, '--json')).stdout) as {
        engine: string;
        method: string;
        accepted: boolean;
      };
      expect(json).toMatchObject({ engine: 'vllm', method: 'prompt_logprobs', accepted: true });
      const text = (await cli('teacher', 'check-endpoint', vllm.url)).stdout;
      expect(text).toMatch(/accepted \(vllm 0\.8\.5\)/);
      expect(text).toMatch(/self-check: passed on 2 fixed prompts/);
      const refused = await cli('teacher', 'check-endpoint', ollama.url).then(
        () => null,
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(refused?.code).not.toBe(0);
      expect(refused?.stdout).toMatch(/REFUSED \(ollama 0\.6\.2\)/);
      expect(refused?.stderr).toMatch(/Ollama does not return log-probabilities/);
    } finally {
      dir.cleanup();
    }
  }, 120_000);
});
