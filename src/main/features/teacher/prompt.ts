import { DEFAULT_PROMPT_TEMPLATE, type TeacherMode } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import { humanLabelSets, humanLabels, projectLabels, type LabelRow } from '../../core/labels';
import type { Db } from '../../core/store/db';
import type { PromptPlan } from './protocol';

const FEW_SHOT_CHARS = 600;

/** A label set the teacher can score: at least two labels, distinct names, none empty. */
export function checkLabels(labels: readonly Pick<LabelRow, 'name'>[]): void {
  if (labels.length < 2) {
    throw labels.length === 0
      ? AppError.keyed('INVALID_INPUT', 'teacher.noLabelsAddTwo')
      : AppError.keyed('INVALID_INPUT', 'teacher.needsTwoLabels', { name: labels[0].name });
  }
  const seen = new Map<string, string>();
  for (const l of labels) {
    const key = l.name.trim().toLowerCase();
    if (!key) throw AppError.keyed('INVALID_INPUT', 'teacher.labelHasEmptyName', {});
    const other = seen.get(key);
    if (other !== undefined) {
      throw AppError.keyed('INVALID_INPUT', 'teacher.labelsSameTeacherRename', { other, name: l.name });
    }
    seen.set(key, l.name);
  }
}

export function checkTemplate(template: string): void {
  const count = template.split('{{text}}').length - 1;
  if (count !== 1) {
    throw AppError.keyed(
      'INVALID_INPUT',
      count === 0 ? 'teacher.templateNeedsText' : 'teacher.templateTextTwice',
    );
  }
}

/** Few-shot examples from human-labelled training data: round-robin over labels, oldest first, deterministic. */
function fewShotBlock(db: Db, projectId: number, labels: readonly LabelRow[], count: number): string {
  if (count <= 0) return '';
  const human = humanLabels(db, projectId, { split: 'train' });
  const byLabel = new Map<number, number[]>();
  for (const [exampleId, labelId] of [...human.entries()].sort((a, b) => a[0] - b[0])) {
    const list = byLabel.get(labelId) ?? [];
    list.push(exampleId);
    byLabel.set(labelId, list);
  }
  const picked: Array<{ exampleId: number; label: string }> = [];
  for (let round = 0; picked.length < count; round++) {
    let any = false;
    for (const l of labels) {
      const id = byLabel.get(l.id)?.[round];
      if (id === undefined) continue;
      any = true;
      if (picked.length < count) picked.push({ exampleId: id, label: l.name });
    }
    if (!any) break;
  }
  if (!picked.length) return '';
  const get = db.prepare('SELECT text FROM examples WHERE id = ?');
  const lines = picked.map(({ exampleId, label }) => {
    const text = (get.get(exampleId) as { text: string }).text;
    const shown = text.length > FEW_SHOT_CHARS ? `${text.slice(0, FEW_SHOT_CHARS)}…` : text;
    return `Text: ${shown}\nLabel: ${label}`;
  });
  return `\nExamples:\n${lines.join('\n\n')}\n\n`;
}

export interface BuiltPrompt {
  readonly plan: PromptPlan;
  /** The exact user turn with {{text}} left in place: stored with every run. */
  readonly rendered: string;
  readonly labels: readonly LabelRow[];
}

/** Fills the template with the project's task, labels and few-shot examples. */
export function buildPrompt(
  db: Db,
  projectId: number,
  opts: { template?: string; task?: string; fewShot: number; mode: TeacherMode; reasoningBudget: number },
): BuiltPrompt {
  const labels = projectLabels(db, projectId);
  checkLabels(labels);
  const template = opts.template ?? DEFAULT_PROMPT_TEMPLATE;
  checkTemplate(template);
  const project = db.prepare('SELECT name, task_description FROM projects WHERE id = ?').get(projectId) as
    { name: string; task_description: string } | undefined;
  if (!project) throw AppError.keyed('NOT_FOUND', 'teacher.projectDoesExistMay', { projectId });
  const task =
    (opts.task ?? project.task_description).trim() || `Classify texts for the project "${project.name}".`;
  const labelList = labels
    .map((l) => `- ${l.name}${l.description.trim() ? `: ${l.description.trim()}` : ''}`)
    .join('\n');
  const rendered = template
    .replaceAll('{{task}}', task)
    .replaceAll('{{labels}}', labelList)
    .replaceAll('{{examples}}', fewShotBlock(db, projectId, labels, opts.fewShot));
  const [before, after] = rendered.split('{{text}}');
  return {
    plan: {
      before,
      after,
      labels: labels.map((l) => l.name),
      mode: opts.mode,
      reasoningBudget: opts.reasoningBudget,
    },
    rendered,
    labels,
  };
}

// ---------- multi-label projects: one yes/no question per label ----------

/** Answer words of a multi-label prompt, by the template's language: Chinese characters mean 是/否. */
const ANSWERS = {
  en: {
    yes: ['yes', 'Yes'],
    no: ['no', 'No'],
    text: 'Text',
    labels: 'Labels',
    none: 'none',
    examples: 'Examples',
  },
  zh: { yes: ['是'], no: ['否'], text: '文字', labels: '标签', none: '无', examples: '示例' },
} as const;

function templateLanguage(template: string): 'en' | 'zh' {
  return /[\u4e00-\u9fff]/.test(template) ? 'zh' : 'en';
}

/** A multi-label template: {{text}} once, then the per-label question with {{label}}, which may not come before it. */
export function checkMultiLabelTemplate(template: string): void {
  checkTemplate(template);
  const [before, after] = template.split('{{text}}');
  if (before.includes('{{label}}') || before.includes('{{description}}')) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.multiLabelPromptBelongs', {});
  }
  if (!after.includes('{{label}}')) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.multiLabelPromptAsks', {});
  }
}

/** Few-shot examples with their label sets (round-robin over labels, then documents with none; oldest first). */
function fewShotSetsBlock(
  db: Db,
  projectId: number,
  labels: readonly LabelRow[],
  count: number,
  words: (typeof ANSWERS)[keyof typeof ANSWERS],
): string {
  if (count <= 0) return '';
  const sets = [...humanLabelSets(db, projectId, { split: 'train' }).entries()].sort((a, b) => a[0] - b[0]);
  const buckets = [
    ...labels.map((l) => sets.filter(([, s]) => s.includes(l.id))),
    sets.filter(([, s]) => !s.length),
  ];
  const picked = new Map<number, number[]>();
  for (let round = 0; picked.size < count; round++) {
    let any = false;
    for (const bucket of buckets) {
      const next = bucket.filter(([id]) => !picked.has(id))[0];
      if (!next || picked.size >= count) continue;
      any = true;
      picked.set(next[0], next[1]);
    }
    if (!any || round > count) break;
  }
  if (!picked.size) return '';
  const name = new Map(labels.map((l) => [l.id, l.name]));
  const get = db.prepare('SELECT text FROM examples WHERE id = ?').pluck();
  const lines = [...picked.entries()].map(([id, set]) => {
    const text = get.get(id) as string;
    const shown = text.length > FEW_SHOT_CHARS ? `${text.slice(0, FEW_SHOT_CHARS)}…` : text;
    const names = set.map((l) => name.get(l)).filter((n): n is string => n !== undefined);
    return `${words.text}: ${shown}\n${words.labels}: ${names.length ? names.join(', ') : words.none}`;
  });
  return `\n${words.examples}:\n${lines.join('\n\n')}\n\n`;
}

/**
 * A multi-label project's prompt: the template up to {{text}} and the text are shared by every label; what follows
 * {{text}}, with {{label}} and {{description}} filled in, is each label's question. The host evaluates the shared
 * part once per document.
 */
export function buildMultiLabelPrompt(
  db: Db,
  projectId: number,
  opts: { template: string; task?: string; fewShot: number; mode: TeacherMode; reasoningBudget: number },
): BuiltPrompt {
  if (opts.mode !== 'direct') {
    throw AppError.keyed('INVALID_INPUT', 'teacher.multiLabelTeacherAnswers', {});
  }
  const labels = projectLabels(db, projectId);
  if (!labels.length) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.projectHasLabelsYet', {});
  }
  checkLabels(labels.length === 1 ? [...labels, { name: `${labels[0].name} (other)` }] : labels);
  checkMultiLabelTemplate(opts.template);
  const project = db.prepare('SELECT name, task_description FROM projects WHERE id = ?').get(projectId) as
    { name: string; task_description: string } | undefined;
  if (!project) throw AppError.keyed('NOT_FOUND', 'teacher.projectDoesExistMay', { projectId });
  const words = ANSWERS[templateLanguage(opts.template)];
  const task =
    (opts.task ?? project.task_description).trim() || `Label texts for the project "${project.name}".`;
  const labelList = labels
    .map((l) => `- ${l.name}${l.description.trim() ? `: ${l.description.trim()}` : ''}`)
    .join('\n');
  const rendered = opts.template
    .replaceAll('{{task}}', task)
    .replaceAll('{{labels}}', labelList)
    .replaceAll('{{examples}}', fewShotSetsBlock(db, projectId, labels, opts.fewShot, words));
  const [before, question] = rendered.split('{{text}}');
  return {
    plan: {
      before,
      after: '',
      labels: labels.map((l) => l.name),
      mode: 'direct',
      reasoningBudget: opts.reasoningBudget,
      multi: {
        questions: labels.map((l) =>
          question
            .replaceAll('{{label}}', l.name)
            .replaceAll('{{description}}', l.description.trim() || l.name),
        ),
        yes: [...words.yes],
        no: [...words.no],
      },
    },
    rendered,
    labels,
  };
}
