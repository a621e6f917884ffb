import { describe, expect, it } from 'vitest';
import { charLength, importNormalise, nfcSafe } from '../../src/main/features/dataset/cleanText';

/** The blocks importNormalise trusts to be NFC already (its MAYBE_NOT_NFC, written out here). */
const FAST: Array<[number, number]> = [
  [0x0000, 0x02ff],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x3000, 0x3029],
  [0x3030, 0x303f],
  [0x3041, 0x3096],
  [0x30a1, 0x30fa],
  [0x4e00, 0x9fff],
  [0xff01, 0xff5e],
];
const inFast = (c: number): boolean => FAST.some(([lo, hi]) => c >= lo && c <= hi);

describe('import normalisation skips NFC only where it cannot change a text', () => {
  it('every character of the fast blocks is NFC on its own and no combining mark', () => {
    const wrong: string[] = [];
    for (const [lo, hi] of FAST) {
      for (let c = lo; c <= hi; c++) {
        const s = String.fromCharCode(c);
        if (s.normalize('NFC') !== s || /\p{M}/u.test(s)) wrong.push(`U+${c.toString(16)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no character composes onto one of them: none is the later part of any canonical decomposition', () => {
    const wrong: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const d = String.fromCodePoint(cp).normalize('NFD');
      for (let i = 1; i < d.length; i++) if (inFast(d.charCodeAt(i))) wrong.push(`U+${cp.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('still normalises what needs it: decomposed accents, compatibility ideographs, CRLF and outer spaces', () => {
    expect(importNormalise(' Cafe\u0301 \r\n')).toBe('Caf\u00e9');
    expect(importNormalise('\uf900 头痛')).toBe('\u8c48 头痛');
    expect(importNormalise('a\r\nb\rc')).toBe('a\nb\nc');
    expect(importNormalise('病人 admitted，头痛。')).toBe('病人 admitted，头痛。');
  });

  it('counts characters as a person does, with and without characters beyond U+FFFF', () => {
    expect(charLength('头痛 fever')).toBe(8);
    expect(charLength('a😀b')).toBe(3);
    expect(charLength('')).toBe(0);
  });

  it('nfcSafe passes exactly the fast blocks, so a safe text counts one character per UTF-16 unit', () => {
    const wrong: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      if (nfcSafe(String.fromCharCode(c)) !== inFast(c)) wrong.push(`U+${c.toString(16)}`);
    }
    expect(wrong).toEqual([]);
    const samples = [
      '头痛 fever',
      ' Cafe\u0301 \r\n',
      'a😀b',
      'lone \ud800 x',
      '\uf900 头痛',
      '',
      '\u3000全角 ｆｕｌｌ\u3000',
    ];
    for (const raw of samples) {
      const safe = nfcSafe(raw);
      const text = importNormalise(raw, safe);
      expect(text).toBe(importNormalise(raw));
      if (safe) expect(charLength(text)).toBe(text.length);
    }
    expect(samples.map(nfcSafe)).toEqual([true, false, false, false, false, true, true]);
  });
});
