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
 *    The words of stretches of ASCII text are found without Intl.Segmenter, by the rules it applies to ASCII
 *    (`scanAscii`): the same words, several times faster (tests/student/featurizer-identity.test.ts).
 * 3. Feature strings, in this order (the first two unless `words` is false): every word `"w\u0001" + word`; every
 *    pair of adjacent words `"b\u0001" + w1 + " " + w2` when wordNgrams >= 2; for each word without CJK characters, the fastText subwords
 *    of `"<" + word + ">"` of n code points, subwordMin <= n <= subwordMax (all n-grams of the padded word, skipped
 *    when n > its length), as `"s\u0001" + gram`; for each word without CJK characters that is longer than
 *    wordPrefix code points, its first wordPrefix code points as `"p\u0001" + prefix` (a truncation stem: "increased"
 *    and "increase" share "incr"; absent or 0 = off); for each maximal run of CJK characters in the normalized
 *    text (cjkScope 'runs') or each maximal run of non-whitespace that holds one (cjkScope 'spans', the default:
 *    its punctuation, digits and Latin letters too), its character n-grams cjkMin <= n <= cjkMax as
 *    `"c\u0001" + gram`.
 * 4. Each feature string -> FNV-1a 32-bit over its UTF-16 code units -> `hash % buckets` (`featurize` hashes
 *    the code units of the text in place and builds no string; `featureStrings` lists the strings).
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
   * Where the CJK character n-grams are taken: 'runs', over maximal runs of CJK characters only; 'spans', over every
   * maximal run of non-whitespace text that holds a CJK character (its punctuation, digits and Latin letters
   * included: "吗?" and "19号" are grams too). Absent (models saved before it existed) = 'runs'.
   */
  readonly cjkScope?: 'runs' | 'spans';
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
  // Like the reference's character n-grams (scikit-learn's analyzer='char'): "吗?" and "19号" are grams too. On
  // kuake_qic's training split (5 dev folds, never the test split) +0.9 points of macro-F1 for `chars`, +0.2 for
  // `both` (docs/student-model.md); text without CJK characters reads the same features either way.
  cjkScope: 'spans',
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

/**
 * The default featurizer reading CJK text where `saved` does (its cjkScope; absent, in a model saved before
 * 'spans' became the default, = CJK runs only): what a run started from that model reads, so that a model saved by
 * an earlier version can still be started from (the rest of its featurizer must match the run's as before).
 */
export function defaultFeaturizerLike(saved: FeaturizerConfig): FeaturizerConfig {
  if (saved.cjkScope === DEFAULT_FEATURIZER.cjkScope) return DEFAULT_FEATURIZER;
  const { cjkScope: _default, ...rest } = DEFAULT_FEATURIZER;
  return saved.cjkScope === undefined ? rest : { ...rest, cjkScope: saved.cjkScope };
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

/**
 * Word spans of a normalized text (step 2), in text order: word k is `text.slice(spanStart[k], spanEnd[k])`. Module
 * scratch arrays, grown as needed and reused by every call (the featurizer is synchronous), so that featurizing a
 * document allocates no string per word.
 */
let spanStart = new Int32Array(256);
let spanEnd = new Int32Array(256);

function pushSpan(count: number, start: number, end: number): number {
  if (count === spanStart.length) {
    const s = new Int32Array(count * 2);
    s.set(spanStart);
    spanStart = s;
    const e = new Int32Array(count * 2);
    e.set(spanEnd);
    spanEnd = e;
  }
  spanStart[count] = start;
  spanEnd[count] = end;
  return count + 1;
}

// Word_Break classes (Unicode UAX #29) of the ASCII characters that can be part of a word; every other ASCII
// character (whitespace, other punctuation, controls) always breaks and is never part of one.
const WB_OTHER = 0;
const WB_LETTER = 1; // ALetter: A-Z a-z
const WB_DIGIT = 2; // Numeric: 0-9
const WB_UNDERSCORE = 3; // ExtendNumLet: _
const WB_MID_LETTER = 4; // MidLetter: ':' (between letters only)
const WB_MID_NUM_LET = 5; // MidNumLet and Single_Quote: '.' and "'" (between letters, or between digits)
const WB_MID_NUM = 6; // MidNum: ',' ';' (between digits only)
const ASCII_WB = new Uint8Array(128).fill(WB_OTHER);
for (let c = 65; c <= 90; c++) ASCII_WB[c] = WB_LETTER;
for (let c = 97; c <= 122; c++) ASCII_WB[c] = WB_LETTER;
for (let c = 48; c <= 57; c++) ASCII_WB[c] = WB_DIGIT;
ASCII_WB[95] = WB_UNDERSCORE;
ASCII_WB[58] = WB_MID_LETTER;
ASCII_WB[46] = WB_MID_NUM_LET;
ASCII_WB[39] = WB_MID_NUM_LET;
ASCII_WB[44] = WB_MID_NUM;
ASCII_WB[59] = WB_MID_NUM;

function inWord(c: number): boolean {
  return c >= WB_LETTER && c <= WB_UNDERSCORE;
}

/**
 * The word-like segments Intl.Segmenter gives for text[from, to) when every character there is ASCII, by the word
 * break rules it applies to ASCII (UAX #29 WB5-WB13b, as ICU implements them): a word is a run of letters, digits
 * and underscores, continued across one ':', '.' or "'" between two letters (WB6/7: "don't", "e.g", "a:b") or one
 * '.', "'", ',' or ';' between two digits (WB11/12: "3,000.50"); every other character breaks. A lone '_' is a
 * segment that is not word-like; "__" and "a_" are. Appends spans after `count`, at most up to `maxWords`; returns
 * the new count. tests/student/featurizer-identity.test.ts checks it against Intl.Segmenter on every ASCII character
 * in context, on every short string over these classes and on the benchmark datasets' texts.
 */
function scanAscii(text: string, from: number, to: number, count: number, maxWords: number): number {
  let i = from;
  while (i < to && count < maxWords) {
    if (!inWord(ASCII_WB[text.charCodeAt(i)])) {
      i++;
      continue;
    }
    const start = i;
    for (;;) {
      while (i < to && inWord(ASCII_WB[text.charCodeAt(i)])) i++;
      if (i + 1 >= to) break;
      const mid = ASCII_WB[text.charCodeAt(i)];
      const before = ASCII_WB[text.charCodeAt(i - 1)];
      const after = ASCII_WB[text.charCodeAt(i + 1)];
      const letters =
        before === WB_LETTER && after === WB_LETTER && (mid === WB_MID_LETTER || mid === WB_MID_NUM_LET);
      const digits =
        before === WB_DIGIT && after === WB_DIGIT && (mid === WB_MID_NUM || mid === WB_MID_NUM_LET);
      if (!letters && !digits) break;
      i++;
    }
    if (i - start > 1 || text.charCodeAt(start) !== 95) count = pushSpan(count, start, i);
  }
  return count;
}

/** Intl.Segmenter's word-like segments of text[from, to) (in segmentChunks' pieces), appended as spans. */
function segmentRange(text: string, from: number, to: number, count: number, maxWords: number): number {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  let offset = from;
  for (const piece of segmentChunks(text.slice(from, to))) {
    for (const s of segmenter.segment(piece)) {
      if (!s.isWordLike) continue;
      if (count >= maxWords) return count;
      count = pushSpan(count, offset + s.index, offset + s.index + s.segment.length);
    }
    offset += piece.length;
  }
  return count;
}

/**
 * The words of step 2 as spans (spanStart/spanEnd[0, count)); returns count (at most maxWords). Segmenter 'intl':
 * the text is cut where a word boundary is certain, after ASCII whitespace and before an ASCII letter or digit (a
 * subset of segmentChunks' cuts); a stretch of pieces that is all ASCII is split by `scanAscii`, any other by
 * Intl.Segmenter. The words are those of one Intl.Segmenter call over the whole text, several times faster on
 * English text.
 */
function wordSpans(normalized: string, config: FeaturizerConfig, maxWords: number): number {
  let count = 0;
  if (config.segmenter === 'whitespace') {
    // The non-empty parts of split(/\s+/u): maximal runs of non-whitespace.
    const re = /\S+/gu;
    for (let m = re.exec(normalized); m !== null && count < maxWords; m = re.exec(normalized))
      count = pushSpan(count, m.index, m.index + m[0].length);
    return count;
  }
  const flush = (from: number, to: number, ascii: boolean): void => {
    if (to > from && count < maxWords)
      count = (ascii ? scanAscii : segmentRange)(normalized, from, to, count, maxWords);
  };
  const n = normalized.length;
  let rangeStart = 0;
  let rangeAscii = true;
  let pieceStart = 0;
  let pieceAscii = true;
  for (let i = 0; i < n; i++) {
    const c = normalized.charCodeAt(i);
    if (c >= 128) {
      pieceAscii = false;
    } else if (i > 0 && isAsciiAlnum(c) && isAsciiSpace(normalized.charCodeAt(i - 1))) {
      // A certain boundary: the piece [pieceStart, i) ends here; a range is a run of pieces alike.
      if (pieceAscii !== rangeAscii) {
        flush(rangeStart, pieceStart, rangeAscii);
        rangeStart = pieceStart;
        rangeAscii = pieceAscii;
      }
      pieceStart = i;
      pieceAscii = true;
    }
  }
  if (pieceAscii !== rangeAscii) {
    flush(rangeStart, pieceStart, rangeAscii);
    rangeStart = pieceStart;
    rangeAscii = pieceAscii;
  }
  flush(rangeStart, n, rangeAscii);
  return count;
}

/** ASCII whitespace: tab, line feed, vertical tab, form feed, carriage return, space. */
function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isAsciiAlnum(c: number): boolean {
  return c < 128 && (ASCII_WB[c] === WB_LETTER || ASCII_WB[c] === WB_DIGIT);
}

/** The words of step 2, in text order, the first `maxWords` of them. */
export function words(normalized: string, config: FeaturizerConfig, maxWords = Infinity): string[] {
  const count = wordSpans(normalized, config, maxWords);
  const out = new Array<string>(count);
  for (let k = 0; k < count; k++) out[k] = normalized.slice(spanStart[k], spanEnd[k]);
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
  const end = prefixEnd(w, 0, w.length, k);
  return end < 0 ? null : w.slice(0, end);
}

/**
 * The end (exclusive) of the first k code points of text[from, to) when it has more than k, else -1 (a surrogate
 * pair is one code point, as String.prototype.codePointAt reads it).
 */
function prefixEnd(text: string, from: number, to: number, k: number): number {
  let i = from;
  for (let count = 0; count < k; count++) {
    if (i >= to) return -1;
    i += isPairAt(text, i, to) ? 2 : 1;
  }
  return i < to ? i : -1;
}

/** Whether text[i, i + 2) is a surrogate pair inside [.., to). */
function isPairAt(text: string, i: number, to: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= to) return false;
  const d = text.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

/** Whether a normalized text may hold a CJK character: every one of CJK_RUN's scripts starts at U+1100 or later. */
function mayHaveCjk(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x1100) return true;
  return false;
}

/** The feature strings of a text (before hashing), in the documented order. */
export function featureStrings(text: string, config: FeaturizerConfig): string[] {
  const normalized = normalizeText(text, config);
  return featureStringsOf(normalized, words(normalized, config), config);
}

/** Step 3: the feature strings of a normalized text and its words (`words`). */
export function featureStringsOf(
  normalized: string,
  ws: readonly string[],
  config: FeaturizerConfig,
): string[] {
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
  for (const [from, to] of cjkSources(normalized, config))
    pushGrams(out, 'c\u0001', normalized.slice(from, to), config.cjkMin, config.cjkMax);
  return out;
}

const NON_SPACE = /\S+/gu;

/** The [from, to) code-unit ranges of a normalized text that CJK character n-grams are taken over (`cjkScope`). */
function cjkSources(normalized: string, config: FeaturizerConfig): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (config.cjkMin <= 0 || config.cjkMax < config.cjkMin || !mayHaveCjk(normalized)) return out;
  const spans = config.cjkScope === 'spans';
  const re = spans ? NON_SPACE : CJK_RUN;
  re.lastIndex = 0;
  for (let m = re.exec(normalized); m !== null; m = re.exec(normalized))
    if (!spans || HAS_CJK.test(m[0])) out.push([m.index, m.index + m[0].length]);
  return out;
}

// FNV-1a (shared/math.ts `fnv1a`) computed in steps, straight from the text's code units: the state after a
// feature's prefix ("w\u0001", ...), then each code unit of the rest. The same numbers as fnv1a over the string.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvStep(h: number, c: number): number {
  return Math.imul(h ^ c, FNV_PRIME);
}

function fnvRange(h: number, text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

const FNV_W = fnvStep(fnvStep(FNV_OFFSET, 0x77), 1); // "w\u0001"
const FNV_B = fnvStep(fnvStep(FNV_OFFSET, 0x62), 1); // "b\u0001"
const FNV_S = fnvStep(fnvStep(FNV_OFFSET, 0x73), 1); // "s\u0001"
const FNV_P = fnvStep(fnvStep(FNV_OFFSET, 0x70), 1); // "p\u0001"
const FNV_C = fnvStep(fnvStep(FNV_OFFSET, 0x63), 1); // "c\u0001"

/** Feature ids as they are computed: a module scratch array, grown as needed (see spanStart). */
let idScratch = new Uint32Array(1024);

function pushId(count: number, id: number): number {
  if (count === idScratch.length) {
    const grown = new Uint32Array(count * 2);
    grown.set(idScratch);
    idScratch = grown;
  }
  idScratch[count] = id;
  return count + 1;
}

/** Code point starts of a gram source (a padded word or a CJK run), in code units; a scratch array (spanStart). */
let cpStarts = new Int32Array(256);

/**
 * The ids of `pushGrams(prefix, source, min, max)` with source = `open` + text[from, to) + `close` (0: none), each
 * hashed from `h0` (the prefix's state) over the gram's code units: the code points of the source, a surrogate pair
 * as one, grams of min..max of them.
 */
function pushGramIds(
  count: number,
  buckets: number,
  h0: number,
  text: string,
  from: number,
  to: number,
  open: number,
  close: number,
  min: number,
  max: number,
): number {
  if (min <= 0 || max < min) return count;
  // Position p of the source: p = 0 is `open` (when present), then text[from, to), then `close`.
  const lead = open > 0 ? 1 : 0;
  const units = lead + (to - from) + (close > 0 ? 1 : 0);
  if (cpStarts.length < units + 1) cpStarts = new Int32Array(2 * (units + 1));
  let points = 0;
  for (let p = 0; p < units;) {
    cpStarts[points++] = p;
    const i = from + p - lead;
    p += p >= lead && i < to && isPairAt(text, i, to) ? 2 : 1;
  }
  cpStarts[points] = units;
  const unitAt = (p: number): number =>
    p < lead ? open : p - lead < to - from ? text.charCodeAt(from + p - lead) : close;
  for (let n = min; n <= max; n++) {
    for (let g = 0; g + n <= points; g++) {
      let h = h0;
      for (let p = cpStarts[g]; p < cpStarts[g + n]; p++) h = Math.imul(h ^ unitAt(p), FNV_PRIME);
      count = pushId(count, (h >>> 0) % buckets);
    }
  }
  return count;
}

/**
 * The hashed feature ids of a text; duplicates are kept (a repeated feature counts twice in the mean). The ids of
 * `featureStrings` hashed with fnv1a, in the same order, computed from word spans and code units without building
 * the strings.
 */
export function featurize(text: string, config: FeaturizerConfig): Uint32Array {
  const normalized = normalizeText(text, config);
  const n = wordSpans(normalized, config, Infinity);
  const { buckets } = config;
  let count = 0;
  if (config.words !== false) {
    for (let k = 0; k < n; k++)
      count = pushId(count, (fnvRange(FNV_W, normalized, spanStart[k], spanEnd[k]) >>> 0) % buckets);
    if (config.wordNgrams >= 2)
      for (let k = 0; k + 1 < n; k++) {
        const h = fnvStep(fnvRange(FNV_B, normalized, spanStart[k], spanEnd[k]), 32);
        count = pushId(count, (fnvRange(h, normalized, spanStart[k + 1], spanEnd[k + 1]) >>> 0) % buckets);
      }
  }
  const cjk = mayHaveCjk(normalized);
  const prefix = config.wordPrefix ?? 0;
  const subwords = config.subwordMin > 0 && config.subwordMax >= config.subwordMin;
  // Words without CJK characters (the only ones with subwords and stems): all of them when the text has none.
  const latin = (k: number): boolean => !cjk || !HAS_CJK.test(normalized.slice(spanStart[k], spanEnd[k]));
  if (subwords)
    for (let k = 0; k < n; k++)
      if (latin(k))
        count = pushGramIds(
          count,
          buckets,
          FNV_S,
          normalized,
          spanStart[k],
          spanEnd[k],
          0x3c, // '<'
          0x3e, // '>'
          config.subwordMin,
          config.subwordMax,
        );
  if (prefix > 0)
    for (let k = 0; k < n; k++) {
      if (!latin(k)) continue;
      const end = prefixEnd(normalized, spanStart[k], spanEnd[k], prefix);
      if (end >= 0) count = pushId(count, (fnvRange(FNV_P, normalized, spanStart[k], end) >>> 0) % buckets);
    }
  if (cjk)
    for (const [from, to] of cjkSources(normalized, config))
      count = pushGramIds(count, buckets, FNV_C, normalized, from, to, 0, 0, config.cjkMin, config.cjkMax);
  return idScratch.slice(0, count);
}

/**
 * The token sequence the CNN student reads: the words of step 2 (normalized, segmented as above), each hashed as
 * `"w\u0001" + word` like the bag's word features, in text order, the first `maxTokens` of them.
 */
export function tokenSequence(text: string, config: FeaturizerConfig, maxTokens: number): Uint32Array {
  const normalized = normalizeText(text, config);
  const n = wordSpans(normalized, config, maxTokens);
  const ids = new Uint32Array(n);
  for (let k = 0; k < n; k++)
    ids[k] = (fnvRange(FNV_W, normalized, spanStart[k], spanEnd[k]) >>> 0) % config.buckets;
  return ids;
}
