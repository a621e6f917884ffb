import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { TeacherImportLineError, TeacherRun } from '../../../shared/teacher';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getSettings } from '../app/settings';
import { getRun } from './runStore';
import { independentLabelColumns, projectKind } from '../../core/labels';
import { entropy, margin } from './scoring';
import { argmax } from '../../../shared/math';

/**
 * Teacher outputs made elsewhere (a GPU server running vLLM or llama.cpp), brought back as JSONL: one JSON object
 * per line, `{"id": "...", "probs": {"label": p, ...}}` or `{"text": "...", "logprobs": {"label": lp, ...}}`.
 * - `id` is the example's id from the imported data file (its id column); `text` matches examples with exactly
 *   that text. One of the two is required.
 * - `probs`: every label of the project may appear; a missing one has probability 0; the values must be finite,
 *   in [0, 1], and sum to 1 within SUM_TOLERANCE (they are then divided by their sum).
 *   Multi-label projects: each label's own probability that it applies, every label given, each in [0, 1], with
 *   no rule on their sum (stored as `independentLabelColumns` says).
 *   `logprobs`: finite or -Infinity-free log-probabilities (a missing label is probability 0), normalised the same
 *   way after exp.
 * - Blank lines are skipped. Any invalid line makes the whole import fail with every line's error (up to
 *   MAX_REPORTED), and nothing is written.
 * The run is stored like a local teacher's (teacher_runs, teacher_run_targets, teacher_outputs), with no model and
 * the file's SHA-256 as its fingerprint; it is not recalibrated (Calibrate does that on request).
 */
export const SUM_TOLERANCE = 0.01;
/** Imported multi-label probabilities of exactly 0 or 1 are stored as log-odds of -/+ this. */
const LOG_ODDS_LIMIT = 30;
export const MAX_REPORTED = 50;

export interface ParsedTeacherLine {
  readonly line: number;
  readonly exampleIds: readonly number[];
  readonly probs: readonly number[];
}

export interface ExampleLookup {
  byId(id: string): number[];
  byText(text: string): number[];
}

/** Parses and checks a JSONL file's text against the labels (in order) and the project's examples. */
export function parseTeacherJsonl(
  text: string,
  labels: readonly string[],
  examples: ExampleLookup,
  opts: { independent?: boolean } = {},
): { rows: ParsedTeacherLine[]; errors: TeacherImportLineError[] } {
  const rows: ParsedTeacherLine[] = [];
  const errors: TeacherImportLineError[] = [];
  const index = new Map(labels.map((l, i) => [l, i]));
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    const fail = (message: string): void => void errors.push({ line: i + 1, message });
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      fail('This line is not valid JSON.');
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      fail('Each line must be one JSON object.');
      continue;
    }
    const o = obj as Record<string, unknown>;
    let ids: number[];
    if (typeof o.id === 'string' || typeof o.id === 'number') {
      ids = examples.byId(String(o.id));
      if (!ids.length) {
        fail(`No example has the id "${String(o.id)}" in this project.`);
        continue;
      }
    } else if (typeof o.text === 'string') {
      ids = examples.byText(o.text);
      if (!ids.length) {
        fail('No example in this project has exactly this text.');
        continue;
      }
    } else {
      fail('Give the example as "id" (from your data file) or "text".');
      continue;
    }
    const log = o.logprobs !== undefined;
    const dist = log ? o.logprobs : o.probs;
    if (typeof dist !== 'object' || dist === null || Array.isArray(dist)) {
      fail('Give "probs" (or "logprobs") as an object from label name to number.');
      continue;
    }
    const probs = new Array<number>(labels.length).fill(0);
    const given = new Set<number>();
    let problem: string | null = null;
    for (const [name, value] of Object.entries(dist as Record<string, unknown>)) {
      const k = index.get(name);
      if (k === undefined) {
        problem = `Unknown label "${name}"; the project's labels are ${labels.join(', ')}.`;
        break;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        problem = `The value of "${name}" is not a finite number (NaN, Infinity or text).`;
        break;
      }
      if (log ? value > 1e-9 : value < 0 || value > 1) {
        problem = log
          ? `The log-probability of "${name}" is above 0.`
          : `The probability of "${name}" is outside 0 to 1.`;
        break;
      }
      probs[k] = log ? Math.exp(value) : value;
      given.add(k);
    }
    if (problem) {
      fail(problem);
      continue;
    }
    if (opts.independent) {
      // Multi-label: each label's own probability that it applies; a label left out is an error, not a 0.
      const missing = labels.filter((_, k) => !given.has(k));
      if (missing.length) {
        fail(
          `Give a probability for every label (each on its own, from 0 to 1); missing: ${missing.join(', ')}.`,
        );
        continue;
      }
      rows.push({ line: i + 1, exampleIds: ids, probs });
      continue;
    }
    const sum = probs.reduce((a, b) => a + b, 0);
    if (!(Math.abs(sum - 1) <= SUM_TOLERANCE)) {
      fail(`The probabilities sum to ${sum.toFixed(4)}, not 1.`);
      continue;
    }
    rows.push({ line: i + 1, exampleIds: ids, probs: probs.map((p) => p / sum) });
  }
  return { rows, errors };
}

function lookup(db: Db, projectId: number): ExampleLookup {
  const byId = db.prepare(
    'SELECT id FROM examples WHERE project_id = ? AND external_id = ? AND excluded = 0 ORDER BY id',
  );
  const byText = db.prepare(
    'SELECT id FROM examples WHERE project_id = ? AND text = ? AND excluded = 0 ORDER BY id',
  );
  return {
    byId: (id) => byId.pluck().all(projectId, id) as number[],
    byText: (text) => byText.pluck().all(projectId, text) as number[],
  };
}

export interface TeacherImportResult {
  readonly run: TeacherRun;
  readonly imported: number;
}

/** Imports a JSONL file of teacher outputs as a new teacher run (see the file comment); throws with the line errors. */
export function importTeacherRun(
  ctx: CoreContext,
  req: { readonly projectId: number; readonly path: string },
): TeacherImportResult {
  const { db } = ctx;
  const labels = db
    .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position, id')
    .all(req.projectId) as Array<{ id: number; name: string }>;
  if (!labels.length) {
    throw AppError.keyed('INVALID_INPUT', 'teacher.projectHasLabelsYet2', {});
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(req.path);
  } catch {
    throw AppError.keyed('NOT_FOUND', 'teacher.cannotReadChooseJsonl', { path: basename(req.path) });
  }
  const independent = projectKind(db, req.projectId) === 'multi';
  const { rows, errors } = parseTeacherJsonl(
    bytes.toString('utf8'),
    labels.map((l) => l.name),
    lookup(db, req.projectId),
    { independent },
  );
  if (errors.length) {
    const shown = errors.slice(0, MAX_REPORTED);
    throw AppError.keyed(
      'INVALID_INPUT',
      'teacher.lineCouldImportedNothing',
      {
        errorsLength: errors.length,
        path: basename(req.path),
        p2: shown.map((e) => `Line ${e.line}: ${e.message}`).join(' '),
        p3: errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : '',
      },
      { lineErrors: shown },
    );
  }
  if (!rows.length)
    throw AppError.keyed('INVALID_INPUT', 'teacher.hasTeacherOutputs', { path: basename(req.path) });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const now = nowIso();
  const runId = db.transaction(() => {
    const info = db
      .prepare(
        `INSERT INTO teacher_runs (project_id, model_id, model_sha256, mode, prompt_template, labels_snapshot, settings, created_at)
         VALUES (?, NULL, ?, 'direct', ?, ?, ?, ?)`,
      )
      .run(
        req.projectId,
        sha256,
        `Imported from ${basename(req.path)}`,
        JSON.stringify(labels),
        JSON.stringify({
          mode: 'direct',
          fewShot: 0,
          reasoningBudget: 0,
          threads: 0,
          sequences: 0,
          contextSize: 0,
          endpoints: [],
          imported: { file: basename(req.path), lines: rows.length },
        }),
        now,
      );
    const id = Number(info.lastInsertRowid);
    const target = db.prepare(
      "INSERT OR IGNORE INTO teacher_run_targets (run_id, example_id, position, status) VALUES (?, ?, ?, 'done')",
    );
    // A later line for the same example replaces an earlier one (the file's last word counts). An upsert, not a
    // REPLACE: SQLite's REPLACE removes the old row without its delete triggers, and the label counts (migration 023)
    // follow an output's changes by trigger.
    const output = db.prepare(
      `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin,
         reasoning, tokens, time_ms, truncated, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, 0, ?)
       ON CONFLICT (run_id, example_id) DO UPDATE SET probs = excluded.probs, logprobs = excluded.logprobs,
         predicted_label_id = excluded.predicted_label_id, entropy = excluded.entropy, margin = excluded.margin,
         reasoning = NULL, tokens = 0, time_ms = 0, truncated = 0, created_at = excluded.created_at`,
    );
    let position = 0;
    for (const r of rows) {
      if (independent) {
        // Multi-label rows keep per-label log-odds beside the probabilities (what calibration rescales).
        const logOdds = r.probs.map((p) =>
          Math.max(-LOG_ODDS_LIMIT, Math.min(LOG_ODDS_LIMIT, Math.log(p / (1 - p)))),
        );
        const o = independentLabelColumns(r.probs);
        for (const exampleId of r.exampleIds) {
          target.run(id, exampleId, position++);
          output.run(
            id,
            exampleId,
            o.probs,
            JSON.stringify(logOdds),
            o.predictedLabelId,
            o.entropy,
            o.margin,
            now,
          );
        }
        continue;
      }
      const logprobs = r.probs.map((p) => Math.max(Math.log(p), -1e4));
      for (const exampleId of r.exampleIds) {
        target.run(id, exampleId, position++);
        output.run(
          id,
          exampleId,
          JSON.stringify(r.probs),
          JSON.stringify(logprobs),
          labels[argmax(r.probs)].id,
          entropy(r.probs),
          margin(r.probs),
          now,
        );
      }
    }
    audit(db, {
      projectId: req.projectId,
      actor: getSettings(db).annotator,
      action: 'teacher.importRun',
      entity: 'teacher_run',
      entityId: id,
      details: { file: basename(req.path), sha256, lines: rows.length },
    });
    return id;
  })();
  ctx.events.emit('project.changed', { projectId: req.projectId, what: 'teacher' });
  const run = getRun(db, runId);
  return { run, imported: run.outputCount };
}
