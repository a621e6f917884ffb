import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationResult, ModelRef, ReportFile } from '../../../shared/evaluation';
import type { CoreContext } from '../../core/feature';
import { projectKind } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { confusionScene, histogramScene, reliabilityScene, sceneToSvg } from './charts';
import { parseThreshold, requireEvaluation } from './evaluate';
import { modelInfo } from './modelInfo';
import { buildMultiLabelReport } from './reportMultilabel';
import {
  assembleReport,
  bytes,
  curveScenes,
  LOW_SUPPORT,
  num,
  settingsTable,
  trainingSection,
  withCi,
  type ReportModel,
  type ReportSection,
} from './reportSections';
import type { ReportLanguage, ReportText } from './reportText';

export { LOW_SUPPORT };
export type { ReportModel, ReportSection, ReportTable } from './reportSections';

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
      confusionScene(e.labels, e.confusion, e.confusionNormalized, w.chart),
      ...curveScenes(w.roc(num(e.macroAuc)), w.precisionRecall, e.perClass, w),
      reliabilityScene(e.reliability, e.ece, w.chart),
      histogramScene(e.confidenceHistogram.correct, e.confidenceHistogram.wrong, w.chart),
    ],
  };
}

export function buildReport(
  db: Db,
  projectId: number,
  ref: ModelRef,
  language: ReportLanguage = 'en',
): ReportModel {
  if (projectKind(db, projectId) === 'multi') return buildMultiLabelReport(db, projectId, ref, language);
  return assembleReport(db, projectId, ref, language, (w) => {
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
    return {
      info,
      evaluation: e,
      intendedUse: [
        w.labels(e.labels.join(', ')),
        threshold
          ? w.operatingPoint(
              threshold.label,
              threshold.threshold.toFixed(3),
              threshold.by === 'threshold' ? threshold.by : `${threshold.by} ${threshold.target}`,
            )
          : w.operatingDefault,
      ],
      model:
        ref.kind === 'student'
          ? trainingSection(db, projectId, info, w)
          : { title: w.teacher, paragraphs: [], tables: [settingsTable(w.teacherRun, info, w)], charts: [] },
      metrics: metricsSection(e, w),
      limitations,
    };
  });
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
  // pdf-lib and its font kit (a fifth of a second to load) are loaded for the first PDF, not with every core.
  const data =
    format === 'html'
      ? Buffer.from(renderHtml(report), 'utf8')
      : Buffer.from(await (await import('./pdf')).renderPdf(report));
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
