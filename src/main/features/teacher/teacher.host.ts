import os from 'node:os';
import {
  GgufInsights,
  LlamaLogLevel,
  getLlama,
  readGgufFileInfo,
  resolveChatWrapper,
  GeneralChatWrapper,
  type ControlledEvaluateInputItem,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { nativeModuleProblem } from '../../core/nativeModules';
import type {
  FromHost,
  HostEstimate,
  HostHardware,
  HostResponses,
  LoadOptions,
  LoadedInfo,
  PromptPlan,
  ScoreItem,
  ScoreResult,
  ScoreStrategy,
  ToHost,
} from './protocol';
import { ToHostEnvelope } from './protocol';

/**
 * The teacher's own process: loads one GGUF model with node-llama-cpp and scores prompts. A llama.cpp abort ends this
 * process only; llama.cpp's log is forwarded so that the parent can tell a person why.
 */

class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(msg: FromHost): void {
  process.send?.(msg);
}

/** llama.cpp's recent warnings and errors: the reason a load failed. */
const recentLog: string[] = [];

let llama: Llama | null = null;
let model: LlamaModel | null = null;
let context: LlamaContext | null = null;
let loaded: LoadedInfo | null = null;
const freeSequences: LlamaContextSequence[] = [];
const waiting: Array<(s: LlamaContextSequence) => void> = [];

async function ensureLlama(gpu: boolean): Promise<Llama> {
  // One llama.cpp binding per process; a CPU-only load on a GPU build simply offloads no layers.
  if (llama) return llama;
  const logger = (level: LlamaLogLevel, message: string): void => {
    const text = message.trim();
    if (!text) return;
    if (level === LlamaLogLevel.error || level === LlamaLogLevel.warn || level === LlamaLogLevel.fatal) {
      send({ type: 'log', level: String(level), message: text });
      recentLog.push(text);
      if (recentLog.length > 10) recentLog.shift();
    }
  };
  // A binding built for another platform or runtime is an installation problem, not a bad model: say so.
  const explained = (e: unknown): unknown => {
    const problem = nativeModuleProblem(e, 'node-llama-cpp');
    return problem ? new HostError(problem.code, problem.message) : e;
  };
  try {
    llama = await getLlama({
      build: 'never',
      gpu: gpu ? 'auto' : false,
      logLevel: LlamaLogLevel.warn,
      logger,
    });
  } catch (e) {
    if (!gpu) throw explained(e);
    try {
      llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.warn, logger });
    } catch (cpuError) {
      throw explained(cpuError);
    }
  }
  return llama;
}

async function hardware(): Promise<HostHardware> {
  const l = await ensureLlama(true);
  const vram = l.gpu ? await l.getVramState() : { total: 0, free: 0 };
  return {
    gpu: l.gpu === false ? 'cpu' : l.gpu,
    gpuNames: l.gpu ? await l.getGpuDeviceNames() : [],
    vramTotalBytes: vram.total,
    vramFreeBytes: vram.free,
    cpuCores: l.cpuMathCores || os.availableParallelism(),
  };
}

async function estimate(modelPath: string, contextSize: number, gpu: boolean): Promise<HostEstimate> {
  const l = await ensureLlama(gpu);
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(modelPath);
  } catch (e) {
    throw new HostError(
      'BAD_FILE',
      `The model file cannot be read: ${(e as Error).message}. Choose another model.`,
    );
  }
  const insights = await GgufInsights.from(info, l);
  // A model reads at most the context it was trained with (load() caps it the same way): asking the resolver for more
  // scores the configuration as incompatible although the model fits easily.
  const target = Math.min(contextSize, insights.trainContextSize ?? contextSize);
  const resolved = await insights.configurationResolver.resolveAndScoreConfig({
    targetContextSize: target,
    ...(l.gpu ? {} : { targetGpuLayers: 0 }),
  });
  const v = resolved.resolvedValues;
  const ramBytes = v.totalRamUsage;
  return {
    gpuLayers: v.gpuLayers,
    totalLayers: insights.totalLayers,
    ramBytes,
    vramBytes: v.totalVramUsage,
    contextSize: Math.min(v.contextSize, target),
    fits: fitsInMemory(ramBytes, os.freemem(), os.totalmem()),
  };
}

/**
 * Whether a model that needs `ramBytes` of memory can be loaded: always when it needs less than what is free now,
 * otherwise when it needs less than 90% of all memory (the rest is the system's and the app's).
 */
function fitsInMemory(ramBytes: number, freeBytes: number, totalBytes: number): boolean {
  return ramBytes <= freeBytes || ramBytes < totalBytes * 0.9;
}

async function load(opts: LoadOptions): Promise<LoadedInfo> {
  if (model) throw new HostError('MODEL_ERROR', 'A model is already loaded in this teacher process.');
  const l = await ensureLlama(opts.gpu);
  const est = await estimate(opts.modelPath, opts.contextSize, opts.gpu);
  if (!est.fits) {
    throw new HostError(
      'TOO_LARGE',
      `This model needs about ${(est.ramBytes / 2 ** 30).toFixed(1)} GB of memory but this computer has ` +
        `${(os.totalmem() / 2 ** 30).toFixed(1)} GB. Choose a smaller model (or a smaller quantisation such as Q4_K_M).`,
    );
  }
  recentLog.length = 0;
  try {
    model = await l.loadModel({ modelPath: opts.modelPath, gpuLayers: opts.gpu && l.gpu ? 'auto' : 0 });
  } catch (e) {
    const said = recentLog.slice(-3).join(' | ');
    throw new HostError(
      'MODEL_ERROR',
      `llama.cpp could not load the model: ${(e as Error).message}${said ? ` (llama.cpp said: ${said})` : ''}. ` +
        'The file may be damaged or of an unsupported kind; choose another model.',
    );
  }
  try {
    const contextSize = Math.min(opts.contextSize, model.trainContextSize);
    context = await model.createContext({
      contextSize,
      sequences: opts.sequences,
      threads: opts.threads,
      batchSize: Math.min(512, contextSize * opts.sequences),
    });
    for (let i = 0; i < opts.sequences; i++) freeSequences.push(context.getSequence());
    await probe();
  } catch (e) {
    // Leave the process able to load another model.
    freeSequences.length = 0;
    await context?.dispose();
    await model.dispose();
    context = null;
    model = null;
    throw e;
  }
  loaded = {
    trainContextSize: model.trainContextSize,
    contextSize: context?.contextSize ?? 0,
    gpuLayers: model.gpuLayers,
    sequences: opts.sequences,
  };
  return loaded;
}

/** Weights with NaN load fine and give NaN everywhere: find out at once rather than in every example. */
async function probe(): Promise<void> {
  const m = requireModel();
  const seq = await acquire();
  try {
    const toks = m.tokenize('Hello');
    const dist = await evalLast(seq, toks, [toks[0]]);
    if (!Number.isFinite(dist.total) || dist.total <= 0) {
      throw new HostError(
        'MODEL_ERROR',
        'The model produces invalid numbers (NaN or infinity): its weights are damaged. Download it again or choose another model.',
      );
    }
    await seq.clearHistory();
  } finally {
    release(seq);
  }
}

function requireModel(): LlamaModel {
  if (!model || !context) throw new HostError('MODEL_ERROR', 'No model is loaded in the teacher process.');
  return model;
}

function acquire(): Promise<LlamaContextSequence> {
  const s = freeSequences.pop();
  if (s) return Promise.resolve(s);
  return new Promise((resolve) => waiting.push(resolve));
}

function release(s: LlamaContextSequence): void {
  const next = waiting.shift();
  if (next) next(s);
  else freeSequences.push(s);
}

interface Dist {
  /** Next-token probabilities over the whole vocabulary. */
  readonly probs: ReadonlyMap<Token, number>;
  /** Their sum (1 up to float32 rounding; NaN when the model's output has a NaN anywhere). */
  readonly total: number;
}

function logProb(d: Dist, token: Token): number {
  const p = d.probs.get(token);
  if (p === undefined) return Number.NaN;
  return Math.log(p) - Math.log(d.total);
}

type EvalOptions = Extract<ControlledEvaluateInputItem, readonly unknown[]>[1];

// node-llama-cpp 3.21.1 (the newest release whose lock installs from the registry here) has no filtered-logits
// request: `probabilities` is the softmax of the raw logits over the whole vocabulary (greedy sampling leaves the
// logits untouched), computed by the addon. Its sum is kept so that a NaN anywhere (damaged weights) shows.
function logitsRequest(_filter: readonly Token[]): EvalOptions {
  return { generateNext: { probabilities: true } };
}

function toDist(next: { probabilities?: Map<Token, number> } | undefined): Dist {
  const probs = next?.probabilities ?? new Map<Token, number>();
  let total = next?.probabilities ? 0 : Number.NaN;
  for (const p of probs.values()) total += p;
  return { probs, total };
}

/** Evaluates `tokens` and returns the next-token distribution (restricted to `filter` plus the maximum). */
async function evalLast(
  seq: LlamaContextSequence,
  tokens: readonly Token[],
  filter: readonly Token[],
): Promise<Dist> {
  const input: ControlledEvaluateInputItem[] = tokens.map((t, i) =>
    i === tokens.length - 1 ? [t, logitsRequest(filter)] : t,
  );
  const out = await seq.controlledEvaluate(input);
  return toDist(out[tokens.length - 1]?.next);
}

interface PlanTokens {
  readonly deepseek: boolean;
  readonly head: Token[];
  readonly before: Token[];
  readonly after: Token[];
  readonly suffix: Token[];
  readonly labels: Token[][];
  readonly endThink: Token | null;
  readonly closeThink: Token[];
  readonly maxLabel: number;
  /** Multi-label plans: the token sequences of each spelling of yes and of no (empty otherwise). */
  readonly yes: Token[][];
  readonly no: Token[][];
}

const planCache = new Map<string, PlanTokens>();

function isDeepSeek(m: LlamaModel): boolean {
  const template = m.fileInfo.metadata.tokenizer?.chat_template;
  return typeof template === 'string' && template.includes('<｜Assistant｜>');
}

function planTokens(plan: PromptPlan): PlanTokens {
  const key = JSON.stringify(plan);
  const cached = planCache.get(key);
  if (cached) return cached;
  const m = requireModel();
  const deepseek = isDeepSeek(m);
  const special = (s: string): Token[] => m.tokenize(s, true);
  const plain = (s: string): Token[] => (s ? m.tokenize(s, false) : []);
  const eos = m.tokens.eos;
  // When one answer's tokens begin another's, the end-of-answer token tells them apart.
  const separated = (answers: Token[][]): Token[][] => {
    const prefixClash = answers.some((a, i) =>
      answers.some((b, j) => i !== j && a.length <= b.length && a.every((t, k) => b[k] === t)),
    );
    return prefixClash && eos !== null ? answers.map((l) => [...l, eos]) : answers;
  };
  let labels = separated(plan.labels.map((l) => plain(l)));
  let yes: Token[][] = [];
  let no: Token[][] = [];
  if (plan.multi) {
    const answers = separated([...plan.multi.yes, ...plan.multi.no].map((a) => plain(a)));
    yes = answers.slice(0, plan.multi.yes.length);
    no = answers.slice(plan.multi.yes.length);
    labels = answers;
  }
  const endThinkTokens = special('</think>');
  const result: PlanTokens = deepseek
    ? {
        deepseek,
        head: special('<｜begin▁of▁sentence｜><｜User｜>'),
        before: plain(plan.before),
        after: plain(plan.after),
        suffix: special(
          plan.mode === 'direct' ? '<｜Assistant｜><think>\n\n</think>\n\n' : '<｜Assistant｜><think>\n',
        ),
        labels,
        endThink: endThinkTokens.length === 1 ? endThinkTokens[0] : null,
        closeThink: special('\n</think>\n\n'),
        maxLabel: Math.max(...labels.map((l) => l.length)),
        yes,
        no,
      }
    : {
        deepseek,
        head: [],
        before: [],
        after: [],
        suffix: [],
        labels,
        endThink: null,
        closeThink: [],
        maxLabel: Math.max(...labels.map((l) => l.length)),
        yes,
        no,
      };
  planCache.set(key, result);
  return result;
}

/**
 * The prompt's tokens for a text, one sequence per question (multi-label plans ask one per label; single-label
 * plans pass ['']): each is the user turn `before + text + after + question` in the model's chat template. A text
 * too long for the context is cut once, for the longest question, so that every question sees the same text.
 */
function promptTokenSets(
  plan: PromptPlan,
  p: PlanTokens,
  text: string,
  questions: readonly string[],
): { sets: Token[][]; truncated: boolean } {
  const m = requireModel();
  const ctxSize = context?.contextSize ?? 2048;
  const reserve =
    p.maxLabel + 8 + (plan.mode === 'reasoning' ? plan.reasoningBudget + p.closeThink.length : 0);
  if (p.deepseek) {
    const asked = questions.map((q) => (q ? m.tokenize(q, false) : []));
    const fixed =
      p.head.length +
      p.before.length +
      p.after.length +
      p.suffix.length +
      Math.max(...asked.map((q) => q.length));
    const room = ctxSize - reserve - fixed;
    if (room < 8) {
      throw new HostError(
        'INVALID_INPUT',
        'The prompt template is too long for the context size: shorten it or raise the context size.',
      );
    }
    let textTokens = m.tokenize(text, false);
    const truncated = textTokens.length > room;
    if (truncated) textTokens = textTokens.slice(0, room);
    return {
      sets: asked.map((q) => [...p.head, ...p.before, ...textTokens, ...p.after, ...q, ...p.suffix]),
      truncated,
    };
  }
  const wrapper = resolveChatWrapper(m) ?? new GeneralChatWrapper();
  const build = (t: string): Token[][] =>
    questions.map((q) =>
      wrapper
        .generateContextState({
          chatHistory: [
            { type: 'user', text: plan.before + t + plan.after + q },
            { type: 'model', response: [] },
          ],
        })
        .contextText.tokenize(m.tokenizer),
    );
  const longest = (sets: Token[][]): number => Math.max(...sets.map((x) => x.length));
  let sets = build(text);
  let truncated = false;
  let cut = text.length;
  while (longest(sets) > ctxSize - reserve && cut > 0) {
    cut = Math.floor(cut * 0.8);
    sets = build(text.slice(0, cut));
    truncated = true;
  }
  return { sets, truncated };
}

function promptTokens(
  plan: PromptPlan,
  p: PlanTokens,
  text: string,
): { tokens: Token[]; truncated: boolean } {
  const { sets, truncated } = promptTokenSets(plan, p, text, ['']);
  return { tokens: sets[0], truncated };
}

/** Brings the sequence to `tokens` minus what it already holds; returns the index of the first token to evaluate. */
async function alignPrefix(
  seq: LlamaContextSequence,
  tokens: readonly Token[],
  reuse: boolean,
): Promise<number> {
  if (!reuse) {
    await seq.clearHistory();
    return 0;
  }
  const held = seq.contextTokens;
  let d = 0;
  while (d < held.length && d < tokens.length && held[d] === tokens[d]) d++;
  d = Math.min(d, tokens.length - 1);
  if (d < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: d, end: seq.nextTokenIndex }]);
  return d;
}

async function generateThoughts(
  seq: LlamaContextSequence,
  first: Token | null,
  p: PlanTokens,
  budget: number,
): Promise<{ tokens: Token[]; closed: boolean; unevaluated: Token | null }> {
  const m = requireModel();
  const generated: Token[] = [];
  let tok = first;
  while (tok !== null) {
    if (tok === p.endThink) return { tokens: generated, closed: true, unevaluated: null };
    if (tok === m.tokens.eos) break;
    generated.push(tok);
    if (generated.length >= budget) return { tokens: generated, closed: false, unevaluated: tok };
    const out = await seq.controlledEvaluate([
      [tok, { generateNext: { token: true, options: { temperature: 0 } } }],
    ]);
    tok = out[0]?.next.token ?? null;
  }
  return { tokens: generated, closed: false, unevaluated: null };
}

async function scoreOne(
  seq: LlamaContextSequence,
  plan: PromptPlan,
  p: PlanTokens,
  item: ScoreItem,
  strategy: ScoreStrategy,
): Promise<ScoreResult> {
  const m = requireModel();
  const started = performance.now();
  const { tokens: prompt, truncated } = promptTokens(plan, p, item.text);
  const firsts = p.labels.map((l) => l[0]);
  const reuse = strategy.reusePrefix !== false;
  let base: Token[] = prompt;
  let reasoning: string | null = null;
  let dist: Dist = { probs: new Map(), total: Number.NaN };
  const start = await alignPrefix(seq, prompt, reuse);
  let evaluated = prompt.length - start;
  if (plan.mode === 'reasoning') {
    const input: ControlledEvaluateInputItem[] = prompt
      .slice(start)
      .map((t, i, arr) =>
        i === arr.length - 1 ? [t, { generateNext: { token: true, options: { temperature: 0 } } }] : t,
      );
    const out = await seq.controlledEvaluate(input);
    const first = out[input.length - 1]?.next.token ?? null;
    const thoughts = await generateThoughts(seq, first, p, plan.reasoningBudget);
    reasoning = m.detokenize(thoughts.tokens).trim();
    const close =
      thoughts.closed && p.endThink !== null ? [p.endThink, ...m.tokenize('\n\n', false)] : p.closeThink;
    // A thought token cut by the budget was sampled but not yet evaluated: it goes in with the closing tokens.
    const pending = thoughts.unevaluated !== null ? [thoughts.unevaluated, ...close] : close;
    dist = await evalLast(seq, pending, firsts);
    evaluated += thoughts.tokens.length + close.length;
    base = [...prompt, ...thoughts.tokens, ...close];
  }
  const appendErase = strategy.appendErase !== false;
  // The first multi-token label rides along with the prompt's evaluation: one forward pass fewer per example.
  const riderIndex = plan.mode === 'direct' && appendErase ? p.labels.findIndex((l) => l.length > 1) : -1;
  let rider: number | null = null;
  if (plan.mode === 'direct') {
    const head = prompt.slice(start);
    if (riderIndex < 0) dist = await evalLast(seq, head, firsts);
    else {
      const label = p.labels[riderIndex];
      const body = label.slice(0, -1);
      const at = seq.nextTokenIndex + head.length;
      const out = await seq.controlledEvaluate([
        ...head.slice(0, -1),
        [head[head.length - 1], logitsRequest(firsts)],
        ...body.map((t, i): ControlledEvaluateInputItem => [t, logitsRequest([label[i + 1]])]),
      ]);
      evaluated += body.length;
      dist = toDist(out[head.length - 1]?.next);
      rider = logProb(dist, label[0]);
      for (let i = 0; i < body.length; i++)
        rider += logProb(toDist(out[head.length + i]?.next), label[i + 1]);
      await seq.eraseContextTokenRanges([{ start: at, end: seq.nextTokenIndex }]);
    }
  }
  const ll: number[] = [];
  for (const [index, label] of p.labels.entries()) {
    if (index === riderIndex && rider !== null) {
      ll.push(rider);
      continue;
    }
    let total = logProb(dist, label[0]);
    if (label.length > 1) {
      const body = label.slice(0, -1);
      const input: ControlledEvaluateInputItem[] = body.map((t, i) => [t, logitsRequest([label[i + 1]])]);
      if (appendErase) {
        const at = seq.nextTokenIndex;
        const out = await seq.controlledEvaluate(input);
        evaluated += body.length;
        for (let i = 0; i < body.length; i++) total += logProb(toDist(out[i]?.next), label[i + 1]);
        await seq.eraseContextTokenRanges([{ start: at, end: seq.nextTokenIndex }]);
      } else {
        await seq.clearHistory();
        const full: ControlledEvaluateInputItem[] = [
          ...base.slice(0, -1),
          [base[base.length - 1], logitsRequest(firsts)],
          ...input,
        ];
        const out = await seq.controlledEvaluate(full);
        evaluated += full.length;
        const offset = base.length;
        total = logProb(toDist(out[offset - 1]?.next), label[0]);
        for (let i = 0; i < body.length; i++) total += logProb(toDist(out[offset + i]?.next), label[i + 1]);
        await seq.eraseContextTokenRanges([{ start: base.length, end: seq.nextTokenIndex }]);
      }
    }
    ll.push(total);
  }
  const finite = ll.every((x) => Number.isFinite(x));
  return {
    id: item.id,
    logLikelihoods: finite ? ll : null,
    reasoning,
    tokens: base.length,
    evaluated,
    timeMs: performance.now() - started,
    truncated,
    error: finite ? null : 'The model produced invalid numbers (NaN or infinity) for this example.',
  };
}

/** log(sum(exp(xs))), stable. */
function logSumExp(xs: readonly number[]): number {
  const max = Math.max(...xs);
  if (!Number.isFinite(max)) return max;
  return max + Math.log(xs.reduce((a, x) => a + Math.exp(x - max), 0));
}

/** Log-likelihood of each answer after `dist` (the sequence's last evaluated token): appended, then erased. */
async function answerLikelihoods(
  seq: LlamaContextSequence,
  dist: Dist,
  answers: readonly Token[][],
): Promise<{ lls: number[]; evaluated: number }> {
  const lls: number[] = [];
  let evaluated = 0;
  for (const answer of answers) {
    let total = logProb(dist, answer[0]);
    if (answer.length > 1) {
      const body = answer.slice(0, -1);
      const at = seq.nextTokenIndex;
      const out = await seq.controlledEvaluate(body.map((t, i) => [t, logitsRequest([answer[i + 1]])]));
      evaluated += body.length;
      for (let i = 0; i < body.length; i++) total += logProb(toDist(out[i]?.next), answer[i + 1]);
      await seq.eraseContextTokenRanges([{ start: at, end: seq.nextTokenIndex }]);
    }
    lls.push(total);
  }
  return { lls, evaluated };
}

/** Length of the longest common prefix of token sequences. */
function sharedPrefix(sets: readonly Token[][]): number {
  let n = 0;
  const shortest = Math.min(...sets.map((x) => x.length));
  while (n < shortest && sets.every((x) => x[n] === sets[0][n])) n++;
  return n;
}

/**
 * Scores a multi-label plan: for each label, P(yes) against P(no) after that label's question. With prefix reuse
 * (the default) the part of the prompt every question shares (template, text, the question's common words) is
 * evaluated once per document, and each label's remaining tokens are appended and erased back to it. `reusePrefix: false` evaluates every label's prompt from an
 * empty sequence: the reference the fast path must equal.
 */
async function scoreMulti(
  seq: LlamaContextSequence,
  plan: PromptPlan,
  p: PlanTokens,
  item: ScoreItem,
  strategy: ScoreStrategy,
): Promise<ScoreResult> {
  const started = performance.now();
  const questions = plan.multi?.questions ?? [];
  const { sets, truncated } = promptTokenSets(plan, p, item.text, questions);
  const answers = [...p.yes, ...p.no];
  const firsts = answers.map((a) => a[0]);
  const out: Array<{ yes: number; no: number }> = [];
  let evaluated = 0;
  const split = (lls: number[]): { yes: number; no: number } => ({
    yes: logSumExp(lls.slice(0, p.yes.length)),
    no: logSumExp(lls.slice(p.yes.length)),
  });
  if (strategy.reusePrefix !== false) {
    // Every label keeps at least its last prompt token to evaluate: its next-token distribution is the answer's.
    const shared = Math.min(sharedPrefix(sets), Math.min(...sets.map((x) => x.length)) - 1);
    // The shared part is evaluated in one batch from an empty sequence, not continued from the previous document:
    // llama.cpp computes a token slightly differently in a small batch than in a large one (~1e-4 on the tiny
    // model), and this way every label's numbers are exactly those of a fresh sequence fed the same two batches.
    await seq.clearHistory();
    if (shared > 0) {
      await seq.controlledEvaluate(sets[0].slice(0, shared));
      evaluated += shared;
    }
    for (const tokens of sets) {
      const suffix = tokens.slice(shared);
      const dist = await evalLast(seq, suffix, firsts);
      evaluated += suffix.length;
      const a = await answerLikelihoods(seq, dist, answers);
      evaluated += a.evaluated;
      await seq.eraseContextTokenRanges([{ start: shared, end: seq.nextTokenIndex }]);
      out.push(split(a.lls));
    }
  } else {
    // From an empty sequence for every label. llama.cpp's numbers depend slightly on how tokens are grouped into
    // batches, so by default the same two batches as the fast path (shared part, then the label's own tokens);
    // `appendErase: false` evaluates each label's whole prompt in one batch instead.
    const oneBatch = strategy.appendErase === false;
    const shared = Math.min(sharedPrefix(sets), Math.min(...sets.map((x) => x.length)) - 1);
    for (const tokens of sets) {
      await seq.clearHistory();
      if (!oneBatch && shared > 0) await seq.controlledEvaluate(tokens.slice(0, shared));
      const dist = await evalLast(seq, oneBatch ? tokens : tokens.slice(shared), firsts);
      const a = await answerLikelihoods(seq, dist, answers);
      evaluated += tokens.length + a.evaluated;
      out.push(split(a.lls));
    }
    await seq.clearHistory();
  }
  const finite = out.every((x) => Number.isFinite(x.yes) && Number.isFinite(x.no));
  return {
    id: item.id,
    logLikelihoods: null,
    answers: finite ? out : null,
    reasoning: null,
    tokens: Math.max(...sets.map((x) => x.length)),
    evaluated,
    timeMs: performance.now() - started,
    truncated,
    error: finite ? null : 'The model produced invalid numbers (NaN or infinity) for this example.',
  };
}

async function score(
  plan: PromptPlan,
  items: readonly ScoreItem[],
  strategy: ScoreStrategy,
): Promise<ScoreResult[]> {
  requireModel();
  if (plan.multi && plan.mode !== 'direct') {
    throw new HostError(
      'INVALID_INPUT',
      'A multi-label teacher answers each label directly: reasoning mode is for single-label projects.',
    );
  }
  if (plan.multi && plan.multi.questions.length !== plan.labels.length) {
    throw new HostError('INVALID_INPUT', 'A multi-label prompt needs one question per label.');
  }
  const p = planTokens(plan);
  const results = new Array<ScoreResult>(items.length);
  let next = 0;
  const parallel = Math.max(1, Math.min(strategy.parallel ?? loaded?.sequences ?? 1, loaded?.sequences ?? 1));
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const seq = await acquire();
      try {
        results[i] = plan.multi
          ? await scoreMulti(seq, plan, p, items[i], strategy)
          : await scoreOne(seq, plan, p, items[i], strategy);
      } finally {
        release(seq);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

async function renderPrompt(plan: PromptPlan, text: string): Promise<{ text: string; tokens: number }> {
  const m = requireModel();
  const { sets } = promptTokenSets(plan, planTokens(plan), text, [plan.multi?.questions[0] ?? '']);
  return { text: m.detokenize(sets[0], true), tokens: sets[0].length };
}

async function handle(msg: ToHost): Promise<HostResponses[keyof HostResponses]> {
  switch (msg.op) {
    case 'hardware':
      return hardware();
    case 'estimate':
      return estimate(msg.modelPath, msg.contextSize, msg.gpu);
    case 'load':
      return load(msg.options);
    case 'tokenize':
      return requireModel().tokenize(msg.text, false);
    case 'score':
      return score(msg.plan, msg.items, msg.strategy);
    case 'prompt':
      return renderPrompt(msg.plan, msg.text);
  }
}

process.on('message', (message: unknown) => {
  const envelope = ToHostEnvelope.safeParse(message);
  if (!envelope.success) {
    const seq = (message as { seq?: unknown } | null)?.seq;
    if (typeof seq === 'number')
      send({
        type: 'reply',
        seq,
        ok: false,
        error: { code: 'MODEL_ERROR', message: 'The teacher process received a request it does not know.' },
      });
    return;
  }
  const raw = message as ToHost;
  void handle(raw).then(
    (value) => send({ type: 'reply', seq: raw.seq, ok: true, value }),
    (e: unknown) =>
      send({
        type: 'reply',
        seq: raw.seq,
        ok: false,
        error: {
          code: e instanceof HostError ? e.code : 'MODEL_ERROR',
          message: e instanceof Error ? e.message : String(e),
        },
      }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
