/**
 * The featurizer as it was before its fast path (commit 05fe6ad, src/main/features/student/featurizer.ts): every
 * word from Intl.Segmenter, every feature built as a string and hashed with fnv1a. Kept as the reference the fast
 * featurizer must match id for id (featurizer-identity.test.ts): models trained before read exactly these features.
 */
import {
  normalizeText,
  segmentChunks,
  type FeaturizerConfig,
} from '../../src/main/features/student/featurizer';
import { fnv1a } from '../../src/shared/math';

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

let segmenter: Intl.Segmenter | null = null;

export function referenceWords(normalized: string, config: FeaturizerConfig, maxWords = Infinity): string[] {
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
    for (let n = min; n <= max; n++) {
      for (let i = 0; i + n <= text.length; i++) out.push(prefix + text.substring(i, i + n));
    }
    return;
  }
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= chars.length; i++) out.push(prefix + chars.slice(i, i + n).join(''));
  }
}

function codePointPrefix(w: string, k: number): string | null {
  let i = 0;
  for (let count = 0; count < k; count++) {
    if (i >= w.length) return null;
    i += (w.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return i < w.length ? w.slice(0, i) : null;
}

export function referenceFeatureStrings(text: string, config: FeaturizerConfig): string[] {
  const normalized = normalizeText(text, config);
  const ws = referenceWords(normalized, config);
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

export function referenceFeaturize(text: string, config: FeaturizerConfig): Uint32Array {
  const strings = referenceFeatureStrings(text, config);
  const ids = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) ids[i] = fnv1a(strings[i]) % config.buckets;
  return ids;
}

export function referenceTokenSequence(
  text: string,
  config: FeaturizerConfig,
  maxTokens: number,
): Uint32Array {
  const ws = referenceWords(normalizeText(text, config), config, maxTokens);
  const n = Math.min(ws.length, maxTokens);
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = fnv1a('w\u0001' + ws[i]) % config.buckets;
  return ids;
}
