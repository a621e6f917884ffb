import { z } from 'zod';
import type { TeacherMode } from './teacher';

/** The teacher's prompts: the prompt lab's versions, diffs and trials, and the default templates. */

/** What a prompt version holds, and what can change from one version to the next. */
export const PROMPT_VERSION_FIELDS = ['template', 'task', 'mode', 'fewShot'] as const;
export type PromptVersionField = (typeof PROMPT_VERSION_FIELDS)[number];

/** A named prompt saved in a project's prompt lab; never edited: a change is saved as a new version. */
export interface PromptVersion {
  readonly id: number;
  readonly projectId: number;
  /** 1, 2, 3... within the project. */
  readonly number: number;
  readonly name: string;
  readonly template: string;
  /** The task description {{task}} is replaced by. */
  readonly task: string;
  readonly mode: TeacherMode;
  readonly fewShot: number;
  /** Who saved it: the logged-in person in team mode, the local user's name otherwise. */
  readonly createdBy: string;
  readonly createdAt: string;
  /** What differs from the version before it (every field for the first version). */
  readonly changed: readonly PromptVersionField[];
}

/** One line of a line diff: kept, added in the newer text, or removed from the older one (1-based line numbers). */
export interface DiffLine {
  readonly kind: 'same' | 'added' | 'removed';
  readonly text: string;
  readonly oldLine: number | null;
  readonly newLine: number | null;
}

export interface PromptDiff {
  readonly from: PromptVersion;
  readonly to: PromptVersion;
  readonly changed: readonly PromptVersionField[];
  readonly template: readonly DiffLine[];
  readonly task: readonly DiffLine[];
}

/** The exact text the teacher reads for one document. */
export interface PromptText {
  readonly exampleId: number;
  /** The user turn: the template with task, labels, few-shot examples and this document's text filled in. */
  readonly userTurn: string;
  /**
   * The whole prompt after the model's chat template, as the model reads it (before the label it scores), and its
   * length in tokens; null for a remote teacher, whose server applies its own template.
   */
  readonly modelText: string | null;
  readonly tokens: number | null;
}

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
