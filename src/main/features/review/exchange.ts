import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { ImportConflict, ImportProblem, ImportReport } from '../../../shared/review';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import { projectLabels, TEACHER_ACCEPT_SOURCES } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';

/**
 * Annotations travel between air-gapped machines as JSONL: one annotator's current label of one document per line.
 * Documents are matched by a hash of their imported text (both machines imported the same data), labels by name.
 */
const LineSchema = z.object({
  textHash: z.string().min(8).max(128),
  externalId: z.string().max(500).nullable().optional(),
  label: z.string().min(1).max(500),
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

/** Every annotator's current label of each document (imported labels stay out: the other machine has them). */
export function exportAnnotations(
  db: Db,
  projectId: number,
  annotator?: string,
): { jsonl: string; count: number } {
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
  const rows = db
    .prepare(
      `SELECT COALESCE(e.original_text, e.text) AS text, e.external_id AS externalId, l.name AS label,
              a.annotator, a.source, a.accepted_teacher AS acceptedTeacher, a.time_spent_ms AS timeSpentMs,
              a.created_at AS createdAt
       FROM annotator_labels a JOIN examples e ON e.id = a.example_id JOIN labels l ON l.id = a.label_id
       WHERE a.project_id = ? AND a.source <> 'import' AND (? IS NULL OR a.annotator = ?)
       ORDER BY a.id`,
    )
    .all(projectId, annotator ?? null, annotator ?? null) as Array<{
    text: string;
    externalId: string | null;
    label: string;
    annotator: string;
    source: string;
    acceptedTeacher: number | null;
    timeSpentMs: number | null;
    createdAt: string;
  }>;
  const lines = rows.map((r) =>
    JSON.stringify({
      textHash: textHash(r.text),
      externalId: r.externalId,
      label: r.label,
      annotator: r.annotator,
      source: r.source,
      acceptedTeacher: r.acceptedTeacher === null ? null : r.acceptedTeacher === 1,
      timeSpentMs: r.timeSpentMs,
      createdAt: r.createdAt,
    }),
  );
  return { jsonl: lines.length ? lines.join('\n') + '\n' : '', count: lines.length };
}

interface Resolved {
  line: number;
  row: Line;
  exampleId: number;
  labelId: number;
}

/** Largest annotation file read (about 2 million annotations of a few hundred bytes). */
export const MAX_ANNOTATION_FILE_BYTES = 512 * 1024 * 1024;

/** The JSONL of a review.import request: given inline, or read from its file (a path or an upload). */
export function annotationText(input: { jsonl?: string; path?: string }): string {
  if ((input.jsonl === undefined) === (input.path === undefined)) {
    throw new AppError('INVALID_INPUT', 'Give either the annotations file or its text, not both.');
  }
  if (input.jsonl !== undefined) return input.jsonl;
  const path = input.path as string;
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new AppError('NOT_FOUND', `Cannot read ${path}. Check the path.`);
  }
  if (!st.isFile()) throw new AppError('BAD_FILE', `${path} is not a regular file. Choose a .jsonl file.`);
  if (st.size > MAX_ANNOTATION_FILE_BYTES) {
    throw new AppError(
      'TOO_LARGE',
      `${path} is ${Math.round(st.size / 1024 / 1024)} MB; annotation files up to ${MAX_ANNOTATION_FILE_BYTES / 1024 / 1024} MB ` +
        'can be imported at once. Split it into parts and import each.',
    );
  }
  const buf = readFileSync(path);
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Merges annotations from another machine. Unknown documents or labels and malformed lines are reported, and then
 * nothing is imported unless `allowPartial`. A line whose label differs from a document's current label is a
 * conflict: skipped (ours kept) or, with `theirs`, imported as the newest label. Importing the same file twice
 * adds nothing the second time.
 */
export function importAnnotations(
  db: Db,
  projectId: number,
  jsonl: string,
  opts: { dryRun: boolean; allowPartial: boolean; onConflict: 'skip' | 'theirs'; actor: string },
): ImportReport {
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
  const labels = projectLabels(db, projectId);
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
    const exampleId =
      byHash.get(row.textHash) ?? (row.externalId ? byExternal.get(row.externalId) : undefined) ?? null;
    const labelId = labelByName.get(row.label) ?? labelByLower.get(row.label.toLowerCase()) ?? null;
    if (exampleId === null) {
      unknownExamples.push({
        line: lineNo,
        message: `No document of this project matches ${row.externalId ? `"${row.externalId}"` : row.textHash}.`,
      });
    }
    if (labelId === null)
      unknownLabels.push({ line: lineNo, message: `The label "${row.label}" is not in this project.` });
    if (exampleId !== null && labelId !== null) resolved.push({ line: lineNo, row, exampleId, labelId });
  });

  const current = db.prepare(
    `SELECT a.label_id AS labelId, a.annotator, l.name AS labelName FROM human_labels a JOIN labels l ON l.id = a.label_id
     WHERE a.example_id = ?`,
  );
  const annotatorsCurrent = db.prepare(
    'SELECT label_id AS labelId FROM annotator_labels WHERE example_id = ? AND annotator = ?',
  );
  const conflicts: ImportConflict[] = [];
  const toInsert: Array<Resolved & { createdAt: string }> = [];
  let duplicates = 0;
  const now = nowIso();
  for (const r of resolved) {
    const mine = annotatorsCurrent.get(r.exampleId, r.row.annotator) as { labelId: number } | undefined;
    if (mine?.labelId === r.labelId) {
      duplicates++;
      continue;
    }
    const cur = current.get(r.exampleId) as
      { labelId: number; annotator: string; labelName: string } | undefined;
    if (cur && cur.labelId !== r.labelId) {
      conflicts.push({
        line: r.line,
        exampleId: r.exampleId,
        currentLabel: cur.labelName,
        currentAnnotator: cur.annotator,
        importedLabel: r.row.label,
        importedAnnotator: r.row.annotator,
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
    const insert = db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, accepted_teacher, time_spent_ms, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of toInsert) {
      insert.run(
        projectId,
        r.exampleId,
        r.labelId,
        r.row.annotator,
        // A teacher label accepted elsewhere stays one here: it must not become gold by travelling.
        (TEACHER_ACCEPT_SOURCES as readonly string[]).includes(r.row.source ?? '')
          ? 'teacher_accept'
          : 'merge',
        r.row.acceptedTeacher === undefined || r.row.acceptedTeacher === null
          ? null
          : r.row.acceptedTeacher
            ? 1
            : 0,
        r.row.timeSpentMs ?? null,
        r.createdAt,
      );
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
