import type { MetricInterval, ModelRef } from '../../../../shared/evaluation';

/** How the Evaluate step writes numbers: a fixed number of digits, an em dash for a missing value. */
export function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined ? '—' : v.toFixed(digits);
}

export function withCi(m: MetricInterval): string {
  if (m.value === null) return '—';
  if (m.low === null || m.high === null) return fmt(m.value);
  return `${fmt(m.value)} (${fmt(m.low)}–${fmt(m.high)})`;
}

export function refKey(m: ModelRef): string {
  return `${m.kind}-${m.runId}`;
}

/** The model a `refKey` names. */
export function refOfKey(key: string): ModelRef {
  const dash = key.lastIndexOf('-');
  return {
    kind: key.slice(0, dash) === 'teacher' ? 'teacher' : 'student',
    runId: Number(key.slice(dash + 1)),
  };
}

export function bytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function ms(n: number | null): string {
  return n === null ? '—' : `${n < 1 ? n.toFixed(3) : n.toFixed(1)} ms`;
}
