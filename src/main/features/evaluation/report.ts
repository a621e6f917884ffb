import { humanizeKey } from '../../../shared/auditFormat';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationResult, MetricInterval, ModelRef, ReportFile } from '../../../shared/evaluation';
import { notFound } from '../../core/errors';
import type { CoreContext } from '../../core/feature';
import { goldLabels, humanLabels, projectLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { APP_VERSION } from '../../core/version';
import {
  confusionScene,
  curveScene,
  epochScene,
  histogramScene,
  reliabilityScene,
  sceneToSvg,
  type Scene,
  type Series,
} from './charts';
import { modelInfo, parseThreshold, requireEvaluation, teacherOf, type ModelInfo } from './evaluate';
import { renderPdf } from './pdf';
import { REPORT_TEXT, type ReportLanguage, type ReportText } from './reportText';

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

function num(v: number | null, digits = 3): string {
  return v === null ? '—' : v.toFixed(digits);
}

function withCi(m: MetricInterval, w: ReportText): string {
  if (m.value === null) return w.undefinedValue;
  if (m.low === null || m.high === null) return num(m.value);
  return w.ci(num(m.value), num(m.low), num(m.high));
}

function bytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function dataSection(db: Db, projectId: number, w: ReportText): ReportSection {
  const labels = projectLabels(db, projectId);
  const splits = ['train', 'validation', 'test'] as const;
  const perSplit = splits.map((s) =>
    s === 'test' ? goldLabels(db, projectId) : humanLabels(db, projectId, { split: s }),
  );
  const totals = db
    .prepare(`SELECT split, COUNT(*) AS n FROM examples WHERE project_id = ? AND excluded = 0 GROUP BY split`)
    .all(projectId) as Array<{ split: string | null; n: number }>;
  const countRows = labels.map((l) => [
    l.name,
    ...perSplit.map((m) => String([...m.values()].filter((id) => id === l.id).length)),
  ]);
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

function settingsTable(title: string, info: ModelInfo, w: ReportText): ReportTable {
  // Keys as words ('learningRate' → 'Learning rate'), not the stored camelCase.
  return {
    title,
    head: w.headSetting,
    rows: Object.entries(info.settings).map(([k, v]) => [humanizeKey(k), v]),
  };
}

function trainingSection(db: Db, projectId: number, info: ModelInfo, w: ReportText): ReportSection {
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
      ...(losses.length ? [epochScene(w.trainingLoss, losses, w.axisLoss, bestEpoch)] : []),
      ...(scores.length ? [epochScene(w.validationScores, scores, w.axisScore, bestEpoch)] : []),
    ],
  };
}

function metricsSection(e: EvaluationResult, w: ReportText): ReportSection {
  const m = w.metricNames;
  return {
    title: w.metrics,
    paragraphs: [w.metricsParagraph(e.n, e.missing, e.iterations, e.seed)],
    tables: [
      {
        title: w.overall,
        head: w.headMetric,
        rows: [
          [m.accuracy, withCi(e.accuracy, w)],
          [m.macroF1, withCi(e.macroF1, w)],
          [m.microF1, withCi(e.microF1, w)],
          [m.weightedF1, withCi(e.weightedF1, w)],
          [m.kappa, withCi(e.kappa, w)],
          [m.auc, num(e.macroAuc)],
          [m.ece, num(e.ece)],
          [m.size, bytes(e.modelBytes)],
          [m.latency, e.latencyMsPerDoc === null ? '—' : `${e.latencyMsPerDoc.toFixed(3)} ms`],
        ],
      },
      {
        title: w.perClass,
        head: w.headPerClass,
        rows: e.perClass.map((c) => [
          c.label,
          num(c.precision),
          num(c.recall),
          num(c.f1),
          String(c.support),
          num(c.auc),
          num(c.averagePrecision),
        ]),
      },
    ],
    charts: [
      confusionScene(e.labels, e.confusion, e.confusionNormalized),
      curveScene(
        w.roc(num(e.macroAuc)),
        w.falsePositiveRate,
        w.recall,
        e.perClass.map((c) => ({
          name: `${c.label} (AUC ${num(c.auc)})`,
          points: (c.roc ?? []).map((p) => [p.x, p.y] as const),
        })),
        { diagonal: true },
      ),
      curveScene(
        w.precisionRecall,
        w.recall,
        w.precision,
        e.perClass.map((c) => ({
          name: `${c.label} (AP ${num(c.averagePrecision)})`,
          points: (c.pr ?? []).map((p) => [p.x, p.y] as const),
        })),
        { legendAt: 'bottom-left' },
      ),
      reliabilityScene(e.reliability, e.ece),
      histogramScene(e.confidenceHistogram.correct, e.confidenceHistogram.wrong),
    ],
  };
}

function goldAnnotators(db: Db, projectId: number, w: ReportText): ReportTable {
  const gold = goldLabels(db, projectId);
  const rows = db
    .prepare(
      `SELECT a.annotator, a.source, COUNT(*) AS n FROM person_labels a JOIN examples e ON e.id = a.example_id
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

export function buildReport(
  db: Db,
  projectId: number,
  ref: ModelRef,
  language: ReportLanguage = 'en',
): ReportModel {
  const w = REPORT_TEXT[language];
  const project = db
    .prepare('SELECT name, description, task_description FROM projects WHERE id = ?')
    .get(projectId) as { name: string; description: string; task_description: string } | undefined;
  if (!project) throw notFound('Project', projectId);
  const e = requireEvaluation(db, projectId, ref);
  const info = modelInfo(db, projectId, ref);
  const lowSupport = e.perClass.filter((c) => c.support < LOW_SUPPORT);
  const threshold = parseThreshold(info.thresholdJson);
  const limitations = [
    ...lowSupport.map((c) => w.lowSupport(c.label, c.support, LOW_SUPPORT)),
    w.limitationSplit,
    w.limitationProbabilities,
  ];
  if (e.missing > 0) limitations.push(w.limitationMissing(e.missing));
  const sections: ReportSection[] = [
    {
      title: w.intendedUse,
      paragraphs: [
        project.task_description || w.noTask,
        project.description,
        w.labels(e.labels.join(', ')),
        threshold
          ? w.operatingPoint(
              threshold.label,
              threshold.threshold.toFixed(3),
              threshold.by === 'threshold' ? threshold.by : `${threshold.by} ${threshold.target}`,
            )
          : w.operatingDefault,
      ].filter((p) => p.length > 0),
      tables: [],
      charts: [],
    },
    dataSection(db, projectId, w),
    ref.kind === 'student'
      ? trainingSection(db, projectId, info, w)
      : { title: w.teacher, paragraphs: [], tables: [settingsTable(w.teacherRun, info, w)], charts: [] },
    metricsSection(e, w),
    { title: w.knownLimitations, paragraphs: limitations, tables: [], charts: [] },
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

function escapeHtml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

/** A self-contained HTML page: styles inline, charts as inline SVG, nothing loaded from anywhere. */
export function renderHtml(report: ReportModel): string {
  const body = report.sections
    .map((s) => {
      const tables = s.tables
        .map(
          (t) =>
            `<h3>${escapeHtml(t.title)}</h3><table><thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
            `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
        )
        .join('');
      const charts = s.charts.length
        ? `<div class="charts">${s.charts.map((c) => `<figure>${sceneToSvg(c)}</figure>`).join('')}</div>`
        : '';
      return `<section><h2>${escapeHtml(s.title)}</h2>${s.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${tables}${charts}</section>`;
    })
    .join('');
  return `<!doctype html>
<html lang="${escapeHtml(report.lang ?? 'en')}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(report.title)}</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;max-width:960px;margin:24px auto;padding:0 16px;color:#212529}
h1{font-size:24px;margin-bottom:4px}h2{border-bottom:1px solid #dee2e6;padding-bottom:4px;margin-top:28px}
h3{font-size:14px;margin:16px 0 6px}.subtitle{color:#868e96;margin-top:0}
table{border-collapse:collapse;font-size:13px;margin-bottom:8px}th,td{border:1px solid #dee2e6;padding:3px 8px;text-align:left}
th{background:#f1f3f5}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
</style></head><body>
<h1>${escapeHtml(report.title)}</h1><p class="subtitle">${escapeHtml(report.subtitle)}</p>
${body}
</body></html>
`;
}

/** Writes the report of an evaluated model into the data folder's exports and returns it. */
export async function exportReport(
  ctx: CoreContext,
  projectId: number,
  ref: ModelRef,
  format: 'html' | 'pdf',
  language: ReportLanguage = 'en',
): Promise<ReportFile> {
  const report = buildReport(ctx.db, projectId, ref, language);
  const data =
    format === 'html' ? Buffer.from(renderHtml(report), 'utf8') : Buffer.from(await renderPdf(report));
  const suffix = language === 'en' ? '' : `-${language}`;
  const fileName = `model-report-project${projectId}-${ref.kind}${ref.runId}${suffix}.${format}`;
  const path = join(ctx.paths.exports, fileName);
  // Written beside and renamed: a full disk or a crash never leaves half a report under the real name.
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
  return {
    path,
    fileName,
    bytes: data.length,
    mimeType: format === 'html' ? 'text/html' : 'application/pdf',
    base64: data.toString('base64'),
  };
}
