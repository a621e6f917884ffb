/**
 * Remote teacher throughput, all in one run on the same model file:
 *   (a) the local teacher (its own process, one sequence, --threads threads);
 *   (b) one test vLLM endpoint, (c) two test vLLM endpoints, (d) one test llama.cpp endpoint (native n_probs),
 *       each endpoint a server on 127.0.0.1 serving the model through node-llama-cpp in this process
 *       (tests/teacher/engineServer.ts, one context of one sequence and --threads threads each), reached over HTTP
 *       by Distillery's remote scorer exactly as a site's GPU servers would be.
 * Also the largest difference between the remote and local probabilities (must stay below 1e-5).
 * Two endpoints use twice the threads of one: on this 2-core machine that is the point of a second server.
 *
 * Options: --examples N (default 24), --threads N (1), --model tiny|bench (tiny: the test model; bench: the 100M
 *          model of bench/teacher.ts, much slower). The last stdout line is one JSON object.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getLlama, LlamaLogLevel, type LlamaContext } from 'node-llama-cpp';
import type { ScoreItem, ScoreResult } from '../src/main/features/teacher/protocol';
import { forgetEndpoints, remoteScorer } from '../src/main/features/teacher/remote';
import { normalise } from '../src/main/features/teacher/scoring';
import { TeacherClient } from '../src/main/features/teacher/teacher.client';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { startEngine, type EngineKind, type EngineServer } from '../tests/teacher/engineServer';
import { BENCH_TEACHER_PLAN, benchTeacherModel } from './lib/teacher-model';

const { values } = parseArgs({
  options: {
    examples: { type: 'string', default: '24' },
    threads: { type: 'string', default: '1' },
    model: { type: 'string', default: 'tiny' },
  },
});
const N = Number(values.examples);
const THREADS = Number(values.threads);
const CONTEXT = 1024;
const modelPath = values.model === 'bench' ? benchTeacherModel().path : tinyModelPath();
const plan = BENCH_TEACHER_PLAN;

const texts = readFileSync(
  join(import.meta.dirname, '..', '..', 'shared', 'datasets', 'unfair_tos', 'claudette50_sentences.tsv'),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t')[4])
  .filter((t) => t && t.length >= 40 && t.length <= 200)
  .slice(0, N);
const items: ScoreItem[] = texts.map((text, i) => ({ id: i + 1, text }));

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

interface Measured {
  readonly documentsPerSecond: number;
  readonly tokensPerSecond: number;
  readonly seconds: number;
  readonly results: ScoreResult[];
}

async function measure(score: (list: ScoreItem[]) => Promise<ScoreResult[]>): Promise<Measured> {
  await score(items.slice(0, 1)); // warm-up (allocations, prompt frame)
  const t0 = performance.now();
  const results = await score(items);
  const seconds = (performance.now() - t0) / 1000;
  const tokens = results.reduce((a, r) => a + r.evaluated, 0);
  return { documentsPerSecond: items.length / seconds, tokensPerSecond: tokens / seconds, seconds, results };
}

const probs = (r: ScoreResult): number[] => normalise(r.logLikelihoods ?? [Number.NaN]).probs;
function maxDiff(a: ScoreResult[], b: ScoreResult[]): number {
  let worst = 0;
  a.forEach((r, i) => probs(r).forEach((p, k) => (worst = Math.max(worst, Math.abs(p - probs(b[i])[k])))));
  return worst;
}

// (a) the local teacher
const client = new TeacherClient();
await client.request({
  op: 'load',
  options: { modelPath, threads: THREADS, sequences: 1, contextSize: CONTEXT, gpu: false },
});
log(`local teacher: ${N} examples…`);
const local = await measure((list) => client.request({ op: 'score', plan, items: list, strategy: {} }));
await client.dispose();

// (b)-(d) test endpoints in this process
const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const contexts: LlamaContext[] = [];
const servers: EngineServer[] = [];
async function endpoint(kind: EngineKind): Promise<EngineServer> {
  const context = await model.createContext({ contextSize: CONTEXT, sequences: 1, threads: THREADS });
  contexts.push(context);
  const s = await startEngine({
    kind,
    model,
    sequence: context.getSequence(),
    contextSize: CONTEXT,
    slots: 1,
  });
  servers.push(s);
  return s;
}
async function remote(list: EngineServer[]): Promise<Measured> {
  forgetEndpoints();
  // One request in flight per endpoint: each test endpoint serves one request at a time.
  const scorer = await remoteScorer(list.map((s) => ({ url: s.url, model: '', concurrency: 1 })));
  return measure((l) => scorer.score(plan, l));
}
const [v1, v2, l1] = [await endpoint('vllm'), await endpoint('vllm'), await endpoint('llamacpp')];
log('one vLLM endpoint…');
const one = await remote([v1]);
log('two vLLM endpoints…');
const two = await remote([v1, v2]);
log('one llama.cpp endpoint…');
const lcpp = await remote([l1]);
for (const s of servers) await s.close();
for (const c of contexts) await c.dispose();
await model.dispose();

const row = (m: Measured): object => ({
  documentsPerSecond: Number(m.documentsPerSecond.toFixed(3)),
  tokensPerSecond: Math.round(m.tokensPerSecond),
  seconds: Number(m.seconds.toFixed(2)),
});
console.log(
  JSON.stringify({
    bench: 'teacher-remote',
    model: values.model,
    examples: N,
    threadsPerEngine: THREADS,
    local: row(local),
    vllmOneEndpoint: row(one),
    vllmTwoEndpoints: row(two),
    llamacppOneEndpoint: row(lcpp),
    twoOverOne: Number((two.documentsPerSecond / one.documentsPerSecond).toFixed(2)),
    maxAbsProbDiffVsLocal: Math.max(
      maxDiff(one.results, local.results),
      maxDiff(two.results, local.results),
      maxDiff(lcpp.results, local.results),
    ),
  }),
);
