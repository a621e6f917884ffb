import { DEFAULT_PROMPT_TEMPLATE, type TeacherMode } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import { humanLabels, projectLabels, type LabelRow } from '../../core/labels';
import type { Db } from '../../core/store/db';
import type { PromptPlan } from './protocol';

const FEW_SHOT_CHARS = 600;

/** A label set the teacher can score: at least two labels, distinct names, none empty. */
export function checkLabels(labels: readonly Pick<LabelRow, 'name'>[]): void {
  if (labels.length < 2) {
    throw new AppError(
      'INVALID_INPUT',
      labels.length === 0
        ? 'This project has no labels yet. Add at least two labels in the Data step before running the teacher.'
        : `The teacher needs at least two labels to choose between; this project has only "${labels[0].name}". Add another label.`,
    );
  }
  const seen = new Map<string, string>();
  for (const l of labels) {
    const key = l.name.trim().toLowerCase();
    if (!key) throw new AppError('INVALID_INPUT', 'A label has an empty name. Give every label a name.');
    const other = seen.get(key);
    if (other !== undefined) {
      throw new AppError(
        'INVALID_INPUT',
        `The labels "${other}" and "${l.name}" are the same to the teacher. Rename or merge one of them.`,
      );
    }
    seen.set(key, l.name);
  }
}

export function checkTemplate(template: string): void {
  const count = template.split('{{text}}').length - 1;
  if (count !== 1) {
    throw new AppError(
      'INVALID_INPUT',
      count === 0
        ? 'The prompt template must contain {{text}} where each example goes.'
        : 'The prompt template must contain {{text}} only once.',
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
  if (!project)
    throw new AppError('NOT_FOUND', `Project ${projectId} does not exist (it may have been deleted).`);
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
