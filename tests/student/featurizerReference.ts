/**
 * The featurizer as it was before its fast path (commit 05fe6ad, src/main/features/student/featurizer.ts): every
 * word from Intl.Segmenter, every feature built as a string and hashed with fnv1a. Kept as the reference the fast
 * featurizer must match id for id (featurizer-identity.test.ts): models trained before read exactly these features.
 * Its step 3 is featurizer.ts `featureStringsOf`, that commit's string building unchanged (the fast `featurize`
 * does not use it: it hashes from word spans).
 */
import {
  featureStringsOf,
  normalizeText,
  segmentChunks,
  type FeaturizerConfig,
} from '../../src/main/features/student/featurizer';
import { fnv1a } from '../../src/shared/math';

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

export function referenceFeatureStrings(text: string, config: FeaturizerConfig): string[] {
  const normalized = normalizeText(text, config);
  return featureStringsOf(normalized, referenceWords(normalized, config), config);
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
