/**
 * Which student architectures exist: the one list the contract's enum, the Train step's choices and words, the
 * settings a form or report shows, and Auto read (re-exported by `student.ts`). Adding an architecture adds its line
 * here; docs/development.md, "A new student architecture", says what else it touches.
 */
/** Settings that only some architectures read (`ARCHITECTURE_SETTINGS`); every architecture reads the others. */
export const ARCHITECTURE_ONLY_SETTINGS = [
  'auto',
  'autoBudgetSeconds',
  'finalFit',
  'l2',
  'dim',
  'filters',
  'kernelSize',
  'maxTokens',
  'dropout',
] as const;
export type ArchitectureOnlySetting = (typeof ARCHITECTURE_ONLY_SETTINGS)[number];

/**
 * Every student architecture, by the name the settings use: the `ARCHITECTURE_ONLY_SETTINGS` it reads (the form
 * shows only those, a report lists only those) and its names in the Train step, English and Simplified Chinese
 * (`short` in the runs table, `long` in the form's choice). The first is the default. The contract's enum, the
 * form's choices and their words all come from here; docs/development.md, "A new student architecture", says what
 * else a new one touches.
 */
export const STUDENT_ARCHITECTURE_LIST = {
  sparse: {
    settings: ['auto', 'autoBudgetSeconds', 'finalFit', 'l2'],
    en: {
      short: 'Sparse linear',
      long: 'Sparse linear (word and character n-grams; the default, fastest, smallest)',
    },
    zh: { short: '稀疏线性', long: '稀疏线性（词与字 n-gram；默认，最快、最小）' },
  },
  fasttext: {
    settings: ['dim'],
    en: { short: 'fastText', long: 'fastText (word and character pieces, fast)' },
    zh: { short: 'fastText', long: 'fastText（词与字片段，速度快）' },
  },
  cnn: {
    settings: ['dim', 'filters', 'kernelSize', 'maxTokens', 'dropout'],
    en: { short: 'CNN', long: 'CNN (reads word order; slower, TensorFlow.js)' },
    zh: { short: 'CNN', long: 'CNN（读取词序；较慢，TensorFlow.js）' },
  },
  transformer: {
    settings: ['dim', 'maxTokens', 'dropout'],
    en: { short: 'Transformer', long: 'Tiny transformer (reads the whole sentence; slowest, TensorFlow.js)' },
    zh: { short: 'Transformer', long: '微型 Transformer（读取整句；最慢，TensorFlow.js）' },
  },
} as const satisfies Readonly<
  Record<
    string,
    {
      settings: readonly ArchitectureOnlySetting[];
      en: { short: string; long: string };
      zh: { short: string; long: string };
    }
  >
>;
export type StudentArchitectureName = keyof typeof STUDENT_ARCHITECTURE_LIST;
export const STUDENT_ARCHITECTURES = Object.keys(STUDENT_ARCHITECTURE_LIST) as [
  StudentArchitectureName,
  ...StudentArchitectureName[],
];
/** The `ARCHITECTURE_ONLY_SETTINGS` each architecture reads (from `STUDENT_ARCHITECTURE_LIST`). */
export const ARCHITECTURE_SETTINGS = Object.fromEntries(
  STUDENT_ARCHITECTURES.map((a) => [a, STUDENT_ARCHITECTURE_LIST[a].settings]),
) as { readonly [A in StudentArchitectureName]: (typeof STUDENT_ARCHITECTURE_LIST)[A]['settings'] };

/** The architectures' names in one language (`short` or `long`), by architecture: the Train step's strings. */
export function architectureNames(
  language: 'en' | 'zh',
  length: 'short' | 'long',
): Readonly<Record<StudentArchitectureName, string>> {
  return Object.fromEntries(
    STUDENT_ARCHITECTURES.map((a) => [a, STUDENT_ARCHITECTURE_LIST[a][language][length]]),
  ) as Record<StudentArchitectureName, string>;
}

/** Whether an architecture reads a setting (the settings not in `ARCHITECTURE_ONLY_SETTINGS`: every one does). */
export function architectureReads(architecture: string, setting: string): boolean {
  if (!(ARCHITECTURE_ONLY_SETTINGS as readonly string[]).includes(setting)) return true;
  if (!Object.hasOwn(ARCHITECTURE_SETTINGS, architecture)) return true;
  return (ARCHITECTURE_SETTINGS[architecture as StudentArchitectureName] as readonly string[]).includes(
    setting,
  );
}
