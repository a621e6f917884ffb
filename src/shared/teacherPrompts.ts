import { z } from 'zod';

/** The teacher's prompts: the prompt lab's versions, diffs and trials, and the default templates. */

/** How the teacher answers: the label directly, or after thinking (DeepSeek-R1's think block, within a budget). */
export const TEACHER_MODES = ['direct', 'reasoning'] as const;
export type TeacherMode = (typeof TEACHER_MODES)[number];

/** What a prompt version holds, and what can change from one version to the next. */
export const PROMPT_VERSION_FIELDS = ['template', 'task', 'mode', 'fewShot'] as const;
export type PromptVersionField = (typeof PROMPT_VERSION_FIELDS)[number];

/** A named prompt saved in a project's prompt lab; never edited: a change is saved as a new version. */
export const PromptVersion = z
  .object({
    id: z.number(),
    projectId: z.number(),
    /** 1, 2, 3... within the project. */
    number: z.number(),
    name: z.string(),
    template: z.string(),
    /** The task description {{task}} is replaced by. */
    task: z.string(),
    mode: z.enum(TEACHER_MODES),
    fewShot: z.number(),
    /** Who saved it: the logged-in person in team mode, the local user's name otherwise. */
    createdBy: z.string(),
    createdAt: z.string(),
    /** What differs from the version before it (every field for the first version). */
    changed: z.array(z.enum(PROMPT_VERSION_FIELDS)).readonly(),
  })
  .readonly();
export type PromptVersion = z.output<typeof PromptVersion>;

/** One line of a line diff: kept, added in the newer text, or removed from the older one (1-based line numbers). */
export const DiffLine = z
  .object({
    kind: z.enum(['same', 'added', 'removed']),
    text: z.string(),
    oldLine: z.number().nullable(),
    newLine: z.number().nullable(),
  })
  .readonly();
export type DiffLine = z.output<typeof DiffLine>;

export const PromptDiff = z
  .object({
    from: PromptVersion,
    to: PromptVersion,
    changed: z.array(z.enum(PROMPT_VERSION_FIELDS)).readonly(),
    template: z.array(DiffLine).readonly(),
    task: z.array(DiffLine).readonly(),
  })
  .readonly();
export type PromptDiff = z.output<typeof PromptDiff>;

/** The exact text the teacher reads for one document. */
export const PromptText = z
  .object({
    exampleId: z.number(),
    /** The user turn: the template with task, labels, few-shot examples and this document's text filled in. */
    userTurn: z.string(),
    /**
     * The whole prompt after the model's chat template, as the model reads it (before the label it scores), and its
     * length in tokens; null for a remote teacher, whose server applies its own template.
     */
    modelText: z.string().nullable(),
    tokens: z.number().nullable(),
  })
  .readonly();
export type PromptText = z.output<typeof PromptText>;

const TrialItem = z
  .object({
    exampleId: z.number(),
    text: z.string(),
    /** The document's human label, or null when it has none. */
    gold: z.string().nullable(),
    predicted: z.string().nullable(),
    confidence: z.number().nullable(),
    /** Null when there is no human label to compare with (or the model failed). */
    correct: z.boolean().nullable(),
    error: z.string().nullable(),
  })
  .readonly();
export type PromptTrialItem = z.output<typeof TrialItem>;

/**
 * The result of a `teacher.trial` job: a preview of one prompt on a few documents, and the teacher's accuracy on
 * those of them people labelled (Wilson 95% interval).
 */
export const PromptTrialResult = z
  .object({
    versionId: z.number().nullable(),
    versionName: z.string().nullable(),
    versionNumber: z.number().nullable(),
    source: z.enum(['picked', 'validation-sample']),
    items: z.array(TrialItem).readonly(),
    /** Documents with a human label and a teacher label: what the accuracy is computed on. */
    scored: z.number(),
    correct: z.number(),
    accuracy: z.object({
      value: z.number().nullable(),
      low: z.number().nullable(),
      high: z.number().nullable(),
    }),
  })
  .readonly();
export type PromptTrialResult = z.output<typeof PromptTrialResult>;
/** Placeholders of the prompt template. {{text}} marks where each example goes, exactly once. */
export const PROMPT_PLACEHOLDERS = ['{{task}}', '{{labels}}', '{{examples}}', '{{text}}'] as const;

export const DEFAULT_PROMPT_TEMPLATE =
  '{{task}}\n\nClassify the text into exactly one of these labels:\n{{labels}}\n{{examples}}' +
  'Answer with the label name only.\n\nText:\n{{text}}';

/**
 * Multi-label projects: the template holds the shared part (instructions, labels, examples, the text) and, after
 * {{text}}, one question asked once per label: {{label}} (and {{description}}) are that label's. The teacher's
 * probability that a label applies is P(yes) / (P(yes) + P(no)) of the answer's first words. A template with
 * Chinese characters is answered 是/否, any other yes/no (either case).
 */
export const DEFAULT_MULTI_LABEL_TEMPLATES = {
  en:
    '{{task}}\n\nA text may carry any number of these labels, or none of them:\n{{labels}}\n{{examples}}' +
    'Text:\n{{text}}\n\nDoes the label "{{label}}" apply to this text? Answer yes or no.',
  zh:
    '{{task}}\n\n一段文字可以带有以下任意多个标签，也可以一个都没有：\n{{labels}}\n{{examples}}' +
    '文字：\n{{text}}\n\n标签“{{label}}”适用于这段文字吗？只回答“是”或“否”。',
} as const;

/** The default template for a project of this kind in this language. */
export function defaultPromptTemplate(kind: 'single' | 'multi', language: string): string {
  if (kind === 'single') return DEFAULT_PROMPT_TEMPLATE;
  return language.startsWith('zh') ? DEFAULT_MULTI_LABEL_TEMPLATES.zh : DEFAULT_MULTI_LABEL_TEMPLATES.en;
}
