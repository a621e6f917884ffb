import { z } from 'zod';
import { channel } from './channel';

/**
 * Masking of personal identifiers, per project: built-in rules the user switches on or off, and rules the user adds
 * (a list of names, or a regular expression). The engine is src/main/features/dataset/masking.ts.
 */

/** The built-in rules in the order they claim text (an earlier rule wins where two would overlap). */
export const BUILTIN_MASK_RULES = [
  'email',
  'cn_id_card',
  'medical_record_number',
  'date',
  'cn_mobile',
  'intl_phone',
  'phone',
  'address_en',
  'address_zh',
] as const;
export type BuiltinMaskRule = (typeof BUILTIN_MASK_RULES)[number];

/** Built-ins on in a project nobody has configured: the rules masking always applied (existing projects keep them). */
export const DEFAULT_ON_MASK_RULES: readonly BuiltinMaskRule[] = [
  'email',
  'cn_id_card',
  'medical_record_number',
  'cn_mobile',
  'intl_phone',
  'phone',
];

export const MASK_RULE_KINDS = ['builtin', 'names', 'regex'] as const;
export type MaskRuleKind = (typeof MASK_RULE_KINDS)[number];

/** Longest text a custom regular expression may run on in one go: longer texts are matched in slices of this size. */
export const CUSTOM_REGEX_SLICE = 20_000;
/** A custom regular expression that runs longer than this on one slice is stopped (catastrophic backtracking). */
export const CUSTOM_REGEX_TIMEOUT_MS = 250;

export const MaskRule = z
  .object({
    /** Stable id: a built-in's name, or the name the user gave. */
    name: z.string(),
    kind: z.enum(MASK_RULE_KINDS),
    enabled: z.boolean(),
    /** English description (the UI shows its own translation of a built-in's). */
    description: z.string(),
    /** The regular expression (built-ins and custom); for a names rule, the expression built from the list. */
    pattern: z.string(),
    /** What a match becomes, e.g. [PHONE]. */
    replacement: z.string(),
    /** A names rule's list. */
    names: z.array(z.string()).readonly().optional(),
    caseInsensitive: z.boolean().optional(),
  })
  .readonly();
export type MaskRule = z.output<typeof MaskRule>;

/** One masked (or, in a preview, to-be-masked) span: offsets in UTF-16 code units of the text it was found in. */
export const MaskSpan = z.object({ start: z.number(), end: z.number(), rule: z.string() }).readonly();
export type MaskSpan = z.output<typeof MaskSpan>;

export const MaskResult = z
  .object({
    text: z.string(),
    masked: z.number(),
    /** Spans of the replacements in the masked text. */
    spans: z.array(MaskSpan).readonly(),
    /** Matches per rule name. */
    perRule: z.record(z.string(), z.number()).readonly(),
  })
  .readonly();
export type MaskResult = z.output<typeof MaskResult>;

export const MaskPreview = z
  .object({
    /** Documents looked at (a sample of the project's, spread over it). */
    documents: z.number(),
    /** Documents in the project (not excluded). */
    total: z.number(),
    /** Every enabled rule, in order, with its matches and the documents it touches in the sample. */
    perRule: z
      .array(z.object({ rule: z.string(), matches: z.number(), documents: z.number() }).readonly())
      .readonly(),
    /** A few sample documents with a match: their text as it is, and the spans that would be masked. */
    samples: z
      .array(z.object({ id: z.number(), text: z.string(), spans: z.array(MaskSpan).readonly() }).readonly())
      .readonly(),
  })
  .readonly();
export type MaskPreview = z.output<typeof MaskPreview>;

const ruleName = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}_ -]+$/u, 'A rule name is letters, digits, spaces, "-" or "_"')
  .describe('Name of the rule');

const replacement = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[^\n\r]+$/, 'The replacement is one line')
  .describe('What a match becomes (default: the name in capitals, in brackets)');

export const AddMaskRule = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('names'),
    name: ruleName,
    names: z
      .array(z.string().trim().min(1).max(200))
      .min(1, 'Give at least one name')
      .max(20_000)
      .describe('The names to mask (exact, any case, whole words)'),
    replacement: replacement.optional(),
  }),
  z.object({
    kind: z.literal('regex'),
    name: ruleName,
    pattern: z.string().min(1).max(2000).describe('A JavaScript regular expression'),
    caseInsensitive: z.boolean().default(false),
    replacement: replacement.optional(),
  }),
]);
export type AddMaskRuleInput = z.input<typeof AddMaskRule>;

const projectId = z.number().int().positive();
const MaskRules = z.array(MaskRule);

export const maskingContract = {
  /** The rules: of a project (built-ins with their state, then the user's), or the built-ins' defaults. */
  'dataset.maskRules': channel(MaskRules)(z.object({ projectId: projectId.optional() })),
  /** Applies the rules (a project's, or the defaults) to a text, for trying them out. */
  'dataset.maskText': channel(MaskResult)(
    z.object({ text: z.string().max(100_000), projectId: projectId.optional() }),
  ),
  /** Adds a names or regular-expression rule to a project (validated: a bad expression is refused). */
  'dataset.maskAddRule': channel(MaskRules)(z.object({ projectId, rule: AddMaskRule })),
  /** Switches a rule on or off. */
  'dataset.maskSetEnabled': channel(MaskRules)(
    z.object({ projectId, name: z.string().min(1), enabled: z.boolean() }),
  ),
  /** Removes a rule the user added (built-ins are switched off instead). */
  'dataset.maskRemoveRule': channel(MaskRules)(z.object({ projectId, name: z.string().min(1) })),
  /** Counts per rule on a sample of the project's documents, with a few highlighted examples. */
  'dataset.maskPreview': channel(MaskPreview)(
    z.object({ projectId, sample: z.number().int().min(1).max(5000).default(500) }),
  ),
};
