import type { MetricInterval } from '../../../shared/evaluation';
import type {
  DiffLine,
  EndpointCheck,
  EndpointRate,
  LabelCalibrationReport,
  LabelTeacherCheck,
  PromptTrialResult,
  PromptVersion,
  TeacherCheck,
  TeacherModel,
  TeacherRun,
  TeacherRunPlan,
} from '../../../shared/teacher';

/** The teacher's results as lines a person reads on the command line (`distillery teacher ...`, `train`). */

export const gb = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;

const yesNo = (v: boolean | null): string => (v === null ? 'not needed' : v ? 'yes' : 'no');

/** What an endpoint check found, as lines a person reads. */
export function endpointCheckLines(c: EndpointCheck): string[] {
  const engine = c.engine ?? 'nothing answered';
  const lines = [
    `${c.url}: ${c.accepted ? 'accepted' : 'REFUSED'} (${engine}${c.engineVersion ? ` ${c.engineVersion}` : ''})`,
  ];
  if (c.models.length) lines.push(`  models: ${c.models.join(', ')} (using ${c.model || '?'})`);
  if (c.engine && c.engine !== 'ollama') {
    lines.push(
      `  /tokenize: ${yesNo(c.capabilities.tokenize)}, prompt_logprobs: ${yesNo(c.capabilities.promptLogprobs)}, ` +
        `echo covers the prompt: ${yesNo(c.capabilities.echoPromptLogprobs)}, native n_probs: ${yesNo(c.capabilities.nativeProbs)}, ` +
        `reasoning mode: ${yesNo(c.capabilities.generate)}`,
    );
  }
  if (c.selfCheck) {
    lines.push(
      `  self-check: ${c.selfCheck.passed ? 'passed' : 'FAILED'} on ${c.selfCheck.prompts} fixed prompts ` +
        `(prompt tokens covered: ${yesNo(c.selfCheck.promptTokensCovered)}, sum off by ${c.selfCheck.maxSumError.toExponential(1)})`,
    );
  }
  if (c.accepted) {
    lines.push(
      `  scoring: ${c.method}, ${c.concurrency} parallel requests` +
        `${c.capacity !== null ? ` (server slots: ${c.capacity})` : ' (server does not report its capacity)'}, ` +
        `chat template: ${c.templateSource === 'user' ? 'yours' : "the server's"}` +
        `${c.contextSize !== null ? `, context ${c.contextSize} tokens` : ''}`,
    );
  }
  if (c.reason) lines.push(`  ${c.reason}`);
  return lines;
}

export function rateLine(r: EndpointRate): string {
  return (
    `${r.url}: ${r.documentsPerSecond.toFixed(2)} documents/s, ${Math.round(r.tokensPerSecond)} tokens/s, ` +
    `${r.documents} documents${r.retries ? `, ${r.retries} retries` : ''}${r.breakerOpen ? ', paused after errors' : ''}`
  );
}

export function modelLine(m: TeacherModel): string {
  const meta = m.metadata;
  return (
    `${String(m.id).padStart(4)}  ${m.name}  ${meta.architecture} ${(meta.parameterCount / 1e6).toFixed(1)}M params ` +
    `${meta.quantization}  ctx ${meta.contextLength ?? '?'}  ${gb(m.sizeBytes)}  sha256 ${m.sha256.slice(0, 16)}…`
  );
}

export function runLine(r: TeacherRun): string {
  const t = r.calibrationTemperature === null ? '' : `  T=${r.calibrationTemperature.toFixed(2)}`;
  const version = r.promptVersion ? `  prompt v${r.promptVersion.number} "${r.promptVersion.name}"` : '';
  return (
    `run ${r.id}: ${r.modelName ?? r.modelSha256.slice(0, 16)} ${r.mode}  ${r.outputCount}/${r.targetCount} labelled` +
    `${r.failedCount ? `, ${r.failedCount} failed` : ''}${t}${version}  (${r.createdAt})`
  );
}

const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
const withInterval = (m: MetricInterval, f: (v: number | null) => string): string =>
  m.low === null || m.high === null ? f(m.value) : `${f(m.value)} (95% interval ${f(m.low)}–${f(m.high)})`;
const num = (v: number | null): string => (v === null ? '–' : v.toFixed(3));

export const VERDICT_TEXT: Readonly<Record<TeacherCheck['verdict'], string>> = {
  useful: 'useful: it agrees well with people',
  weak: 'weak: better than chance, but it often disagrees with people',
  chance: 'no better than chance: training uses human labels only unless you choose otherwise',
  'too-few': 'too few documents to judge',
};

/** The teacher check as lines of text (also used by `distillery train`). */
export function checkLines(c: TeacherCheck): string[] {
  const lines = [`Teacher check of run ${c.runId}: ${VERDICT_TEXT[c.verdict]}`];
  if (c.verdict === 'too-few') {
    lines.push(
      `  ${c.examples} validation document(s) with a label a person chose were labelled by this run; the check needs ${c.minimum}. ` +
        'Label more validation documents in Review (and run the teacher over them).',
    );
    return lines;
  }
  lines.push(
    `  on ${c.examples} validation documents labelled by people`,
    `  accuracy ${withInterval(c.accuracy, pct)}, macro-F1 ${withInterval(c.macroF1, num)}, kappa ${withInterval(c.kappa, num)}`,
    `  always "${c.baselines.majority.label ?? '–'}": accuracy ${pct(c.baselines.majority.accuracy)}, macro-F1 ${num(c.baselines.majority.macroF1)}; ` +
      `at random: accuracy ${pct(c.baselines.uniform.accuracy)}, macro-F1 ${num(c.baselines.uniform.macroF1)}`,
  );
  if (c.neverPredicted.length) lines.push(`  never predicted: ${c.neverPredicted.join(', ')}`);
  for (const x of c.confusions) lines.push(`  "${x.gold}" taken for "${x.predicted}": ${x.count}`);
  return lines;
}

/** A multi-label check as lines of text. */
export function labelCheckLines(c: LabelTeacherCheck): string[] {
  const lines = [`Teacher check of run ${c.runId} (each label on its own): ${VERDICT_TEXT[c.verdict]}`];
  if (c.verdict === 'too-few') {
    lines.push(
      `  ${c.examples} validation document(s) with labels a person chose were labelled by this run; the check needs ${c.minimum}. ` +
        'Label more validation documents in Review (and run the teacher over them).',
    );
    return lines;
  }
  lines.push(
    `  on ${c.examples} validation documents labelled by people; a label applies when the teacher gives it 50% or more`,
    `  micro-F1 ${withInterval(c.microF1, num)}, macro-F1 ${num(c.macroF1)}; saying every label applies: micro-F1 ${num(c.alwaysMicroF1)}`,
  );
  for (const l of c.perLabel) {
    lines.push(
      `  ${l.label.padEnd(24)} F1 ${num(l.f1)}  precision ${num(l.precision)}  recall ${num(l.recall)}  ` +
        `(people ${l.support}, teacher ${l.predicted}; always-yes F1 ${num(l.alwaysF1)})`,
    );
  }
  return lines;
}

export function labelCalibrationLines(r: LabelCalibrationReport | null): string[] {
  if (!r) return [];
  const lines = [`  calibration per label on ${r.examples} validation documents (Platt scaling):`];
  for (const l of r.labels) {
    lines.push(
      l.calibrated
        ? `    ${l.label}: log-loss ${l.before.logLoss.toFixed(3)} -> ${l.after.logLoss.toFixed(3)}`
        : `    ${l.label}: not calibrated (${l.positives} with the label, ${l.negatives} without; needs ${r.minimumPerClass} of each)`,
    );
  }
  return lines;
}

/** A run's scope and cost in one line. */
export function planText(p: TeacherRunPlan): string {
  const time =
    p.minutes === null
      ? 'time unknown (add --time to label a few documents and measure)'
      : `about ${p.minutes < 1 ? '<1' : Math.round(p.minutes)} minute(s) on this computer (timed on ${p.timing?.documents} documents)`;
  return (
    `${p.targets} document(s): ${p.toLabel} to label, ${p.carriedOver} carried over; ~${p.tokens.toLocaleString('en')} prompt tokens; ${time}` +
    (p.tooLong ? `; ${p.tooLong} too long for a context of ${p.contextSize} tokens (cut to fit)` : '')
  );
}

export const versionLine = (v: PromptVersion): string =>
  `${String(v.id).padStart(4)}  v${v.number} "${v.name}"  by ${v.createdBy} at ${v.createdAt}  changed: ${v.changed.join(', ')}`;

export const diffLines = (lines: readonly DiffLine[]): string[] =>
  lines.map((l) => `${l.kind === 'added' ? '+' : l.kind === 'removed' ? '-' : ' '} ${l.text}`);

/** A preview run's accuracy in one line. */
export function trialLine(r: PromptTrialResult): string {
  const who = r.versionNumber === null ? 'the given prompt' : `v${r.versionNumber} "${r.versionName}"`;
  const acc =
    r.accuracy.value === null
      ? 'no document with a human label to compare with'
      : `accuracy ${pct(r.accuracy.value)} (95% interval ${pct(r.accuracy.low)}–${pct(r.accuracy.high)}), ${r.correct} of ${r.scored} right`;
  return `${who} on ${r.items.length} document(s): ${acc}`;
}
