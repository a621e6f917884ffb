import { fnv1a } from '../../../shared/math';
import { hash } from 'node:crypto';
import type { MaskRule } from '../../../shared/dataset';

/** The hash that finds exact duplicates (the same as the demo project's). */
export function textHash(text: string): string {
  // The one-shot form is several times cheaper per call than a Hash object (it matters at a million rows).
  return hash('sha256', text, 'hex').slice(0, 32);
}

/** What every import does: line endings unified, canonical Unicode (NFC, lossless), outer whitespace trimmed. */
export function importNormalise(raw: string): string {
  let t = raw;
  if (t.indexOf('\r') >= 0) t = t.replace(/\r\n?/g, '\n');
  // Pure ASCII is already NFC: skip the ICU call for the common case.
  if (/[^\p{ASCII}]/u.test(t)) t = t.normalize('NFC');
  return t.trim();
}

/** Length in characters as a person counts them (code points, so one Chinese character or emoji is one). */
export function charLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

export function cleanNormalise(text: string, opts: { nfkc: boolean; whitespace: boolean }): string {
  let t = text;
  if (opts.nfkc) t = t.normalize('NFKC');
  if (opts.whitespace) {
    t = t
      .replace(/[\u200b-\u200d\ufeff]/g, '')
      .replace(/[^\S\n]+/g, ' ')
      .replace(/ *\n[\s]*\n+/g, '\n\n')
      .replace(/ *\n */g, '\n')
      .trim();
  }
  return t;
}

/**
 * Masking of obvious personal identifiers: deliberately conservative patterns, listed in the UI and testable there.
 * Order matters: longer identifiers (ID card numbers) are masked before the phone patterns could take part of them.
 */
export const MASK_RULES: readonly MaskRule[] = [
  {
    name: 'email',
    description: 'E-mail addresses',
    pattern: String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,
    replacement: '[EMAIL]',
  },
  {
    name: 'cn_id_card',
    description: 'Chinese resident ID card numbers (18 characters, with a valid check character)',
    pattern: String.raw`(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])`,
    replacement: '[ID]',
  },
  {
    name: 'medical_record_number',
    description: 'Medical record numbers written as "MRN", "病历号" or "住院号" followed by digits',
    pattern: String.raw`(?:MRN|mrn|Medical Record(?: No\.?| Number)?|病历号|住院号|病案号)\s*[:：#]?\s*[A-Za-z]?[0-9]{5,12}`,
    replacement: '[MRN]',
  },
  {
    name: 'cn_mobile',
    description: 'Chinese mobile numbers (11 digits starting with 1)',
    pattern: String.raw`(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9])`,
    replacement: '[PHONE]',
  },
  {
    name: 'intl_phone',
    description: 'Phone numbers written with an international prefix, e.g. +358 400 817198, +44 20 7946 0958',
    pattern: String.raw`(?<![0-9A-Za-z+])\+[1-9][0-9]{0,2}(?:[ .-]?[0-9]{2,}){2,5}(?![0-9])`,
    replacement: '[PHONE]',
  },
  {
    name: 'phone',
    description:
      'Phone numbers with an international prefix or separators, e.g. +44 20 7946 0958, (555) 123-4567',
    pattern: String.raw`(?<![0-9])(?:\+[0-9]{1,3}[ .-]?)?(?:\([0-9]{2,4}\)[ .-]?)?[0-9]{2,4}[ .-][0-9]{3,4}[ .-][0-9]{3,4}(?![0-9])`,
    replacement: '[PHONE]',
  },
];

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/**
 * The check character of a Chinese resident ID number (GB 11643-1999): the weighted sum of the first 17 digits
 * modulo 11 picks one of "10X98765432". An 18-digit number that fails it is some other number (an account, an order).
 */
export function validCnIdCard(id: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return '10X98765432'[sum % 11] === id[17].toUpperCase();
}

/** Matches a rule keeps only when they pass its check (by rule name). */
const VALIDATORS: Readonly<Record<string, (match: string) => boolean>> = { cn_id_card: validCnIdCard };

const COMPILED = MASK_RULES.map((r) => ({
  re: new RegExp(r.pattern, 'g'),
  replacement: r.replacement,
  valid: VALIDATORS[r.name],
}));

export function maskText(text: string): { text: string; masked: number } {
  let masked = 0;
  let t = text;
  for (const { re, replacement, valid } of COMPILED) {
    t = t.replace(re, (match) => {
      if (valid && !valid(match)) return match;
      masked++;
      return replacement;
    });
  }
  return { text: t, masked };
}

// MinHash over character shingles (works for unsegmented Chinese as well as for words), banded into LSH buckets.
const NUM_HASHES = 64;
const BANDS = 16;
const ROWS = NUM_HASHES / BANDS;
const SEEDS = Array.from(
  { length: NUM_HASHES },
  (_v, i) => (Math.imul(i + 1, 0x9e3779b1) ^ 0x85ebca6b) >>> 0,
);

function mix(h: number, seed: number): number {
  let x = (h ^ seed) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function shingles(text: string): Set<number> {
  const t = text.toLowerCase().replace(/\s+/g, ' ');
  const k = t.length < 30 ? 3 : 5;
  const out = new Set<number>();
  if (t.length <= k) {
    out.add(fnv1a(t, 0, t.length));
    return out;
  }
  for (let i = 0; i + k <= t.length; i++) out.add(fnv1a(t, i, i + k));
  return out;
}

export function minhash(text: string): Uint32Array {
  const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (const s of shingles(text)) {
    for (let j = 0; j < NUM_HASHES; j++) {
      const v = mix(s, SEEDS[j]);
      if (v < sig[j]) sig[j] = v;
    }
  }
  return sig;
}

function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let j = 0; j < NUM_HASHES; j++) if (a[j] === b[j]) same++;
  return same / NUM_HASHES;
}

/**
 * Clusters of near-duplicate texts (estimated Jaccard similarity >= threshold), each in id order; singletons omitted.
 * LSH keeps it near-linear: only texts that share a band are compared.
 */
export function nearDuplicateClusters(
  items: ReadonlyArray<{ id: number; text: string }>,
  threshold: number,
): number[][] {
  const sigs = items.map((it) => minhash(it.text));
  const parent = items.map((_v, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let b = 0; b < BANDS; b++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < sigs.length; i++) {
      const key = Array.from(sigs[i].subarray(b * ROWS, (b + 1) * ROWS)).join(',');
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
    for (const bucket of buckets.values()) {
      if (bucket.length < 2) continue;
      // Compare within the bucket against its first members only: enough to join clusters, bounded cost.
      for (let x = 1; x < bucket.length; x++) {
        for (let y = 0; y < Math.min(x, 8); y++) {
          const i = bucket[x];
          const j = bucket[y];
          if (find(i) === find(j)) continue;
          if (similarity(sigs[i], sigs[j]) >= threshold) parent[find(i)] = find(j);
        }
      }
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((it, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(it.id);
    else groups.set(r, [it.id]);
  });
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort((a, b) => a - b));
}
