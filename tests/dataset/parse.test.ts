import { describe, expect, it } from 'vitest';
import {
  CsvParser,
  JsonArrayParser,
  type JsonEvent,
  type RecordEvent,
} from '../../src/main/features/dataset/parse';

function parseCsv(text: string, cuts: number[], delimiter = ','): RecordEvent[] {
  const p = new CsvParser(delimiter, true);
  const out: RecordEvent[] = [];
  let from = 0;
  for (const c of [...cuts, text.length]) {
    p.feed(text.slice(from, c), false, out);
    from = c;
  }
  p.feed('', true, out);
  return out;
}

describe('streaming parsers', () => {
  const csv = 'a,b\r\n"x, ""y""","multi\nline"\n\nplain,2\n"last",end';

  it('gives the same CSV records however the text is cut into chunks', () => {
    const whole = parseCsv(csv, []);
    expect(whole).toEqual([
      { kind: 'row', line: 1, values: ['a', 'b'] },
      { kind: 'row', line: 2, values: ['x, "y"', 'multi\nline'] },
      { kind: 'row', line: 5, values: ['plain', '2'] },
      { kind: 'row', line: 6, values: ['last', 'end'] },
    ]);
    for (let cut = 1; cut < csv.length; cut++) expect(parseCsv(csv, [cut])).toEqual(whole);
    const every = Array.from({ length: csv.length - 1 }, (_v, i) => i + 1);
    expect(parseCsv(csv, every)).toEqual(whole);
  });

  it('cuts JSON array elements correctly across chunks, brackets and quotes inside strings included', () => {
    const json = '[\n {"t": "a ] } , \\" b"},\n {"t": [1, {"x": "}"}]},\n "bare", 42\n]';
    const run = (cuts: number[]): JsonEvent[] => {
      const p = new JsonArrayParser();
      const out: JsonEvent[] = [];
      let from = 0;
      for (const c of [...cuts, json.length]) {
        p.feed(json.slice(from, c), false, out);
        from = c;
      }
      p.feed('', true, out);
      return out;
    };
    const whole = run([]);
    expect(whole).toEqual([
      { line: 2, value: { t: 'a ] } , " b' } },
      { line: 3, value: { t: [1, { x: '}' }] } },
      { line: 4, value: 'bare' },
      { line: 4, value: 42 },
    ]);
    for (let cut = 1; cut < json.length; cut++) expect(run([cut])).toEqual(whole);
  });
});
