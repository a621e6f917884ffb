import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { ImportConflict, ImportProblem, ImportReport } from '../../../shared/review';
import { annotationWriter } from '../../core/annotations';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import { projectKind, projectLabels, TEACHER_ACCEPT_SOURCES } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { storedNumbers } from '../../core/store/storedJson';

/**
 * Annotations travel between air-gapped machines as JSONL: one annotator's current label of one document per line.
 * Documents are matched by a hash of their imported text (both machines imported the same data), labels by name.
 * A single-label project's line has `label` (a name); a multi-label project's has `labels` (the whole set of names,
 * [] meaning "none of these"), never both.
 */
const LineSchema = z.object({
  textHash: z.string().min(8).max(128),
  externalId: z.string().max(500).nullable().optional(),
  label: z.string().min(1).max(500).optional(),
  labels: z.array(z.string().min(1).max(500)).max(10_000).optional(),
  annotator: z.string().trim().min(1).max(100),
  source: z.string().max(50).optional(),
  acceptedTeacher: z.boolean().nullable().optional(),
  timeSpentMs: z.number().int().min(0).nullable().optional(),
  createdAt: z.iso.datetime(),
});
type Line = z.infer<typeof LineSchema>;

function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * Every annotator's current label of each document (imported labels stay out: the other machine has them); in a
 * multi-label project every annotator's current label set, as names.
 */
export function exportAnnotations(
  db: Db,
  projectId: number,
  annotator?: string,
): { jsonl: string; count: number } {
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
  const multi = projectKind(db, projectId) === 'multi';
  const names = new Map(projectLabels(db, projectId).map((l) => [l.id, l.name]));
  const rows = db
    .prepare(
      `SELECT e.id AS exampleId, COALESCE(e.original_text, e.text) AS text, e.external_id AS externalId, a.label_id AS labelId,
              a.label_set AS labelSet, a.annotator, a.source, a.accepted_teacher AS acceptedTeacher,
              a.time_spent_ms AS timeSpentMs, a.created_at AS createdAt
       FROM ${multi ? 'annotator_label_sets' : 'annotator_labels'} a JOIN examples e ON e.id = a.example_id
       WHERE a.project_id = ? AND a.source <> 'import' AND (? IS NULL OR a.annotator = ?)
       ORDER BY a.id`,
    )
    .all(projectId, annotator ?? null, annotator ?? null) as Array<{
    exampleId: number;
    text: string;
    externalId: string | null;
    labelId: number | null;
    labelSet: string | null;
    annotator: string;
    source: string;
    acceptedTeacher: number | null;
    timeSpentMs: number | null;
    createdAt: string;
  }>;
  const lines: string[] = [];
  for (const r of rows) {
    const answer = multi
      ? {
          labels: (r.labelSet === null
            ? []
            : storedNumbers(r.labelSet, 'annotations.label_set', r.exampleId)
          ).flatMap((id) => names.get(id) ?? []),
        }
      : { label: names.get(r.labelId ?? -1) };
    if (!multi && answer.label === undefined) continue;
    lines.push(
      JSON.stringify({
        textHash: textHash(r.text),
        externalId: r.externalId,
        ...answer,
        annotator: r.annotator,
        source: r.source,
        acceptedTeacher: r.acceptedTeacher === null ? null : r.acceptedTeacher === 1,
        timeSpentMs: r.timeSpentMs,
        createdAt: r.createdAt,
      }),
    );
  }
  return { jsonl: lines.length ? lines.join('\n') + '\n' : '', count: lines.length };
}

interface Resolved {
  line: number;
  row: Line;
  exampleId: number;
  /** Single-label: the label; multi-label: null. */
  labelId: number | null;
  /** Multi-label: the canonical set (sorted ids); single-label: null. */
  labelSet: number[] | null;
}

const NONE_OF_THESE = '(none of these)';

/** A set of label names as one line of text ("a, b"; the empty set is "(none of these)"). */
function setText(names: readonly string[]): string {
  return names.length === 0 ? NONE_OF_THESE : names.join(', ');
}

/** Why a line's answer does not fit the project's kind, or null when it does. */
function kindProblem(row: Line, multi: boolean): string | null {
  if (row.label !== undefined && row.labels !== undefined) {
    return 'This line has both "label" and "labels": give one label ("label") or a set ("labels"), not both.';
  }
  if (multi && row.labels === undefined) {
    return row.label !== undefined
      ? 'This is a multi-label project: the line needs "labels", the list of label names that apply ' +
          '([] for none of these), not one "label". Export the annotations from a multi-label project.'
      : 'labels: the list of label names that apply is missing ([] for none of these).';
  }
  if (!multi && row.label === undefined) {
    return row.labels !== undefined
      ? 'This is a single-label project: the line needs one "label", but it holds a set ("labels"). ' +
          'Import it into a multi-label project.'
      : 'label: the label name is missing.';
  }
  return null;
}

/** Largest annotation file read (about 2 million annotations of a few hundred bytes). */
export const MAX_ANNOTATION_FILE_BYTES = 512 * 1024 * 1024;

/** The JSONL of a review.import request: given inline, or read from its file (a path or an upload). */
export function annotationText(input: { jsonl?: string; path?: string }): string {
  if ((input.jsonl === undefined) === (input.path === undefined)) {
    throw AppError.keyed('INVALID_INPUT', 'review.giveEitherAnnotationsFile', {});
  }
  if (input.jsonl !== undefined) return input.jsonl;
  const path = input.path as string;
  let st;
  try {
    st = statSync(path);
  } catch {
    throw AppError.keyed('NOT_FOUND', 'review.cannotReadCheckPath', { path });
  }
  if (!st.isFile()) throw AppError.keyed('BAD_FILE', 'review.regularFileChooseJsonl', { path });
  if (st.size > MAX_ANNOTATION_FILE_BYTES) {
    throw AppError.keyed('TOO_LARGE', 'review.mbAnnotationFilesUp', {
      path,
      p1: Math.round(st.size / 1024 / 1024),
      p2: MAX_ANNOTATION_FILE_BYTES / 1024 / 1024,
    });
  }
  const buf = readFileSync(path);
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Merges annotations from another machine. Unknown documents or labels and malformed lines are reported, and then
 * nothing is imported unless `allowPartial`. A line whose label differs from a document's current label is a
 * conflict: skipped (ours kept) or, with `theirs`, imported as the newest label. Importing the same file twice
 * adds nothing the second time. In a multi-label project the same holds for whole label sets: a set naming a label
 * the project lacks is an unknown label (the line is not imported in part), and two sets conflict when they differ.
 */
export function importAnnotations(
  db: Db,
  projectId: number,
  jsonl: string,
  opts: { dryRun: boolean; allowPartial: boolean; onConflict: 'skip' | 'theirs'; actor: string },
): ImportReport {
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
  const labels = projectLabels(db, projectId);
  const multi = projectKind(db, projectId) === 'multi';
  const labelByName = new Map(labels.map((l) => [l.name, l.id]));
  const labelByLower = new Map(labels.map((l) => [l.name.toLowerCase(), l.id]));
  const byHash = new Map<string, number>();
  const byExternal = new Map<string, number>();
  const examples = db
    .prepare(
      'SELECT id, COALESCE(original_text, text) AS text, external_id FROM examples WHERE project_id = ? AND excluded = 0 ORDER BY id',
    )
    .iterate(projectId) as IterableIterator<{ id: number; text: string; external_id: string | null }>;
  for (const e of examples) {
    const h = textHash(e.text);
    if (!byHash.has(h)) byHash.set(h, e.id);
    if (e.external_id !== null && !byExternal.has(e.external_id)) byExternal.set(e.external_id, e.id);
  }

  const invalid: ImportProblem[] = [];
  const unknownExamples: ImportProblem[] = [];
  const unknownLabels: ImportProblem[] = [];
  const resolved: Resolved[] = [];
  const rawLines = jsonl.split(/\r?\n/);
  let lines = 0;
  rawLines.forEach((text, i) => {
    if (!text.trim()) return;
    lines++;
    const lineNo = i + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      invalid.push({ line: lineNo, message: 'This line is not valid JSON.' });
      return;
    }
    const r = LineSchema.safeParse(parsed);
    if (!r.success) {
      const issue = r.error.issues[0];
      invalid.push({
        line: lineNo,
        message: `${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`,
      });
      return;
    }
    const row = r.data;
    const wrongKind = kindProblem(row, multi);
    if (wrongKind !== null) {
      invalid.push({ line: lineNo, message: wrongKind });
      return;
    }
    const exampleId =
      byHash.get(row.textHash) ?? (row.externalId ? byExternal.get(row.externalId) : undefined) ?? null;
    const find = (name: string): number | null =>
      labelByName.get(name) ?? labelByLower.get(name.toLowerCase()) ?? null;
    if (exampleId === null) {
      unknownExamples.push({
        line: lineNo,
        message: `No document of this project matches ${row.externalId ? `"${row.externalId}"` : row.textHash}.`,
      });
    }
    if (multi) {
      const names = row.labels ?? [];
      const missing = [...new Set(names.filter((n) => find(n) === null))];
      if (missing.length > 0) {
        const quoted = missing.map((n) => `"${n}"`).join(', ');
        unknownLabels.push({
          line: lineNo,
          message:
            missing.length === 1
              ? `The label ${quoted} of the set ${setText(names)} is not in this project. Add it under Labels, or leave this line out.`
              : `The labels ${quoted} of the set ${setText(names)} are not in this project. Add them under Labels, or leave this line out.`,
        });
      } else if (exampleId !== null) {
        const labelSet = [...new Set(names.map((n) => find(n) as number))].sort((a, b) => a - b);
        resolved.push({ line: lineNo, row, exampleId, labelId: null, labelSet });
      }
      return;
    }
    const labelId = find(row.label as string);
    if (labelId === null)
      unknownLabels.push({ line: lineNo, message: `The label "${row.label}" is not in this project.` });
    if (exampleId !== null && labelId !== null)
      resolved.push({ line: lineNo, row, exampleId, labelId, labelSet: null });
  });

  // An answer as comparable text: the label id, or the canonical set (as annotations.label_set stores it).
  const key = (r: Resolved): string => (multi ? JSON.stringify(r.labelSet) : String(r.labelId));
  const nameOf = new Map(labels.map((l) => [l.id, l.name]));
  const current = db.prepare(
    multi
      ? 'SELECT label_set AS value, annotator FROM human_label_sets WHERE example_id = ?'
      : 'SELECT CAST(label_id AS TEXT) AS value, annotator FROM human_labels WHERE example_id = ?',
  );
  const annotatorsCurrent = db.prepare(
    multi
      ? 'SELECT label_set FROM annotator_label_sets WHERE example_id = ? AND annotator = ?'
      : 'SELECT CAST(label_id AS TEXT) FROM annotator_labels WHERE example_id = ? AND annotator = ?',
  );
  const conflicts: ImportConflict[] = [];
  const toInsert: Array<Resolved & { createdAt: string }> = [];
  let duplicates = 0;
  const now = nowIso();
  for (const r of resolved) {
    const mine = annotatorsCurrent.pluck().get(r.exampleId, r.row.annotator) as string | undefined;
    if (mine === key(r)) {
      duplicates++;
      continue;
    }
    const cur = current.get(r.exampleId) as { value: string; annotator: string } | undefined;
    if (cur && cur.value !== key(r)) {
      const currentNames = multi
        ? storedNumbers(cur.value, 'annotations.label_set', r.exampleId).map(
            (id) => nameOf.get(id) ?? `#${id}`,
          )
        : [nameOf.get(Number(cur.value)) ?? `#${cur.value}`];
      const importedNames = multi ? (r.labelSet ?? []).map((id) => nameOf.get(id) ?? `#${id}`) : [];
      conflicts.push({
        line: r.line,
        exampleId: r.exampleId,
        currentLabel: multi ? setText(currentNames) : currentNames[0],
        currentAnnotator: cur.annotator,
        importedLabel: multi ? setText(importedNames) : (r.row.label as string),
        importedAnnotator: r.row.annotator,
        ...(multi ? { currentLabels: currentNames, importedLabels: importedNames } : {}),
      });
      if (opts.onConflict === 'theirs') toInsert.push({ ...r, createdAt: now });
      continue;
    }
    toInsert.push({ ...r, createdAt: r.row.createdAt });
  }
  const problems = invalid.length + unknownExamples.length + unknownLabels.length;
  const refuse = problems > 0 && !opts.allowPartial;
  const report = { lines, duplicates, unknownExamples, unknownLabels, invalid, conflicts };
  if (opts.dryRun || refuse) return { ...report, imported: 0, dryRun: true };

  db.transaction(() => {
    const add = annotationWriter(db);
    for (const r of toInsert) {
      add({
        projectId,
        exampleId: r.exampleId,
        labelId: r.labelId,
        labelSet: r.labelSet,
        annotator: r.row.annotator,
        // A teacher label accepted elsewhere stays one here: it must not become gold by travelling.
        source: (TEACHER_ACCEPT_SOURCES as readonly string[]).includes(r.row.source ?? '')
          ? 'teacher_accept'
          : 'merge',
        acceptedTeacher: r.row.acceptedTeacher ?? null,
        timeSpentMs: r.row.timeSpentMs ?? null,
        createdAt: r.createdAt,
      });
    }
    audit(db, {
      projectId,
      actor: opts.actor,
      action: 'import_annotations',
      entity: 'annotation',
      details: {
        imported: toInsert.length,
        duplicates,
        conflicts: conflicts.length,
        onConflict: opts.onConflict,
        skippedProblems: problems,
      },
    });
  })();
  return { ...report, imported: toInsert.length, dryRun: false };
}
