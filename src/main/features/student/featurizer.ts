import { fnv1a } from '../../../shared/math';
import type { StudentFeatures } from '../../../shared/student';
/**
 * The student's featurizer: text -> hashed feature ids. Pure and deterministic, with no Node-only API, so that an
 * exported runtime (browser or Node) can copy this file and reproduce training-time features exactly.
 * See docs/student-model.md for the format it is saved in.
 *
 * Steps, in order:
 * 0. A student reads at most the first MAX_STUDENT_CHARS (100,000) UTF-16 code units of a document (one less when
 *    the last would split a surrogate pair); the rest is ignored, in training and in prediction alike.
 * 1. `text.normalize('NFKC')`, then `toLowerCase()` when `lowercase`.
 * 2. Words: `Intl.Segmenter('zh', { granularity: 'word' })` segments that are `isWordLike` (segmenter 'intl'), or
 *    runs of non-whitespace (segmenter 'whitespace'). Intl.Segmenter splits English on spaces and punctuation and
 *    unsegmented Chinese into dictionary words. Its cost grows faster than the length of the text, so a text longer
 *    than SEGMENT_CHUNK code units is segmented in pieces cut where a word boundary is certain (after whitespace or
 *    CJK sentence punctuation, before a letter or digit: see `segmentChunks`); this gives the same words as one call.
 * 3. Feature strings, in this order (the first two unless `words` is false): every word `"w\u0001" + word`; every
 *    pair of adjacent words `"b\u0001" + w1 + " " + w2` when wordNgrams >= 2; for each word without CJK characters, the fastText subwords
 *    of `"<" + word + ">"` of n code points, subwordMin <= n <= subwordMax (all n-grams of the padded word, skipped
 *    when n > its length), as `"s\u0001" + gram`; for each word without CJK characters that is longer than
 *    wordPrefix code points, its first wordPrefix code points as `"p\u0001" + prefix` (a truncation stem: "increased"
 *    and "increase" share "incr"; absent or 0 = off); for each maximal run of CJK characters in the normalized
 *    text, its character n-grams cjkMin <= n <= cjkMax as `"c\u0001" + gram`.
 * 4. Each feature string -> FNV-1a 32-bit over its UTF-16 code units -> `hash % buckets`.
 */

export interface FeaturizerConfig {
  readonly kind: 'hashed-ngrams';
  readonly version: 1;
  /** Number of hash buckets (rows of the embedding table, most never touched). */
  readonly buckets: number;
  readonly lowercase: boolean;
  readonly segmenter: 'intl' | 'whitespace';
  /** 1: words only; 2: words and adjacent word pairs. */
  readonly wordNgrams: 1 | 2;
  /** Character n-grams inside non-CJK words; 0 and 0 turn them off. */
  readonly subwordMin: number;
  readonly subwordMax: number;
  /** Character n-grams over runs of CJK text; 0 and 0 turn them off. */
  readonly cjkMin: number;
  readonly cjkMax: number;
  /**
   * Truncation stems of non-CJK words: the first wordPrefix code points of every longer word. Absent (models saved
   * before it existed) or 0 turns them off.
   */
  readonly wordPrefix?: number;
  /**
   * Word features ("w" and, with wordNgrams 2, "b"); false leaves out both (a character-n-gram-only featurizer).
   * Absent (models saved before it existed) = true.
   */
  readonly words?: boolean;
}

export const DEFAULT_FEATURIZER: FeaturizerConfig = {
  kind: 'hashed-ngrams',
  version: 1,
  buckets: 2_000_000,
  lowercase: true,
  segmenter: 'intl',
  wordNgrams: 2,
  // Off by default, as in fastText's supervised mode: they multiply the features of English text by about eight
  // (eight times slower training) for no measurable gain on the benchmark datasets.
  subwordMin: 0,
  subwordMax: 0,
  cjkMin: 1,
  cjkMax: 3,
  // A cheap stand-in for subwords: one more feature per longer English word, so that inflections of a word share a
  // row; +1 to +3 points of macro-F1 on the English benchmark datasets for about 1.4 times the features.
  wordPrefix: 4,
};

/**
 * The featurizer of a run's `features` setting (shared/student.ts STUDENT_FEATURES), on top of `base`: 'both' is
 * `base` itself; 'words' drops the Chinese character n-grams; 'chars' keeps only character n-grams (3-5 inside
 * non-CJK words, 1-3 over CJK runs).
 */
export function featurizerFor(
  features: StudentFeatures,
  base: FeaturizerConfig = DEFAULT_FEATURIZER,
): FeaturizerConfig {
  if (features === 'words') return { ...base, cjkMin: 0, cjkMax: 0 };
  if (features === 'chars')
    return {
      ...base,
      words: false,
      wordNgrams: 1,
      wordPrefix: 0,
      subwordMin: 3,
      subwordMax: 5,
      cjkMin: 1,
      cjkMax: 3,
    };
  return base;
}

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Whether the part of a text a student reads holds a Chinese, Japanese or Korean character once normalized (step 1):
 * a text without one gets no CJK character n-grams, so the `words` and `both` featurizers read the same features.
 */
export function hasCjk(text: string): boolean {
  return HAS_CJK.test(studentText(text).normalize('NFKC'));
}

let segmenter: Intl.Segmenter | null = null;

/** What a student reads of one document, at most (UTF-16 code units, before normalization). */
export const MAX_STUDENT_CHARS = 100_000;

/** The part of a text a student reads: the first MAX_STUDENT_CHARS code units, never half a surrogate pair. */
export function studentText(text: string): string {
  if (text.length <= MAX_STUDENT_CHARS) return text;
  const last = text.charCodeAt(MAX_STUDENT_CHARS - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_STUDENT_CHARS - 1 : MAX_STUDENT_CHARS);
}

export function normalizeText(text: string, config: FeaturizerConfig): string {
  const t = studentText(text).normalize('NFKC');
  return config.lowercase ? t.toLowerCase() : t;
}

/** Longest piece of text given to Intl.Segmenter at once (its cost per character grows beyond a few thousand). */
export const SEGMENT_CHUNK = 2000;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]/u;

/** Whitespace, or CJK sentence punctuation (。，！？；、：): after it and before a letter a word always ends. */
function isCutAfter(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0x3000 ||
    c === 0x3001 ||
    c === 0x3002 ||
    c === 0xff01 ||
    c === 0xff0c ||
    c === 0xff1a ||
    c === 0xff1b ||
    c === 0xff1f
  );
}

function safeCut(text: string, i: number): boolean {
  return isCutAfter(text.charCodeAt(i - 1)) && LETTER_OR_DIGIT.test(text.slice(i, i + 2));
}

/**
 * Pieces of at most about SEGMENT_CHUNK code units whose concatenation is the text, cut only between whitespace or
 * CJK punctuation and a following letter or digit (Unicode word-break rules always break there, so segmenting the
 * pieces gives the segments of the whole). A run of SEGMENT_CHUNK * 4 code units without such a place (no
 * whitespace, no punctuation: not prose) is cut where it must, outside a surrogate pair.
 */
export function segmentChunks(text: string): string[] {
  if (text.length <= SEGMENT_CHUNK) return [text];
  const out: string[] = [];
  let start = 0;
  while (text.length - start > SEGMENT_CHUNK) {
    let cut = -1;
    for (let i = start + SEGMENT_CHUNK; i > start + SEGMENT_CHUNK / 2; i--) {
      if (safeCut(text, i)) {
        cut = i;
        break;
      }
    }
    const hard = Math.min(text.length, start + SEGMENT_CHUNK * 4);
    for (let i = start + SEGMENT_CHUNK + 1; cut < 0 && i < hard; i++) if (safeCut(text, i)) cut = i;
    if (cut < 0) {
      if (hard >= text.length) break;
      const c = text.charCodeAt(hard - 1);
      cut = c >= 0xd800 && c <= 0xdbff ? hard - 1 : hard;
    }
    out.push(text.slice(start, cut));
    start = cut;
  }
  out.push(text.slice(start));
  return out;
}

export function words(normalized: string, config: FeaturizerConfig, maxWords = Infinity): string[] {
  if (config.segmenter === 'whitespace') {
    return normalized
      .split(/\s+/u)
      .filter((w) => w.length > 0)
      .slice(0, maxWords);
  }
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const out: string[] = [];
  for (const piece of segmentChunks(normalized)) {
    for (const s of segmenter.segment(piece)) if (s.isWordLike) out.push(s.segment);
    if (out.length >= maxWords) return out.slice(0, maxWords);
  }
  return out;
}

function pushGrams(out: string[], prefix: string, text: string, min: number, max: number): void {
  if (min <= 0 || max < min) return;
  const chars = Array.from(text);
  if (chars.length === text.length) {
    // No surrogate pairs: code points are code units, and substrings are the same grams without the array copies.
    for (let n = min; n <= max; n++) {
      for (let i = 0; i + n <= text.length; i++) out.push(prefix + text.substring(i, i + n));
    }
    return;
  }
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= chars.length; i++) out.push(prefix + chars.slice(i, i + n).join(''));
  }
}

/** The first k code points of w when w has more than k, else null. */
function codePointPrefix(w: string, k: number): string | null {
  let i = 0;
  for (let count = 0; count < k; count++) {
    if (i >= w.length) return null;
    i += (w.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return i < w.length ? w.slice(0, i) : null;
}

/** The feature strings of a text (before hashing), in the documented order. */
export function featureStrings(text: string, config: FeaturizerConfig): string[] {
  const normalized = normalizeText(text, config);
  const ws = words(normalized, config);
  const out: string[] = [];
  const wordFeatures = config.words !== false;
  if (wordFeatures) for (const w of ws) out.push('w\u0001' + w);
  if (wordFeatures && config.wordNgrams >= 2)
    for (let i = 0; i + 1 < ws.length; i++) out.push('b\u0001' + ws[i] + ' ' + ws[i + 1]);
  const prefix = config.wordPrefix ?? 0;
  const subwords = config.subwordMin > 0 && config.subwordMax >= config.subwordMin;
  if (subwords || prefix > 0) {
    const latin = ws.filter((w) => !HAS_CJK.test(w));
    if (subwords)
      for (const w of latin) pushGrams(out, 's\u0001', '<' + w + '>', config.subwordMin, config.subwordMax);
    if (prefix > 0)
      for (const w of latin) {
        const p = codePointPrefix(w, prefix);
        if (p !== null) out.push('p\u0001' + p);
      }
  }
  for (const m of normalized.matchAll(CJK_RUN)) pushGrams(out, 'c\u0001', m[0], config.cjkMin, config.cjkMax);
  return out;
}

/** The hashed feature ids of a text; duplicates are kept (a repeated feature counts twice in the mean). */
export function featurize(text: string, config: FeaturizerConfig): Uint32Array {
  const strings = featureStrings(text, config);
  const ids = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) ids[i] = fnv1a(strings[i]) % config.buckets;
  return ids;
}

/**
 * The token sequence the CNN student reads: the words of step 2 (normalized, segmented as above), each hashed as
 * `"w\u0001" + word` like the bag's word features, in text order, the first `maxTokens` of them.
 */
export function tokenSequence(text: string, config: FeaturizerConfig, maxTokens: number): Uint32Array {
  const ws = words(normalizeText(text, config), config, maxTokens);
  const n = Math.min(ws.length, maxTokens);
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = fnv1a('w\u0001' + ws[i]) % config.buckets;
  return ids;
}
