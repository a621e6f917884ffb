import { describe, expect, it } from 'vitest';
import { DATASET_LOADERS } from '../../bench/lib/datasets';
import {
  DEFAULT_FEATURIZER,
  featureStrings,
  featurize,
  featurizerFor,
  normalizeText,
  tokenSequence,
  words,
  type FeaturizerConfig,
} from '../../src/main/features/student/featurizer';
import { fnv1a } from '../../src/shared/math';
import { referenceFeatureStrings, referenceFeaturize, referenceTokenSequence } from './featurizerReference';

/**
 * The featurizer's fast path (ASCII words split without Intl.Segmenter, ids hashed from code units) must read
 * exactly what the previous featurizer read (featurizerReference.ts), id for id: models trained before it keep
 * their meaning, and the featurizer's version does not change.
 */

/** Word-like segments of one Intl.Segmenter call over the whole text. */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
function segmenterWords(text: string): string[] {
  return [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);
}

const CONFIGS: Readonly<Record<string, FeaturizerConfig>> = {
  both: featurizerFor('both'),
  words: featurizerFor('words'),
  chars: featurizerFor('chars'),
  // CJK character n-grams over CJK runs only (cjkScope before 'spans' became the default; models saved then).
  runs: { ...DEFAULT_FEATURIZER, cjkScope: 'runs' },
  cased: { ...DEFAULT_FEATURIZER, lowercase: false, wordPrefix: 3, subwordMin: 2, subwordMax: 4 },
  whitespace: { ...DEFAULT_FEATURIZER, segmenter: 'whitespace', subwordMin: 3, subwordMax: 5, cjkMax: 4 },
  unigrams: { ...DEFAULT_FEATURIZER, wordNgrams: 1, wordPrefix: 0, buckets: 1009 },
};

function sameArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the fast featurizer gives the reference's ids and token sequence for `text`. */
function sameIds(text: string, config: FeaturizerConfig): boolean {
  return (
    sameArrays(featurize(text, config), referenceFeaturize(text, config)) &&
    sameArrays(tokenSequence(text, config, 7), referenceTokenSequence(text, config, 7))
  );
}

/** The texts (of `texts`) whose words differ from one Intl.Segmenter call's (one expect for many texts: fast). */
function wordMismatches(texts: Iterable<string>): string[] {
  const bad: string[] = [];
  for (const text of texts)
    if (words(text, DEFAULT_FEATURIZER).join('\u0002') !== segmenterWords(text).join('\u0002'))
      bad.push(text);
  return bad;
}

const ADVERSARIAL = [
  '',
  '   \n\t ',
  "Don't stop: e.g. U.S.A. vs. a.b.c, 3,000.50 and 1;2 or 1:2 (a:b), x'y, 7'8, __init__ _ a_b _1 1_ __",
  "well-known state-of-the-art -lrb- `` quoted '' -rrb- ... -- — – hyphen‐minus",
  'Café naïve résumé Ünïcödé façade Æsir ŒUVRE straße İstanbul ΣΊΣΥΦΟΣ ǅemal',
  'e\u0301 combining: cafe\u0301 a\u0308b \u0301lead ab\u200dc a\u00adb zero\u200bwidth a\u2060b',
  'curly ’apostrophes’ don’t ‘quoted’ “double” «guillemets» 1’000 a·b',
  'emoji 👩‍⚕️ doctor 🇫🇷 flag 👍🏽 thumbs 😀😀 a😀b 1️⃣ keycap ☺︎',
  '肺结核的症状是什么？HPV疫苗多少钱 新冠covid-19疫苗 3岁宝宝 发烧39.5度怎么办',
  'カタカナとひらがな、漢字混じりの文。ｶﾀｶﾅ 한국어 텍스트입니다。ㄱㄴ 한글123',
  'ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ ไทย thai ๑๒๓',
  'עברית ומרחבא בالعالم مرحبا שלום 123 ٤٥٦ a״b ש״ח',
  'full-width ＡＢＣ１２３ ＣＴ检查 ｆｏｏ．ｂａｒ ﬁ ligature ①② ㈱ \u337f',
  'numbers 1,234,567.89 -3.5e10 1.2.3.4 10:30 12/31/2026 50% $5 €10 £3 ¥100 #1 @user a@b.com http://x.org/a?b=c',
  'tabs\tand\nnewlines\r\nand\u000bvertical\u000cform\u0085nel\u2028ls\u2029ps end',
  'controls \u0000\u0001\u0007\u001f\u007f between a\u0001b 1\u00001',
  '𝐁𝐨𝐥𝐝 math 𝔉𝔯𝔞𝔨 𠀀𠀁 surrogate Han \ud83d lone \ude00 lows \ud800\udc00 pair',
  'MiXeD CaSe WORDS And Ǆ digraph, İ dotted, ß sharp, ΣΑΣ final sigma',
  'x'.repeat(3000) + ' ' + 'word '.repeat(700) + '汉字'.repeat(1500) + ' tail',
];

describe('featurizer identity with the previous implementation', () => {
  it('splits every ASCII character in context exactly as Intl.Segmenter does', () => {
    const context = ['a', 'Z', '1', '_', '.', ':', ',', ';', "'", ' ', '-', ''];
    const texts: string[] = [];
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      for (const x of context)
        for (const y of context) texts.push(x + ch + y, x + x + ch + y + y, ch + ch + y, x + ch + ch);
    }
    expect(texts).toHaveLength(128 * 12 * 12 * 4);
    expect(wordMismatches(texts)).toEqual([]);
  });

  it('splits every string of up to five characters over the word-break classes of ASCII as Intl.Segmenter does', () => {
    // One character per class the scanner tells apart: letter, digit, '_', MidLetter ':', MidNumLet '.', MidNum
    // ',', another punctuation mark, whitespace. (Checked once to length 7, 2.4 million strings.)
    const alphabet = ['a', '1', '_', ':', '.', ',', '-', ' '];
    const texts: string[] = [];
    const visit = (prefix: string): void => {
      if (prefix.length > 0) texts.push(prefix);
      if (prefix.length < 5) for (const ch of alphabet) visit(prefix + ch);
    };
    visit('');
    expect(texts).toHaveLength(8 + 8 ** 2 + 8 ** 3 + 8 ** 4 + 8 ** 5);
    expect(wordMismatches(texts)).toEqual([]);
  });

  it('splits random mixed-script strings as Intl.Segmenter does', () => {
    const pieces = [
      'a',
      'B',
      '1',
      '_',
      ':',
      '.',
      ',',
      ';',
      "'",
      ' ',
      '\n',
      '-',
      '"',
      'é',
      'e\u0301',
      '\u0301',
      '’',
      '·',
      '汉',
      '字',
      'カ',
      'ひ',
      '한',
      'ไ',
      'ท',
      '😀',
      '\u200d',
      '\u00ad',
      '\u3000',
      '。',
      '٣',
      'ש',
      '\t',
    ];
    let seed = 12345;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const texts: string[] = [];
    for (let k = 0; k < 3000; k++) {
      let text = '';
      const len = 1 + (next() % 30);
      for (let i = 0; i < len; i++) text += pieces[next() % pieces.length];
      texts.push(text);
    }
    expect(wordMismatches(texts.map((t) => normalizeText(t, DEFAULT_FEATURIZER)))).toEqual([]);
    expect(
      texts.filter(
        (t) => !sameIds(t, CONFIGS.both) || !sameIds(t, CONFIGS.chars) || !sameIds(t, CONFIGS.runs),
      ),
    ).toEqual([]);
  });

  it('gives the previous ids on adversarial text, with every featurizer setting', () => {
    for (const [name, config] of Object.entries(CONFIGS)) {
      for (const text of ADVERSARIAL) {
        expect(featureStrings(text, config), `${name}: ${JSON.stringify(text.slice(0, 40))}`).toEqual(
          referenceFeatureStrings(text, config),
        );
        expect(sameIds(text, config), `${name}: ${JSON.stringify(text.slice(0, 40))}`).toBe(true);
      }
    }
  });

  it('hashes each feature string with fnv1a', () => {
    for (const text of ADVERSARIAL.slice(0, 12)) {
      const config = CONFIGS.both;
      expect(Array.from(featurize(text, config))).toEqual(
        featureStrings(text, config).map((s) => fnv1a(s) % config.buckets),
      );
    }
  });

  // Every text with the default featurizer; the others on a sample. Minutes on a loaded machine: its own timeout.
  it.each(Object.keys(DATASET_LOADERS))(
    'gives the previous ids on every text of %s',
    (name) => {
      const ds = DATASET_LOADERS[name]();
      const texts = [...ds.train, ...ds.test].map((r) => r.text);
      expect(texts.length).toBeGreaterThan(4000);
      expect(texts.filter((t) => !sameIds(t, CONFIGS.both))).toEqual([]);
      const sample = texts.filter((_, i) => i % 5 === 0);
      for (const config of [CONFIGS.chars, CONFIGS.words, CONFIGS.cased, CONFIGS.whitespace, CONFIGS.runs])
        expect(sample.filter((t) => !sameIds(t, config))).toEqual([]);
      // Where CJK character n-grams are taken changes nothing on text without CJK characters.
      if (ds.language === 'en') {
        const runs = (t: string): number[] => Array.from(featurize(t, CONFIGS.runs));
        expect(texts.filter((t) => runs(t).join() !== Array.from(featurize(t, CONFIGS.both)).join())).toEqual(
          [],
        );
      }
    },
    300_000,
  );
});
