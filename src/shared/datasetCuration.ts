import { z } from 'zod';
import { channel } from './channel';

/**
 * Curating a project's documents: cleaning (normalise, mask, leave out empty, short, long and duplicate texts; its
 * preview, apply and undo), leaving documents out by hand, and the test split's leakage report (re-exported by
 * `dataset.ts`, whose contract merges these channels).
 */

const projectId = z.number().int().positive();

/** The descriptions are the CLI's help (`distillery data clean --help`, derived by cli/schemaOptions.ts). */
export const CleanOptions = z.object({
  nfkc: z.boolean().default(true).describe('Unify full-width and compatibility characters (NFKC)'),
  whitespace: z.boolean().default(true).describe('Collapse runs of spaces and blank lines'),
  dropEmpty: z.boolean().default(true).describe('Leave out texts that are empty after cleaning'),
  minChars: z.number().int().min(0).default(0).describe('Leave out texts shorter than this many characters'),
  /** 0 means no limit. */
  maxChars: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Leave out texts longer than this many characters (0: no limit)'),
  exactDuplicates: z.boolean().default(true).describe('Leave out exact duplicates (one copy stays)'),
  nearDuplicates: z.boolean().default(false).describe('Also leave out near-duplicates (MinHash)'),
  /** Estimated Jaccard similarity of character shingles at or above which two texts are near-duplicates. */
  nearThreshold: z
    .number()
    .min(0.5)
    .max(1)
    .default(0.85)
    .describe('Similarity at or above which two texts are near-duplicates'),
  mask: z
    .boolean()
    .default(false)
    .describe("Mask personal identifiers with the project's masking rules (see data mask rules)"),
});
export type CleanOptionsInput = z.input<typeof CleanOptions>;

const cleanPreview = {
  total: z.number(),
  changedByNormalisation: z.number(),
  masked: z.number(),
  empty: z.number(),
  tooShort: z.number(),
  tooLong: z.number(),
  exactDuplicates: z.number(),
  nearDuplicates: z.number(),
  /** Largest near-duplicate clusters first (at most 50), the kept example first. */
  clusters: z.array(z.array(z.object({ id: z.number(), text: z.string() }).readonly()).readonly()).readonly(),
  /** A few examples of what normalisation and masking change. */
  samples: z.array(z.object({ id: z.number(), before: z.string(), after: z.string() }).readonly()).readonly(),
  /** Examples that would be left out in total. */
  excluded: z.number(),
  /** Rows of the locked test split these options would have changed or left out, but did not (the gold set). */
  lockedTestSkipped: z.number(),
};
export const CleanPreview = z.object(cleanPreview).readonly();
export type CleanPreview = z.output<typeof CleanPreview>;

export const CleanResult = z.object({ ...cleanPreview, applied: z.literal(true) }).readonly();
export type CleanResult = z.output<typeof CleanResult>;

/** A test document that also appears, exactly or nearly, in the training or validation data. */
export const LeakagePair = z
  .object({
    testId: z.number(),
    testText: z.string(),
    otherId: z.number(),
    otherSplit: z.enum(['train', 'validation']),
    otherText: z.string(),
    /** exact: the same text once normalised (Unicode NFKC, whitespace, case); near: MinHash similarity >= threshold. */
    kind: z.enum(['exact', 'near']),
  })
  .readonly();
export type LeakagePair = z.output<typeof LeakagePair>;

export const LeakageReport = z
  .object({
    /** Test documents (not excluded). */
    testTotal: z.number(),
    /** Test documents with an exact duplicate in training or validation data. */
    exact: z.number(),
    /** Test documents with a near duplicate there (and no exact one). */
    near: z.number(),
    nearThreshold: z.number(),
    /** One pair per leaking test document (its first match), at most 200, in test document order. */
    pairs: z.array(LeakagePair).readonly(),
  })
  .readonly();
export type LeakageReport = z.output<typeof LeakageReport>;

export const curationContract = {
  'dataset.cleanPreview': channel(CleanPreview)(z.object({ projectId, options: CleanOptions.prefault({}) })),
  'dataset.cleanApply': channel(CleanResult)(z.object({ projectId, options: CleanOptions.prefault({}) })),
  /** Undoes every cleaning: original texts back, nothing excluded. */
  'dataset.cleanUndo': channel(z.object({ restored: z.number(), lockedTestSkipped: z.number() }).readonly())(
    z.object({ projectId }),
  ),
  'dataset.setExcluded': channel(z.object({ changed: z.number() }).readonly())(
    z.object({
      projectId,
      exampleIds: z.array(z.number().int().positive()).max(10_000),
      excluded: z.boolean(),
    }),
  ),
} as const;
