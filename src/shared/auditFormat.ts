/** Pure formatting of the audit log for people (any front-end): action names, details as key: value lines, dates in the UI language. */

/** Values longer than this are shown shortened, with a way to see them whole. */
export const MAX_DETAIL_CHARS = 120;

export interface DetailLine {
  readonly key: string;
  /** The value as shown: shortened to MAX_DETAIL_CHARS when `full` is set. */
  readonly value: string;
  /** The whole value, when `value` is shortened. */
  readonly full: string | null;
}

/** A readable fallback for an action without a translation: 'undo_bulk_accept' → 'Undo bulk accept'. */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The action's name in the UI language (`translate` returns null when there is no translation). */
export function actionName(action: string, translate: (key: string) => string | null): string {
  return translate(action) ?? humanizeKey(action);
}

/** A detail's key in the UI language (`translate` returns null when there is none: readable English words). */
export type TranslateKey = (key: string) => string | null;

const NO_TRANSLATION: TranslateKey = () => null;

function valueText(v: unknown, translate: TranslateKey): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x)))
    return v.map((x) => String(x)).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${translate(k) ?? humanizeKey(k).toLowerCase()} ${valueText(x, translate)}`)
      .join('; ');
  }
  return String(v);
}

/**
 * The audit log's details (JSON text) as key: value lines; text that is not a JSON object becomes one line. Keys are
 * worded by `translate` (the UI's catalogue), else as readable English words.
 */
export function detailLines(details: string | null, translate: TranslateKey = NO_TRANSLATION): DetailLine[] {
  if (details === null || details.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    parsed = details;
  }
  const entries: Array<[string, unknown]> =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? Object.entries(parsed as Record<string, unknown>)
      : [['', parsed]];
  return entries.map(([k, v]) => {
    const whole = valueText(v, translate);
    const long = whole.length > MAX_DETAIL_CHARS;
    return {
      key: k === '' ? '' : (translate(k) ?? humanizeKey(k)),
      value: long ? `${whole.slice(0, MAX_DETAIL_CHARS - 1)}…` : whole,
      full: long ? whole : null,
    };
  });
}

/** A timestamp in the UI language's own date and time format (zh-CN: 2026年12月1日 17:41, en: Dec 1, 2026, 5:41 PM). */
export function formatWhen(iso: string, language: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(d);
}

/** A number for people: 19.999999999999996 → '20', 0.71342 → '0.713', 1234.56 → '1235'. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}
