import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FEATURIZER,
  featureStrings,
  featurize,
  featurizerFor,
  hasCjk,
} from '../../src/main/features/student/featurizer';
import { fnv1a } from '../../src/shared/math';

describe('featurizer', () => {
  it('segments unsegmented Chinese into words and adds character n-grams', () => {
    const f = featureStrings('肺结核的症状是什么', DEFAULT_FEATURIZER);
    expect(f).toContain('w\u0001肺结核');
    expect(f).toContain('w\u0001症状');
    expect(f).toContain('b\u0001症状 是');
    expect(f).toContain('c\u0001肺');
    expect(f).toContain('c\u0001结核');
    expect(f).toContain('c\u0001核的症');
    // Chinese words get no "<...>" subwords even when they are on: their character n-grams cover them.
    const withSubwords = featureStrings('肺结核的症状是什么', {
      ...DEFAULT_FEATURIZER,
      subwordMin: 3,
      subwordMax: 5,
    });
    expect(withSubwords.some((s) => s.startsWith('s\u0001'))).toBe(false);
  });

  it('tells text with Chinese, Japanese or Korean characters (after NFKC) from text without', () => {
    expect(hasCjk('Operating profit rose to EUR 13.1 mn.')).toBe(false);
    expect(hasCjk('')).toBe(false);
    expect(hasCjk('HPV 疫苗')).toBe(true);
    expect(hasCjk('カタカナ')).toBe(true);
    expect(hasCjk('한국어')).toBe(true);
    // U+337F (one "square" symbol, not a Han character itself) is 株式会社 after NFKC, as the featurizer reads it.
    expect(hasCjk('\u337f')).toBe(true);
  });

  it('reads the same features with `words` and `both` on English text, not on Chinese', () => {
    const en = 'Sales rose';
    const expected = ['w\u0001sales', 'w\u0001rose', 'b\u0001sales rose', 'p\u0001sale'];
    expect(featureStrings(en, featurizerFor('words'))).toEqual(expected);
    expect(featureStrings(en, featurizerFor('both'))).toEqual(expected);
    const zh = '头痛';
    expect(featureStrings(zh, featurizerFor('words'))).toEqual(['w\u0001头痛']);
    expect(featureStrings(zh, featurizerFor('both'))).toEqual([
      'w\u0001头痛',
      'c\u0001头',
      'c\u0001痛',
      'c\u0001头痛',
    ]);
  });

  it('takes CJK character n-grams over whole non-whitespace spans (punctuation, digits too), as before for old models', () => {
    const text = '19号来的月经，怎么办？ HPV 疫苗';
    const spans = featureStrings(text, DEFAULT_FEATURIZER).filter((s) => s.startsWith('c\u0001'));
    // NFKC turns the full-width "，" and "？" into "," and "?": they are grams, and grams run across them.
    for (const gram of ['1', '19', '19号', '9号来', '经', '经,', '经,怎', '办?', '?'])
      expect(spans).toContain('c\u0001' + gram);
    // Spans without a CJK character ("hpv") get none; whitespace ends a span.
    expect(spans.some((s) => s.includes('h') || s.includes(' '))).toBe(false);
    expect(spans).toContain('c\u0001疫苗');
    // A model saved before cjkScope existed has none in its featurizer: CJK runs only, its features unchanged.
    const { cjkScope, ...saved } = DEFAULT_FEATURIZER;
    expect(cjkScope).toBe('spans');
    const runs = featureStrings(text, saved).filter((s) => s.startsWith('c\u0001'));
    expect(runs).toEqual(
      featureStrings(text, { ...DEFAULT_FEATURIZER, cjkScope: 'runs' }).filter((s) =>
        s.startsWith('c\u0001'),
      ),
    );
    expect(runs).toContain('c\u0001号来的');
    expect(runs.some((s) => /[0-9,?]/.test(s))).toBe(false);
    // Text without CJK characters reads the same features either way.
    const en = 'Operating profit rose to EUR 13.1 mn.';
    expect(Array.from(featurize(en, saved))).toEqual(Array.from(featurize(en, DEFAULT_FEATURIZER)));
  });

  it('lower-cases English, drops punctuation, adds word pairs and subwords', () => {
    const f = featureStrings('We may TERMINATE your account.', {
      ...DEFAULT_FEATURIZER,
      subwordMin: 3,
      subwordMax: 5,
    });
    expect(f.filter((s) => s.startsWith('w\u0001'))).toEqual([
      'w\u0001we',
      'w\u0001may',
      'w\u0001terminate',
      'w\u0001your',
      'w\u0001account',
    ]);
    expect(f).toContain('b\u0001may terminate');
    expect(f).toContain('s\u0001<te');
    expect(f).toContain('s\u0001nate>');
    expect(f.some((s) => s.includes('.'))).toBe(false);
  });

  it('handles mixed text, full-width characters and empty input', () => {
    const mixed = featureStrings('ＣＴ检查 cost', DEFAULT_FEATURIZER);
    expect(mixed).toContain('w\u0001ct'); // NFKC folds full-width letters
    expect(mixed).toContain('w\u0001cost');
    expect(featurize('', DEFAULT_FEATURIZER)).toHaveLength(0);
    expect(featurize('   \n\t ', DEFAULT_FEATURIZER)).toHaveLength(0);
  });

  it('is deterministic and hashes into the bucket range', () => {
    const a = featurize('感冒了吃什么药好 What should I take?', DEFAULT_FEATURIZER);
    const b = featurize('感冒了吃什么药好 What should I take?', DEFAULT_FEATURIZER);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.max(...a)).toBeLessThan(DEFAULT_FEATURIZER.buckets);
    // FNV-1a reference values (32-bit offset basis and "a").
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });

  it('adds truncation stems of longer non-CJK words, in code points', () => {
    const f = featureStrings('Profits increased 感冒 to naïve levels', DEFAULT_FEATURIZER);
    expect(f.filter((s) => s.startsWith('p\u0001'))).toEqual([
      'p\u0001prof',
      'p\u0001incr',
      'p\u0001naïv',
      'p\u0001leve',
    ]);
    const off = featureStrings('Profits increased', { ...DEFAULT_FEATURIZER, wordPrefix: 0 });
    expect(off.some((s) => s.startsWith('p\u0001'))).toBe(false);
    // A model saved before the option existed has no wordPrefix: no stems.
    const { wordPrefix: _omit, ...legacy } = DEFAULT_FEATURIZER;
    expect(featureStrings('Profits increased', legacy).some((s) => s.startsWith('p\u0001'))).toBe(false);
  });

  it('can split on whitespace only (for pre-tokenised text)', () => {
    const f = featureStrings('-lrb- a -rrb-', {
      ...DEFAULT_FEATURIZER,
      segmenter: 'whitespace',
      subwordMin: 0,
      subwordMax: 0,
      wordPrefix: 0,
    });
    expect(f).toEqual(['w\u0001-lrb-', 'w\u0001a', 'w\u0001-rrb-', 'b\u0001-lrb- a', 'b\u0001a -rrb-']);
  });
});
