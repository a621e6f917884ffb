/**
 * Teacher throughput on a generated qwen2 model with >= 100M parameters, over sentences of ../shared/datasets/unfair_tos.
 *   (a) Distillery: parallel sequences, shared prefix kept, labels scored by append-and-erase (the TeacherClient).
 *   (b) the naive way in the same run, on equal terms: the same examples (at least 16), the same warm-up, the same
 *       prompt (plan.before + text + plan.after) through the model's chat template with an explicit empty system
 *       prompt, one LlamaChatSession prompt per example, one sequence, no prefix reuse; its answer is parsed to a
 *       label and the share that parsed is reported.
 *   (c) the hardware's limit: the tokens Distillery evaluates, in one controlledEvaluate call.
 *   (d) the floor of any exact per-document scorer: each document's own prompt tokens (text and the template's
 *       closing) evaluated once after the kept prefix, in one pass, no label tokens at all; naive / floor is the
 *       best ratio to the naive path this model, prompt and machine allow.
 * The teacher process runs at the bench's own priority (the app runs it 10 nice levels lower, so that labelling
 * does not slow the app; on a loaded machine that alone would cost it wall time the naive path does not pay), and
 * both paths' CPU seconds are reported beside their wall time (CPU time does not depend on the machine's load).
 * Distillery's time per document is profiled by phase (from the host's own timings).
 * Plus each optimisation switched off in turn (before/after), and Distillery's rate at 1, 2 and 4 sequences (on this
 * CPU batching gains little; on a GPU it is most of the speed). The last stdout line is one JSON object.
 *
 * Options: --examples N (default 32; the issue's full configuration is --examples 200, about 15 minutes on a busy
 *          2-core machine), --naive N (examples for (b), default: all of them, at least 16), --ablation N (4),
 *          --threads N (1), --sequences N (default: what Distillery picks for this machine). Rates are per example.
 */
import { readFileSync } from 'node:fs';
import { getPriority, loadavg, setPriority } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getLlama, LlamaChatSession, LlamaLogLevel, type Token } from 'node-llama-cpp';
import type { ScoreItem, ScoreResult, ScoreStrategy } from '../src/main/features/teacher/protocol';
import { recommendedSequences } from '../src/main/features/teacher/service';
import { TeacherClient } from '../src/main/features/teacher/teacher.client';
import { BENCH_TEACHER_PLAN, benchTeacherModel } from './lib/teacher-model';

const { values } = parseArgs({
  options: {
    examples: { type: 'string', default: '32' },
    naive: { type: 'string' },
    ablation: { type: 'string', default: '4' },
    threads: { type: 'string', default: '1' },
    sequences: { type: 'string' },
  },
});
const N = Number(values.examples);
const NAIVE = Math.max(16, values.naive === undefined ? N : Number(values.naive));
const ABLATION = Number(values.ablation);
const THREADS = Number(values.threads);
const SEQUENCES = values.sequences === undefined ? recommendedSequences() : Number(values.sequences);

const ROOT = join(import.meta.dirname, '..');
const { path: modelPath, parameters: params } = benchTeacherModel();

const rows = readFileSync(
  join(ROOT, '..', 'shared', 'datasets', 'unfair_tos', 'claudette50_sentences.tsv'),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .filter((c) => c[4] && c[4].length >= 40 && c[4].length <= 200);
const texts = rows.slice(0, Math.max(N, NAIVE)).map((c) => c[4]);
const items: ScoreItem[] = texts.slice(0, N).map((text, i) => ({ id: i + 1, text }));
/** The per-sequence-count figures need at least that many examples per batch. */
const SEQUENCE_COUNTS = [1, 2, 4];
const LOADED_SEQUENCES = Math.max(SEQUENCES, ...SEQUENCE_COUNTS);

const plan = BENCH_TEACHER_PLAN;

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

async function distillery(
  client: TeacherClient,
  list: ScoreItem[],
  strategy: ScoreStrategy,
): Promise<{ rate: number; tokens: number; seconds: number; results: ScoreResult[] }> {
  const t0 = performance.now();
  const results = await client.request({ op: 'score', plan, items: list, strategy });
  const seconds = (performance.now() - t0) / 1000;
  return {
    rate: list.length / seconds,
    tokens: results.reduce((a, r) => a + r.evaluated, 0),
    seconds,
    results,
  };
}

/** CPU seconds a process has used (Linux /proc; null elsewhere). */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
const ownCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

let priority = 'equal';
/**
 * A teacher process with the model loaded for `sequences` parallel sequences, at the bench's priority (equal terms:
 * TeacherClient lowers it for the app's sake). Raising a priority needs privileges; where refused, the bench lowers
 * itself to the teacher's instead.
 */
async function teacher(sequences: number): Promise<TeacherClient> {
  const c = new TeacherClient();
  try {
    setPriority(c.pid ?? 0, getPriority());
  } catch {
    try {
      setPriority(getPriority(c.pid ?? 0));
    } catch {
      priority = 'teacher lower';
    }
  }
  await c.request({
    op: 'load',
    options: { modelPath, threads: THREADS, sequences, contextSize: 1024, gpu: false },
  });
  return c;
}
// Loaded as the app loads it on this machine (SEQUENCES); the per-sequence-count figures load it again for 4.
let client = await teacher(SEQUENCES);
const main: ScoreStrategy = { parallel: SEQUENCES };
// Warm-up, the same for both paths: the first evaluation pays for allocations.
await client.request({ op: 'score', plan, items: items.slice(0, 1), strategy: main });

// (b) and (c) run in this process with node-llama-cpp directly.
const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: THREADS });
const sequence = context.getSequence();

/** One naive answer: a fresh chat (explicit empty system prompt), the whole prompt, greedy decoding. */
async function naiveAnswer(text: string): Promise<string> {
  await sequence.clearHistory();
  const session = new LlamaChatSession({
    contextSequence: sequence,
    autoDisposeSequence: false,
    systemPrompt: '',
  });
  try {
    return await session.prompt(`${plan.before}${text}${plan.after}`, { maxTokens: 8, temperature: 0 });
  } finally {
    session.dispose({ disposeSequence: false });
  }
}

/** The label a naive answer names (its first word, thinking removed), or null: how a person would read it. */
function parseAnswer(answer: string): string | null {
  const word = answer
    .replace(/<think>[\s\S]*?(<\/think>|$)/g, '')
    .trim()
    .toLowerCase()
    .match(/^[\p{L}_-]+/u)?.[0];
  return plan.labels.find((l) => l.toLowerCase() === word) ?? null;
}
await naiveAnswer(texts[0]);
// The same prompt on both paths: the naive chat's context (as the chat template rendered it) begins with Distillery's
// prompt text up to the assistant's turn; only what follows differs (Distillery closes an empty thought, the chat
// opens one). The bench stops rather than compare different prompts.
const distilleryPrompt = (await client.request({ op: 'prompt', plan, text: texts[0] })).text;
const naivePrompt = model.detokenize(sequence.contextTokens, true);
const userTurn = distilleryPrompt.slice(
  0,
  distilleryPrompt.indexOf('<｜Assistant｜>') + '<｜Assistant｜>'.length,
);
if (!userTurn.includes(texts[0]) || !naivePrompt.startsWith(userTurn)) {
  throw new Error(`The naive prompt is not Distillery's:\n${naivePrompt}\n---\n${distilleryPrompt}`);
}
log(`same prompt text (${userTurn.length} characters up to the assistant's turn) on both paths`);

// (d)'s tokens: the prompt as the teacher process builds it (fixed parts tokenized apart from the text), checked
// against the teacher's own count.
const prefixTokens: Token[] = [
  ...model.tokenize('<｜begin▁of▁sentence｜><｜User｜>', true),
  ...model.tokenize(plan.before, false),
];
const closing = [
  ...model.tokenize(plan.after, false),
  ...model.tokenize('<｜Assistant｜><think>\n\n</think>\n\n', true),
];
const ownTokens = (text: string): Token[] => [...model.tokenize(text, false), ...closing];
const teacherCount = (await client.request({ op: 'prompt', plan, text: texts[0] })).tokens;
if (prefixTokens.length + ownTokens(texts[0]).length !== teacherCount) {
  throw new Error(`The floor's prompt has other tokens than the teacher's (${teacherCount}).`);
}
/** (d) for a list of texts: the prefix evaluated first (not timed), then each text's own tokens, erased after. */
async function floor(list: readonly string[]): Promise<{ seconds: number; cpu: number }> {
  await sequence.clearHistory();
  await sequence.controlledEvaluate(prefixTokens);
  let seconds = 0;
  let cpu = 0;
  for (const text of list) {
    const tokens = ownTokens(text);
    const t = performance.now();
    const c = ownCpuSeconds();
    await sequence.controlledEvaluate([
      ...tokens.slice(0, -1),
      [tokens[tokens.length - 1], { generateNext: { probabilities: true } }],
    ]);
    await sequence.eraseContextTokenRanges([{ start: prefixTokens.length, end: sequence.nextTokenIndex }]);
    cpu += ownCpuSeconds() - c;
    seconds += (performance.now() - t) / 1000;
  }
  return { seconds, cpu };
}

log(
  `model ${(params / 1e6).toFixed(1)}M parameters, ${N} examples, ${THREADS} thread(s), ${SEQUENCES} sequences, ` +
    `teacher priority ${priority}`,
);
// (a) and (b) alternate in rounds, so that a change in the machine's load hits both alike (the machine is shared);
// each round gives Distillery a quarter of its examples in one request, as a teacher run does.
const naiveItems = texts.slice(0, NAIVE);
const rounds = 4;
let aSeconds = 0;
let aTokens = 0;
let aCpu: number | null = 0;
const aResults: ScoreResult[] = [];
let bSeconds = 0;
let bCpu = 0;
let parsed = 0;
let dSeconds = 0;
let dCpu = 0;
for (let r = 0; r < rounds; r++) {
  const chunk = items.slice(Math.floor((r * N) / rounds), Math.floor(((r + 1) * N) / rounds));
  if (chunk.length) {
    const c = processCpuSeconds(client.pid);
    const a = await distillery(client, chunk, main);
    const c2 = processCpuSeconds(client.pid);
    aCpu = aCpu === null || c === null || c2 === null ? null : aCpu + c2 - c;
    aSeconds += a.seconds;
    aTokens += a.tokens;
    aResults.push(...a.results);
    const d = await floor(chunk.map((i) => i.text));
    dSeconds += d.seconds;
    dCpu += d.cpu;
  }
  const naiveChunk = naiveItems.slice(
    Math.floor((r * NAIVE) / rounds),
    Math.floor(((r + 1) * NAIVE) / rounds),
  );
  for (const text of naiveChunk) {
    const tn = performance.now();
    const c = ownCpuSeconds();
    const label = parseAnswer(await naiveAnswer(text));
    bCpu += ownCpuSeconds() - c;
    bSeconds += (performance.now() - tn) / 1000;
    if (label !== null) parsed++;
  }
}
const full = { rate: N / aSeconds, seconds: aSeconds, tokens: aTokens };
const naiveRate = naiveItems.length / bSeconds;
log(`(a) Distillery: ${full.rate.toFixed(2)} examples/s (${full.seconds.toFixed(1)} s)`);
log(
  `(b) naive chat session: ${naiveRate.toFixed(2)} examples/s (${parsed}/${naiveItems.length} answers parseable)`,
);
const floorRate = N / dSeconds;
log(`(d) floor (each document's own prompt tokens, one pass): ${floorRate.toFixed(2)} examples/s`);
// Where Distillery's time per document goes: the host's phases, and what is left of the wall time (the process
// round trip, the client's parse; with several sequences the host's documents overlap and this goes negative).
const perDoc = (f: (r: ScoreResult) => number): number =>
  Number((aResults.reduce((a, r) => a + f(r), 0) / aResults.length).toFixed(1));
const profile = {
  wallMs: Number(((aSeconds * 1000) / N).toFixed(1)),
  hostMs: perDoc((r) => r.timeMs),
  prepareMs: perDoc((r) => r.phases?.prepareMs ?? 0),
  alignMs: perDoc((r) => r.phases?.alignMs ?? 0),
  promptPassMs: perDoc((r) => r.phases?.promptMs ?? 0),
  labelPassesMs: perDoc((r) => r.phases?.answersMs ?? 0),
  roundTripAndClientMs: Number(((aSeconds * 1000) / N - perDoc((r) => r.timeMs)).toFixed(1)),
  passesPerDocument: perDoc((r) => r.phases?.passes ?? 0),
  tokensPerDocument: perDoc((r) => r.evaluated),
  floorWallMs: Number(((dSeconds * 1000) / N).toFixed(1)),
};
const cpu = {
  distillerySecondsPerExample: aCpu === null ? null : Number((aCpu / N).toFixed(3)),
  naiveSecondsPerExample: Number((bCpu / naiveItems.length).toFixed(3)),
  floorSecondsPerExample: Number((dCpu / N).toFixed(3)),
  ratioDistilleryToNaive: aCpu === null ? null : Number((bCpu / naiveItems.length / (aCpu / N)).toFixed(2)),
  ratioFloorToNaive: Number((bCpu / naiveItems.length / (dCpu / N)).toFixed(2)),
};
log(`profile per document: ${JSON.stringify(profile)}`);
log(`CPU seconds: ${JSON.stringify(cpu)}`);

// Each optimisation switched off in turn, on a subset (rates are per example, so the subset size does not matter).
const subset = items.slice(0, Math.min(ABLATION, items.length));
const base = await distillery(client, subset, main);
const noBatch = await distillery(client, subset, { parallel: 1 });
const noPrefix = await distillery(client, subset, { ...main, reusePrefix: false });
const noAppendErase = await distillery(client, subset, { ...main, appendErase: false });
const noTrie = await distillery(client, subset, { ...main, labelTrie: false });
log(
  `ablation on ${subset.length}: all ${base.rate.toFixed(2)}/s, no batching ${noBatch.rate.toFixed(2)}/s, ` +
    `no prefix reuse ${noPrefix.rate.toFixed(2)}/s, no append-erase ${noAppendErase.rate.toFixed(2)}/s, ` +
    `no label trie ${noTrie.rate.toFixed(2)}/s`,
);
// Per sequence count, on the same 8 examples (each count gets whole batches). Each count is warmed first with one
// example per sequence, so that every sequence holds the shared prefix as it does in a long run: otherwise the
// prefix, evaluated once per sequence, would be charged to 8 examples and hide what batching gains.
const perSequences: Record<string, { examplesPerSecond: number; tokensPerSecond: number }> = {};
if (LOADED_SEQUENCES > SEQUENCES) {
  await client.dispose();
  client = await teacher(LOADED_SEQUENCES);
  await distillery(client, items.slice(0, 1), main);
}
for (const n of SEQUENCE_COUNTS) {
  await distillery(client, items.slice(8, 8 + n), { parallel: n });
  const r = await distillery(client, items.slice(0, 8), { parallel: n });
  perSequences[String(n)] = {
    examplesPerSecond: Number(r.rate.toFixed(3)),
    tokensPerSecond: Number((r.tokens / r.seconds).toFixed(1)),
  };
}
log(`per sequence count: ${JSON.stringify(perSequences)}`);
await client.dispose();

// (c): Distillery's tokens (its prefix once, then every example) as one sequence, in one call.
const head = model.tokenize('<｜begin▁of▁sentence｜><｜User｜>', true);
const tokens: Token[] = [...head, ...model.tokenize(plan.before, false)];
for (const text of texts) {
  if (tokens.length >= 1024) break;
  tokens.push(...model.tokenize(text, false));
}
const raw = tokens.slice(0, Math.min(1024, full.tokens));
await sequence.clearHistory();
const tc = performance.now();
await sequence.controlledEvaluate(raw);
const rawTokensPerSecond = raw.length / ((performance.now() - tc) / 1000);
const distilleryTokensPerSecond = full.tokens / full.seconds;
log(
  `(c) raw controlledEvaluate: ${rawTokensPerSecond.toFixed(1)} tokens/s; Distillery evaluated ${distilleryTokensPerSecond.toFixed(1)} tokens/s`,
);
await context.dispose();
await model.dispose();

console.log(
  JSON.stringify({
    bench: 'teacher',
    modelParameters: params,
    examples: N,
    threads: THREADS,
    sequences: SEQUENCES,
    teacherPriority: priority,
    distilleryExamplesPerSecond: Number(full.rate.toFixed(3)),
    naiveExamplesPerSecond: Number(naiveRate.toFixed(3)),
    naiveExamples: naiveItems.length,
    naiveParsed: `${parsed}/${naiveItems.length}`,
    naiveParsedShare: Number((parsed / naiveItems.length).toFixed(3)),
    samePromptText: true,
    ratioDistilleryToNaive: Number((full.rate / naiveRate).toFixed(2)),
    floorExamplesPerSecond: Number(floorRate.toFixed(3)),
    ratioFloorToNaive: Number((floorRate / naiveRate).toFixed(2)),
    profilePerDocument: profile,
    cpu,
    distilleryTokensPerSecond: Number(distilleryTokensPerSecond.toFixed(1)),
    rawTokensPerSecond: Number(rawTokensPerSecond.toFixed(1)),
    ratioTokensToRaw: Number((distilleryTokensPerSecond / rawTokensPerSecond).toFixed(3)),
    ablationExamplesPerSecond: {
      all: Number(base.rate.toFixed(3)),
      withoutBatching: Number(noBatch.rate.toFixed(3)),
      withoutPrefixReuse: Number(noPrefix.rate.toFixed(3)),
      withoutAppendErase: Number(noAppendErase.rate.toFixed(3)),
      withoutLabelTrie: Number(noTrie.rate.toFixed(3)),
    },
    perSequenceCount: perSequences,
    targets: { ratioDistilleryToNaive: 5, ratioTokensToRaw: 0.8 },
    met: {
      ratioDistilleryToNaive: full.rate / naiveRate >= 5,
      ratioTokensToRaw: distilleryTokensPerSecond / rawTokensPerSecond >= 0.8,
    },
    load: loadavg().map((l) => Number(l.toFixed(2))),
  }),
);
