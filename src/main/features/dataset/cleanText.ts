import { fnv1a } from '../../../shared/math';
import { hash } from 'node:crypto';

/** The hash that finds exact duplicates (the same as the demo project's). */
export function textHash(text: string): string {
  // The one-shot form is several times cheaper per call than a Hash object (it matters at a million rows).
  return hash('sha256', text, 'hex').slice(0, 32);
}

/**
 * UTF-16 units outside the blocks whose every character is a starter (combining class 0) that NFC leaves alone:
 * Latin up to U+02FF, general punctuation U+2010–U+2027 and U+2030–U+205E, CJK symbols U+3000–U+3029 and
 * U+3030–U+303F, kana U+3041–U+3096 and U+30A1–U+30FA, CJK ideographs U+4E00–U+9FFF, fullwidth forms U+FF01–U+FF5E.
 * A text made only of these is already NFC (tests/dataset/clean-text.test.ts checks every one of them), so the ICU
 * call, most of the normalisation's cost, is skipped for English and Chinese texts alike.
 */
const MAYBE_NOT_NFC =
  // eslint-disable-next-line no-control-regex -- control characters are NFC too
  /[^\u0000-\u02ff\u2010-\u2027\u2030-\u205e\u3000-\u3029\u3030-\u303f\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\uff01-\uff5e]/;

/**
 * Whether a text holds only the characters above: then it is already NFC, and holds no character beyond U+FFFF (its
 * length in characters is its length in UTF-16 units), before and after importNormalise.
 */
export function nfcSafe(text: string): boolean {
  return !MAYBE_NOT_NFC.test(text);
}

/**
 * What every import does: line endings unified, canonical Unicode (NFC, lossless), outer whitespace trimmed.
 * `safe` is nfcSafe(raw), when the caller has it already (carriage return and line feed are safe characters).
 */
export function importNormalise(raw: string, safe = nfcSafe(raw)): string {
  let t = raw;
  if (t.indexOf('\r') >= 0) t = t.replace(/\r\n?/g, '\n');
  if (!safe) t = t.normalize('NFC');
  return t.trim();
}

const HIGH_SURROGATE = /[\ud800-\udbff]/;

/** Length in characters as a person counts them (code points, so one Chinese character or emoji is one). */
export function charLength(text: string): number {
  // Most texts hold no character beyond U+FFFF: one native scan instead of a loop over every unit.
  if (!HIGH_SURROGATE.test(text)) return text.length;
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
