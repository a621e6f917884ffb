import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FEATURIZER,
  MAX_STUDENT_CHARS,
  SEGMENT_CHUNK,
  featureStrings,
  normalizeText,
  segmentChunks,
  tokenSequence,
} from '../../src/main/features/student/featurizer';
import { loadStudent } from '../../src/main/features/student/predictor';
import { runTraining } from '../../src/main/features/student/trainer';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/shared/student';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'distillery-long-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Words of one Intl.Segmenter call over the whole text: what the featurizer did before chunking. */
function wholeWords(text: string): string[] {
  const seg = new Intl.Segmenter('zh', { granularity: 'word' });
  return [...seg.segment(normalizeText(text, DEFAULT_FEATURIZER))]
    .filter((s) => s.isWordLike)
    .map((s) => s.segment);
}

const MIXED = [
  "The patient's blood pressure was 120/80 mmHg on 3.14 days, e.g. don't stop; U.S. dosage 2,500 mg. ",
  '患者主诉胸痛三天，伴有呼吸困难。既往有高血压病史！是否需要住院？ ',
  'Ünïcödé café naïve résumé — 👩‍⚕️ doctor 🇫🇷 flag\u200b zero-width ',
  'עברית ومرحبا بالعالم שלום 123 ٤٥٦ ',
  'http://example.com/a?b=c&d=e user@example.org #tag\r\n\tnext line\n',
  'カタカナとひらがな、한국어 텍스트입니다。 ',
];

describe('long documents', () => {
  it('segments long texts in pieces with exactly the words of one call over the whole text', () => {
    for (let k = 0; k < MIXED.length; k++) {
      let text = '';
      for (let i = 0; text.length < SEGMENT_CHUNK * 6; i++) text += MIXED[(i * 7 + k) % MIXED.length];
      const pieces = segmentChunks(normalizeText(text, DEFAULT_FEATURIZER));
      expect(pieces.length).toBeGreaterThan(3);
      expect(pieces.join('')).toBe(normalizeText(text, DEFAULT_FEATURIZER));
      const chunked = featureStrings(text, DEFAULT_FEATURIZER).filter((f) => f.startsWith('w\u0001'));
      expect(chunked).toEqual(wholeWords(text).map((w) => 'w\u0001' + w));
    }
    // A normal-length text is one piece: its features are exactly what they always were.
    expect(segmentChunks('short text')).toEqual(['short text']);
  });

  it('cuts a text with no word boundaries without splitting a surrogate pair', () => {
    const text = '😀'.repeat(SEGMENT_CHUNK * 3);
    const pieces = segmentChunks(text);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) expect(p.charCodeAt(p.length - 1)).not.toBe(0xd83d);
  });

  it('an 800,000-character document is read up to the documented cap, and predicts and trains', async () => {
    const doc = 'Chest pain and shortness of breath after exercise. '.repeat(16_000).slice(0, 800_000);
    expect(doc.length).toBe(800_000);
    const started = performance.now();
    const feats = featureStrings(doc, DEFAULT_FEATURIZER).filter((f) => f.startsWith('w\u0001'));
    // Only the first MAX_STUDENT_CHARS characters are read: their words, and not one more. (One Intl.Segmenter call
    // over 100,000 characters needs gigabytes: each segment it returns copies the whole input.)
    const expected =
      doc
        .slice(0, MAX_STUDENT_CHARS)
        .toLowerCase()
        .match(/[a-z]+/g) ?? [];
    expect(feats).toEqual(expected.map((w) => 'w\u0001' + w));
    expect(feats.length).toBeLessThan(doc.split(' ').length / 7);
    // The CNN's token sequence stops segmenting once it has its tokens.
    expect(tokenSequence(doc, DEFAULT_FEATURIZER, 256)).toHaveLength(256);

    const data = {
      labels: ['cardiac', 'other'],
      train: [
        { text: doc, label: 0, teacher: null },
        { text: 'a broken wrist after a fall', label: 1, teacher: null },
        { text: 'chest pain at rest', label: 0, teacher: null },
        { text: 'rash on the left arm', label: 1, teacher: null },
      ],
      validation: [
        { text: doc, label: 0 },
        { text: 'sprained ankle', label: 1 },
      ],
    };
    const outcome = await runTraining(
      { data, settings: { ...DEFAULT_TRAIN_SETTINGS, maxEpochs: 2 }, runDir: dir, resumeFrom: null },
      { onProgress: async () => undefined, onEpoch: async () => undefined },
    );
    const predictor = await loadStudent(outcome.modelPath);
    const [p] = await predictor.predict([doc]);
    expect(p[0] + p[1]).toBeCloseTo(1, 9);
    console.log(
      `800,000-character document: featurized, trained and predicted in ${Math.round(performance.now() - started)} ms`,
    );
  });
});
