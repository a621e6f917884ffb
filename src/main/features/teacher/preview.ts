import { type PreviewItem } from '../../../shared/teacher';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import {
  promptFor,
  resolveTeacher,
  settingsOf,
  templateOf,
  toDistribution,
  toLabelProbabilities,
  type TeacherChoice,
} from './choice';

/** The live preview: a handful of the project's examples (or given texts) with their distributions. */
export async function preview(
  ctx: CoreContext,
  c: TeacherChoice & { exampleIds?: readonly number[]; texts?: readonly string[]; count: number },
): Promise<PreviewItem[]> {
  const built = promptFor(ctx, c);
  const s = settingsOf(c);
  const teacher = resolveTeacher(ctx, c.modelId, s);
  let items: Array<{ id: number; exampleId: number | null; text: string }>;
  if (c.texts?.length) {
    items = c.texts.map((text, i) => ({ id: i + 1, exampleId: null, text }));
  } else {
    const rows = c.exampleIds?.length
      ? (ctx.db
          .prepare(
            `SELECT id, text FROM examples WHERE project_id = ? AND excluded = 0 AND id IN (${c.exampleIds.map(() => '?').join(',')}) ORDER BY id`,
          )
          .all(c.projectId, ...c.exampleIds) as Array<{ id: number; text: string }>)
      : (ctx.db
          .prepare(
            "SELECT id, text FROM examples WHERE project_id = ? AND excluded = 0 AND trim(text) != '' ORDER BY id LIMIT ?",
          )
          .all(c.projectId, c.count) as Array<{ id: number; text: string }>);
    if (!rows.length) {
      throw AppError.keyed('INVALID_INPUT', 'teacher.projectHasExamplesPreview', {});
    }
    items = rows.map((r) => ({ id: r.id, exampleId: r.id, text: r.text }));
  }
  const empty = items.find((i) => !i.text.trim());
  if (empty) throw AppError.keyed('INVALID_INPUT', 'teacher.oneTextsEmptyTeacher', {});
  const scorer = await teacher.scorer();
  const results = await scorer.score(
    built.plan,
    items.map((i) => ({ id: i.id, text: i.text })),
  );
  const labels = built.labels.map((l) => ({ id: l.id, name: l.name }));
  if (built.plan.multi) {
    return items.map((item, i) => {
      const lp = toLabelProbabilities(labels, results[i]);
      return {
        exampleId: item.exampleId,
        text: item.text,
        distribution: null,
        labelProbabilities: lp,
        error: lp ? null : (results[i].error ?? 'The model produced invalid numbers for this example.'),
      };
    });
  }
  return items.map((item, i) => {
    const d = toDistribution(labels, results[i]);
    return {
      exampleId: item.exampleId,
      text: item.text,
      distribution: d,
      error: d ? null : (results[i].error ?? 'The model produced invalid numbers for this example.'),
    };
  });
}

export async function promptPreview(
  ctx: CoreContext,
  c: TeacherChoice,
): Promise<{ template: string; rendered: string }> {
  const built = promptFor(ctx, c);
  const first = ctx.db
    .prepare(
      "SELECT text FROM examples WHERE project_id = ? AND excluded = 0 AND trim(text) != '' ORDER BY id LIMIT 1",
    )
    .get(c.projectId) as { text: string } | undefined;
  return {
    template: templateOf(ctx.db, c),
    rendered: built.rendered.replace('{{text}}', first?.text ?? '…'),
  };
}
