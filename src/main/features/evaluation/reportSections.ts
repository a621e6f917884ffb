import { humanizeKey } from '../../../shared/auditFormat';
import type { CurvePoint, EvaluationHeader, MetricInterval, ModelRef } from '../../../shared/evaluation';
import { notFound } from '../../core/errors';
import {
  goldLabels,
  goldLabelSets,
  humanLabels,
  humanLabelSets,
  projectKind,
  projectLabels,
} from '../../core/labels';
import type { Db } from '../../core/store/db';
import { APP_VERSION } from '../../core/version';
import { curveScene, epochScene, type Scene, type Series } from './charts';
import { teacherOf } from './evaluate';
import { modelInfo, type ModelInfo } from './modelInfo';
import { REPORT_TEXT, type ReportLanguage, type ReportText } from './reportText';

/** The parts of a model report that single- and multi-label reports share (report.ts, reportMultilabel.ts). */

/** Fewer gold documents than this in a class and its scores are too noisy to trust (a known limitation). */
export const LOW_SUPPORT = 30;

export interface ReportTable {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

export interface ReportSection {
  readonly title: string;
  readonly paragraphs: readonly string[];
  readonly tables: readonly ReportTable[];
  readonly charts: readonly Scene[];
}

/** Everything in a model report, independent of its format: HTML and PDF are drawn from this. */
export interface ReportModel {
  /** The HTML lang attribute of the language it is written in (en when not said). */
  readonly lang?: string;
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly ReportSection[];
}

export function num(v: number | null, digits = 3): string {
  return v === null ? '—' : v.toFixed(digits);
}

export function withCi(m: MetricInterval, w: ReportText): string {
  if (m.value === null) return w.undefinedValue;
  if (m.low === null || m.high === null) return num(m.value);
  return w.ci(num(m.value), num(m.low), num(m.high));
}

export function bytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

const SPLITS = ['train', 'validation', 'test'] as const;

/** Rows of the data table: per label, its human-labelled documents in each split (test: the gold set). */
function singleLabelCounts(db: Db, projectId: number): string[][] {
  const perSplit = SPLITS.map((s) =>
    s === 'test' ? goldLabels(db, projectId) : humanLabels(db, projectId, { split: s }),
  );
  return projectLabels(db, projectId).map((l) => [
    l.name,
    ...perSplit.map((m) => String([...m.values()].filter((id) => id === l.id).length)),
  ]);
}

/**
 * Rows of the data table of a multi-label project: per label, the documents whose human label set carries it in
 * each split (test: the gold set), and the documents labelled "none of these".
 */
function multiLabelCounts(db: Db, projectId: number, w: ReportText): string[][] {
  const perSplit = SPLITS.map((s) =>
    s === 'test' ? goldLabelSets(db, projectId) : humanLabelSets(db, projectId, { split: s }),
  );
  const count = (pred: (set: readonly number[]) => boolean): string[] =>
    perSplit.map((m) => String([...m.values()].filter(pred).length));
  return [
    ...projectLabels(db, projectId).map((l) => [l.name, ...count((set) => set.includes(l.id))]),
    [w.multi.noneOfThese, ...count((set) => set.length === 0)],
  ];
}

export function dataSection(db: Db, projectId: number, w: ReportText): ReportSection {
  const splits = SPLITS;
  const totals = db
    .prepare(`SELECT split, COUNT(*) AS n FROM examples WHERE project_id = ? AND excluded = 0 GROUP BY split`)
    .all(projectId) as Array<{ split: string | null; n: number }>;
  const countRows =
    projectKind(db, projectId) === 'multi'
      ? multiLabelCounts(db, projectId, w)
      : singleLabelCounts(db, projectId);
  countRows.push([
    w.documentsAnyLabel,
    ...splits.map((s) => String(totals.find((t) => t.split === s)?.n ?? 0)),
  ]);
  const sources = db
    .prepare(
      'SELECT name, format, row_count, skipped_count, created_at FROM datasets WHERE project_id = ? ORDER BY id',
    )
    .all(projectId) as Array<{
    name: string;
    format: string;
    row_count: number;
    skipped_count: number;
    created_at: string;
  }>;
  const cleaning = db
    .prepare(
      `SELECT COALESCE(exclude_reason, 'unspecified') AS reason, COUNT(*) AS n FROM examples
       WHERE project_id = ? AND excluded = 1 GROUP BY reason ORDER BY n DESC`,
    )
    .all(projectId) as Array<{ reason: string; n: number }>;
  const changed = db
    .prepare('SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND original_text IS NOT NULL')
    .get(projectId) as { n: number };
  return {
    title: w.data,
    paragraphs: [
      w.dataParagraph(
        changed.n,
        cleaning.reduce((a, c) => a + c.n, 0),
      ),
    ],
    tables: [
      { title: w.labelledDocuments, head: w.headLabelSplits, rows: countRows },
      {
        title: w.sources,
        head: w.headSources,
        rows: sources.map((s) => [
          s.name,
          s.format,
          String(s.row_count),
          String(s.skipped_count),
          s.created_at,
        ]),
      },
      {
        title: w.cleaning,
        head: w.headCleaning,
        rows: cleaning.length ? cleaning.map((c) => [c.reason, String(c.n)]) : [[w.none, '0']],
      },
    ],
    charts: [],
  };
}

export function settingsTable(title: string, info: ModelInfo, w: ReportText): ReportTable {
  // Keys as words ('learningRate' → 'Learning rate'), not the stored camelCase.
  return {
    title,
    head: w.headSetting,
    rows: Object.entries(info.settings).map(([k, v]) => [humanizeKey(k), v]),
  };
}

export function trainingSection(db: Db, projectId: number, info: ModelInfo, w: ReportText): ReportSection {
  const rows = db
    .prepare(
      `SELECT name, epoch, value FROM metrics WHERE student_run_id = ? AND kind != 'eval' AND epoch IS NOT NULL
       AND value IS NOT NULL ORDER BY name, epoch`,
    )
    .all(info.ref.runId) as Array<{ name: string; epoch: number; value: number }>;
  const byName = new Map<string, Array<[number, number]>>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), [r.epoch, r.value]]);
  const all: Series[] = [...byName.entries()].map(([name, points]) => ({ name, points }));
  // Losses and [0, 1] scores each get a chart; throughput and the like would flatten them on a shared axis.
  const losses = all.filter((s) => /loss/i.test(s.name));
  const scores = all.filter((s) => !/loss/i.test(s.name) && s.points.every(([, v]) => v >= 0 && v <= 1));
  const series = [...losses, ...scores];
  const teacherRunId = teacherOf(db, projectId, info);
  const bestEpoch =
    (
      db.prepare('SELECT best_epoch FROM student_runs WHERE id = ?').get(info.ref.runId) as
        { best_epoch: number | null } | undefined
    )?.best_epoch ?? null;
  return {
    title: w.training,
    paragraphs: [series.length ? w.curves : w.noCurves],
    tables: [
      settingsTable(w.trainingSettings, info, w),
      ...(teacherRunId !== null
        ? [settingsTable(w.teacher, modelInfo(db, projectId, { kind: 'teacher', runId: teacherRunId }), w)]
        : []),
    ],
    charts: [
      ...(losses.length ? [epochScene(w.trainingLoss, losses, w.axisLoss, bestEpoch, w.chart)] : []),
      ...(scores.length ? [epochScene(w.validationScores, scores, w.axisScore, bestEpoch, w.chart)] : []),
    ],
  };
}

export function goldAnnotators(db: Db, projectId: number, w: ReportText): ReportTable {
  const multi = projectKind(db, projectId) === 'multi';
  const gold = multi ? goldLabelSets(db, projectId) : goldLabels(db, projectId);
  const rows = db
    .prepare(
      `SELECT a.annotator, a.source, COUNT(*) AS n FROM ${multi ? 'person_label_sets' : 'person_labels'} a
       JOIN examples e ON e.id = a.example_id
       WHERE a.project_id = ? AND e.split = 'test' AND e.excluded = 0
       GROUP BY a.annotator, a.source ORDER BY n DESC`,
    )
    .all(projectId) as Array<{ annotator: string; source: string; n: number }>;
  return {
    title: w.goldAnnotators(gold.size),
    head: w.headAnnotators,
    rows: rows.map((r) => [r.annotator, r.source === 'import' ? w.importedLabel : r.source, String(r.n)]),
  };
}

/** One class (single-label) or label (multi-label) on the ROC and precision-recall charts. */
export interface CurveRow {
  readonly label: string;
  readonly auc: number | null;
  readonly averagePrecision: number | null;
  readonly roc: readonly CurvePoint[] | null;
  readonly pr: readonly CurvePoint[] | null;
}

/** The ROC chart (with the chance diagonal) and the precision-recall chart, a line per class and its area. */
export function curveScenes(
  rocTitle: string,
  prTitle: string,
  rows: readonly CurveRow[],
  w: ReportText,
): Scene[] {
  return [
    curveScene(
      rocTitle,
      w.falsePositiveRate,
      w.recall,
      rows.map((c) => ({
        name: `${c.label} (AUC ${num(c.auc)})`,
        points: (c.roc ?? []).map((p) => [p.x, p.y] as const),
      })),
      { diagonal: true },
    ),
    curveScene(
      prTitle,
      w.recall,
      w.precision,
      rows.map((c) => ({
        name: `${c.label} (AP ${num(c.averagePrecision)})`,
        points: (c.pr ?? []).map((p) => [p.x, p.y] as const),
      })),
      { legendAt: 'bottom-left' },
    ),
  ];
}

/** What a report says of its project (its title page and "Intended use"). */
export interface ReportProject {
  readonly name: string;
  readonly description: string;
  readonly task_description: string;
}

/** The project a report is about; NOT_FOUND when there is no such project. */
export function reportProject(db: Db, projectId: number): ReportProject {
  const project = db
    .prepare('SELECT name, description, task_description FROM projects WHERE id = ?')
    .get(projectId) as ReportProject | undefined;
  if (!project) throw notFound('Project', projectId);
  return project;
}

/** What differs between a single- and a multi-label report; `assembleReport` puts it in the shared order. */
export interface ReportParts {
  readonly info: ModelInfo;
  /** The stored evaluation the report is about (its id, date and bootstrap, for "Reproducibility"). */
  readonly evaluation: EvaluationHeader;
  /** "Intended use" after the task and the project's description: the labels and how predictions are decided. */
  readonly intendedUse: readonly string[];
  /** The section on the model itself: its training (a student) or its settings (a teacher). */
  readonly model: ReportSection;
  readonly metrics: ReportSection;
  readonly limitations: readonly string[];
}

/**
 * A model report in the order every report has: intended use, data, the model, metrics, known limitations, who
 * labelled the gold set, and how to reproduce the figures. The project is read first (NOT_FOUND before anything
 * else), then `build` gives the parts that differ in the report's words.
 */
export function assembleReport(
  db: Db,
  projectId: number,
  ref: ModelRef,
  language: ReportLanguage,
  build: (w: ReportText) => ReportParts,
): ReportModel {
  const w = REPORT_TEXT[language];
  const project = reportProject(db, projectId);
  const parts = build(w);
  const { info, evaluation: e } = parts;
  const sections: ReportSection[] = [
    {
      title: w.intendedUse,
      paragraphs: [project.task_description || w.noTask, project.description, ...parts.intendedUse].filter(
        (p) => p.length > 0,
      ),
      tables: [],
      charts: [],
    },
    dataSection(db, projectId, w),
    parts.model,
    parts.metrics,
    { title: w.knownLimitations, paragraphs: [...parts.limitations], tables: [], charts: [] },
    { title: w.goldLabels, paragraphs: [], tables: [goldAnnotators(db, projectId, w)], charts: [] },
    {
      title: w.reproducibility,
      paragraphs: [
        w.reproduce(
          e.id,
          e.modelName,
          e.createdAt,
          APP_VERSION,
          `distillery eval run --project ${projectId} --${ref.kind} ${ref.runId} --seed ${e.seed} --iterations ${e.iterations}`,
        ),
      ],
      tables: [],
      charts: [],
    },
  ];
  return {
    lang: w.htmlLang,
    title: w.title(info.name),
    subtitle: w.subtitle(project.name, e.createdAt),
    sections,
  };
}
