import type { TrainData } from '../../src/main/features/student/trainer';

/**
 * The run the checkpoints in tests/fixtures/student-checkpoints/ were written from (by the trainer of commit
 * cae181b, before the trainer was split into an architecture interface and one loop): a small English and Chinese
 * two-class project. Its data is built here, not stored, so the fixtures hold only what the old code wrote: each
 * architecture's epoch-1 checkpoint, and the settings and featurizer of its run (settings.json, as a run stores them).
 */
const UP = [
  'profits increased sharply',
  'sales rose again',
  'revenue grew this quarter',
  '利润大幅增长',
  '销售额上升',
];
const DOWN = [
  'profits fell sharply',
  'sales dropped again',
  'revenue shrank this quarter',
  '利润大幅下降',
  '销售额下滑',
];

export const FIXTURE_ARCHITECTURES = ['sparse', 'fasttext', 'cnn'] as const;

export function fixtureData(): TrainData {
  const train = [...UP, ...DOWN].flatMap((text, i) => [
    { text, label: i < UP.length ? 0 : 1, teacher: null },
    { text: `${text} today`, label: null, teacher: i < UP.length ? [0.8, 0.2] : [0.3, 0.7] },
  ]);
  return {
    labels: ['up', 'down'],
    train,
    validation: [
      { text: 'profits rose', label: 0 },
      { text: 'sales fell', label: 1 },
      { text: '收入增长', label: 0, fromTeacher: true },
    ],
  };
}
