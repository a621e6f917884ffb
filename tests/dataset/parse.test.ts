import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { makeDecoder, type Recoded } from '../../src/main/features/dataset/encoding';
import {
  CsvParser,
  textChunks,
  JsonArrayParser,
  JsonlParser,
  type JsonEvent,
  type RecordEvent,
} from '../../src/main/features/dataset/parse';
import { tempDir } from '../helpers';

/** A streaming parser's events for `text` fed cut at `cuts`. */
function feedAll<E>(
  p: { feed(chunk: string, final: boolean, out: E[]): void },
  text: string,
  cuts: number[],
): E[] {
  const out: E[] = [];
  let from = 0;
  for (const c of [...cuts, text.length]) {
    p.feed(text.slice(from, c), false, out);
    from = c;
  }
  p.feed('', true, out);
  return out;
}

const parseCsv = (text: string, cuts: number[], delimiter = ','): RecordEvent[] =>
  feedAll(new CsvParser(delimiter, true), text, cuts);

const parseJson = (p: JsonArrayParser | JsonlParser, text: string, cuts: number[]): JsonEvent[] =>
  feedAll(p, text, cuts);

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

  it('gives the same CSV records however random texts of quotes, newlines and delimiters are cut', () => {
    // Seeded: the same texts every run. A record left open at a piece's end goes on from where it stopped (inside a
    // quoted field, after its closing quote, or at a field's start), so every cut must give what the whole text gives.
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const parts = ['a', 'b', ',', '"', '""', '\n', '\r\n', ' ', '中', '\t'];
    for (let t = 0; t < 400; t++) {
      let text = '';
      for (let i = Math.floor(next() * 60); i > 0; i--) text += parts[Math.floor(next() * parts.length)];
      const delimiter = next() < 0.7 ? ',' : '\t';
      const whole = parseCsv(text, [], delimiter);
      for (let cut = 0; cut <= text.length; cut++) expect(parseCsv(text, [cut], delimiter)).toEqual(whole);
      const every = Array.from({ length: text.length }, (_v, i) => i);
      expect(parseCsv(text, every, delimiter)).toEqual(whole);
    }
  });

  it('cuts JSON array elements correctly across chunks, brackets and quotes inside strings included', () => {
    const json = '[\n {"t": "a ] } , \\" b"},\n {"t": [1, {"x": "}"}]},\n "bare", 42\n]';
    const run = (cuts: number[]): JsonEvent[] => parseJson(new JsonArrayParser(), json, cuts);
    const whole = run([]);
    expect(whole).toEqual([
      { line: 2, value: { t: 'a ] } , " b' } },
      { line: 3, value: { t: [1, { x: '}' }] } },
      { line: 4, value: 'bare' },
      { line: 4, value: 42 },
    ]);
    for (let cut = 1; cut < json.length; cut++) expect(run([cut])).toEqual(whole);
  });

  it('gives the same JSON Lines however the text is cut into chunks', () => {
    const jsonl = '{"t": "a\\nb"}\n\n{"t": "c"}\r\nnot json\n{"t": "last"}';
    const run = (cuts: number[]): JsonEvent[] => parseJson(new JsonlParser(), jsonl, cuts);
    const whole = run([]);
    expect(whole.map((e) => ('value' in e ? e.value : e.kind))).toEqual([
      { t: 'a\nb' },
      { t: 'c' },
      'bad',
      { t: 'last' },
    ]);
    for (let cut = 1; cut < jsonl.length; cut++) expect(run([cut])).toEqual(whole);
    expect(run(Array.from({ length: jsonl.length - 1 }, (_v, i) => i + 1))).toEqual(whole);
  });

  // A line over the 16 Mi-character limit, fed in the 32 KiB pieces a file is read in: reported once, by its line,
  // and the next line read. (Each piece used to parse the held line again from its start: a 17 MB line took 23 s to
  // preview, a 6 MB JSON line 5 s.)
  const pieces = (text: string): string[] =>
    Array.from({ length: Math.ceil(text.length / 32_768) }, (_v, i) =>
      text.slice(i * 32_768, (i + 1) * 32_768),
    );
  const long = 'z'.repeat(17 * 1024 * 1024);

  it('reports a CSV line over the limit that arrives in many pieces, and reads the next', () => {
    const p = new CsvParser(',', true);
    const out: RecordEvent[] = [];
    for (const piece of pieces(`text\n${long}\nsmall\n`)) p.feed(piece, false, out);
    p.feed('', true, out);
    expect(out).toEqual([
      { kind: 'row', line: 1, values: ['text'] },
      { kind: 'bad', line: 2, message: expect.stringMatching(/longer than/) as unknown },
      { kind: 'row', line: 3, values: ['small'] },
    ]);
  }, 60_000);

  it('reads a record of many quoted fields with newlines inside that arrives in many pieces, without holding it', () => {
    // 8 MB of fields like "x\ny", then a short record: the record is one row whose fields are all there, the next row
    // is numbered by the newlines inside the quotes, and what the parser holds between pieces stays within a piece
    // (it went on parsing the record from its start at every piece: 46 s for this one).
    const count = Math.floor((8 * 1024 * 1024) / 6);
    const p = new CsvParser(',', true);
    const out: RecordEvent[] = [];
    let held = 0;
    for (const piece of pieces(`a,b\n${'"x\ny",'.repeat(count)}1\nsmall,2\n`)) {
      p.feed(piece, false, out);
      held = Math.max(held, (p as unknown as { buf: string }).buf.length);
    }
    p.feed('', true, out);
    expect(out.map((e) => (e.kind === 'row' ? [e.line, e.values.length] : e))).toEqual([
      [1, 2],
      [2, count + 1],
      [count + 3, 2],
    ]);
    const row = out[1] as RecordEvent & { kind: 'row' };
    expect(row.values.every((v, i) => v === (i < count ? 'x\ny' : '1'))).toBe(true);
    expect(held).toBeLessThanOrEqual(32_768);
  }, 60_000);

  it('reads a quoted field of 15 MB with newlines and doubled quotes that arrives in many pieces', () => {
    const unit = 'say ""yes""\n';
    const lines = Math.floor((15 * 1024 * 1024) / unit.length);
    const field = unit.repeat(lines);
    const p = new CsvParser(',', true);
    const out: RecordEvent[] = [];
    let held = 0;
    for (const piece of pieces(`text,n\n"${field}",1\nsmall,2\n`)) {
      p.feed(piece, false, out);
      held = Math.max(held, (p as unknown as { buf: string }).buf.length);
    }
    p.feed('', true, out);
    expect(out).toEqual([
      { kind: 'row', line: 1, values: ['text', 'n'] },
      { kind: 'row', line: 2, values: [field.replaceAll('""', '"'), '1'] },
      { kind: 'row', line: 3 + lines, values: ['small', '2'] },
    ]);
    expect(held).toBeLessThanOrEqual(32_768);
  }, 60_000);

  it('reports an unclosed quote left open across many pieces by its line, and reads the lines after it', () => {
    const rest = Array.from({ length: 5000 }, (_v, i) => `row ${i},${i}`).join('\n');
    const p = new CsvParser(',', true);
    const out: RecordEvent[] = [];
    for (const piece of pieces(`a,b\nfirst,1\n"never closed,2\n${rest}\n`)) p.feed(piece, false, out);
    p.feed('', true, out);
    expect(out.slice(0, 4)).toEqual([
      { kind: 'row', line: 1, values: ['a', 'b'] },
      { kind: 'row', line: 2, values: ['first', '1'] },
      { kind: 'bad', line: 3, message: expect.stringMatching(/unclosed quote/) as unknown },
      { kind: 'row', line: 4, values: ['row 0', '0'] },
    ]);
    expect(out).toHaveLength(5003);
    expect(out[5002]).toEqual({ kind: 'row', line: 5003, values: ['row 4999', '4999'] });
  }, 60_000);

  it('reads a JSON array element of 6 MB that arrives in many pieces', () => {
    const p = new JsonArrayParser();
    const out: JsonEvent[] = [];
    const six = 'w'.repeat(6 * 1024 * 1024);
    for (const piece of pieces(`[{"text": "${six}"},\n {"text": "short"}]`)) p.feed(piece, false, out);
    p.feed('', true, out);
    expect(out).toEqual([
      { line: 1, value: { text: six } },
      { line: 2, value: { text: 'short' } },
    ]);
  }, 60_000);

  it('reports a JSON line over the limit that arrives in many pieces, and reads the next', () => {
    const p = new JsonlParser();
    const out: JsonEvent[] = [];
    for (const piece of pieces(`{"text": "${long}"}\n{"text": "small"}\n`)) p.feed(piece, false, out);
    p.feed('', true, out);
    expect(out).toEqual([
      { kind: 'bad', line: 1, message: expect.stringMatching(/longer than/) as unknown },
      { line: 2, value: { text: 'small' } },
    ]);
  }, 60_000);
});

describe('UTF-8 decoding, line by line with Windows-1252 lines', () => {
  // ASCII, Chinese, emoji (4 bytes), a decomposed accent and a ZWJ sequence, so that cuts land inside characters.
  const lines = [
    'id,text',
    '1,"plain ascii"',
    '2,"头痛 fever 合同"',
    '3,"emoji 😀 and 👩‍⚕️"',
    '4,"Cafe\u0301"',
  ];
  const latin = '5,"caf\u00e9 \u201cold\u201d"';
  const bytes = Buffer.concat([
    Buffer.from('\ufeff' + lines.slice(0, 3).join('\n') + '\n'),
    iconv.encode(latin + '\n', 'windows-1252'),
    Buffer.from(lines.slice(3).join('\n') + '\n\ufeffkept,"a later BOM is text"'),
  ]);
  const expected = [...lines.slice(0, 3), latin, ...lines.slice(3), '\ufeffkept,"a later BOM is text"'].join(
    '\n',
  );
  const decode = (cuts: number[]): { text: string; recoded: Recoded } => {
    const recoded: Recoded = { lines: [], count: 0, encoding: 'windows-1252' };
    const d = makeDecoder('utf-8', recoded);
    let text = '';
    let from = 0;
    for (const c of [...cuts, bytes.length]) {
      text += d.write(bytes.subarray(from, c));
      from = c;
    }
    return { text: text + d.end(), recoded };
  };

  it('gives the same text and recoded lines however the bytes are cut, inside characters too', () => {
    expect(decode([])).toEqual({
      text: expected,
      recoded: { lines: [4], count: 1, encoding: 'windows-1252' },
    });
    for (let cut = 1; cut < bytes.length; cut++) expect(decode([cut])).toEqual(decode([]));
    expect(decode(Array.from({ length: bytes.length - 1 }, (_v, i) => i + 1))).toEqual(decode([]));
  });

  it('streams a file of many pieces as the whole file decodes, Chinese and emoji across piece boundaries', async () => {
    const t = tempDir();
    try {
      // About 600 KB: many 32 KB pieces, none of them cut at a line or character boundary on purpose.
      const body = Array.from(
        { length: 6000 },
        (_v, i) => `${i},"合同 ${'条款😀é'.repeat(i % 17)} e\u0301 ${i}"`,
      ).join('\r\n');
      const path = join(t.dir, 'big.csv');
      writeFileSync(
        path,
        Buffer.concat([Buffer.from('\ufeff' + body), iconv.encode('\n9,"na\u00efve"', 'windows-1252')]),
      );
      const recoded: Recoded = { lines: [], count: 0, encoding: 'windows-1252' };
      const counter = { bytes: 0, recoded };
      let text = '';
      for await (const chunk of textChunks(path, 'utf-8', counter)) text += chunk;
      expect(text).toBe(body + '\n9,"na\u00efve"');
      expect(recoded).toEqual({ lines: [6001], count: 1, encoding: 'windows-1252' });
      expect(counter.bytes).toBe(statSync(path).size);
      // The other encodings' streaming decoders across the same pieces (emoji surrogate pairs cut between them).
      const path16 = join(t.dir, 'big16.csv');
      writeFileSync(path16, Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(body, 'utf-16le')]));
      let utf16 = '';
      for await (const chunk of textChunks(path16, 'utf-16le', { bytes: 0 })) utf16 += chunk;
      expect(utf16).toBe(body);
    } finally {
      t.cleanup();
    }
  });
});
