import type { ModelRef } from '../../../shared/evaluation';
import type { MultiLabelEvaluation } from '../../../shared/multilabelEvaluation';
import { parseSavedLabelThresholds } from '../../../shared/multilabelEvaluation';
import { AppError } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { matrixScene, type Scene } from './charts';
import { modelInfo } from './modelInfo';
import { storedMultiLabelEvaluation } from './multilabelEvaluate';
import {
  assembleReport,
  curveScenes,
  LOW_SUPPORT,
  num,
  trainingSection,
  withCi,
  type ReportModel,
  type ReportSection,
} from './reportSections';
import type { ReportLanguage, ReportText } from './reportText';

/** Each row of a label matrix divided by its diagonal cell (0 where that is 0): the share of the row's documents. */
function rowShares(m: ReadonlyArray<readonly number[]>, diagonal: readonly number[]): number[][] {
  return m.map((row, i) => row.map((c) => (diagonal[i] > 0 ? Math.min(1, c / diagonal[i]) : 0)));
}

/** The metrics section: set metrics with intervals and a sentence each, the per-label table, curves, co-occurrence. */
function metricsSection(e: MultiLabelEvaluation, w: ReportText): ReportSection {
  const m = w.multi;
  const overall: Array<[keyof typeof m.metricNames, string]> = [
    ['microF1', withCi(e.microF1, w)],
    ['macroF1', withCi(e.macroF1, w)],
    ['samplesF1', withCi(e.samplesF1, w)],
    ['hammingLoss', withCi(e.hammingLoss, w)],
    ['subsetAccuracy', withCi(e.subsetAccuracy, w)],
    ['lrap', withCi(e.lrap, w)],
    ['microPrecision', num(e.microPrecision)],
    ['microRecall', num(e.microRecall)],
    ['microRocAuc', num(e.microRocAuc)],
    ['macroRocAuc', num(e.macroRocAuc)],
    ['macroPrAuc', num(e.macroPrAuc)],
  ];
  const support = e.perLabel.map((l) => l.support);
  const charts: Scene[] = [
    ...curveScenes(
      m.roc(num(e.macroRocAuc)),
      m.pr(num(e.macroPrAuc)),
      e.perLabel.map((l) => ({ ...l, auc: l.rocAuc, averagePrecision: l.prAuc })),
      w,
    ),
    matrixScene(m.coOccurrence, e.labels, e.coOccurrence, rowShares(e.coOccurrence, support)),
    matrixScene(m.predictedVsGold, e.labels, e.predictedVsTrue, rowShares(e.predictedVsTrue, support)),
  ];
  return {
    title: w.metrics,
    paragraphs: [m.metricsParagraph(e.n, noneOfThese(e), e.iterations, e.seed), m.coOccurrenceParagraph],
    tables: [
      {
        title: w.overall,
        head: m.headMetric,
        rows: overall.map(([key, value]) => [m.metricNames[key], value, m.explain[key]]),
      },
      {
        title: m.perLabel,
        head: m.headPerLabel,
        rows: e.perLabel.map((l) => [
          l.label,
          l.threshold.toFixed(3),
          num(l.precision),
          num(l.recall),
          num(l.f1),
          String(l.support),
          String(l.predicted),
          num(l.rocAuc),
          num(l.prAuc),
        ]),
      },
    ],
    charts,
  };
}

/** Gold documents labelled "none of these" (0 for an evaluation stored before it was counted). */
function noneOfThese(e: MultiLabelEvaluation): number {
  return e.goldNone ?? 0;
}

/** The model report of a multi-label student run (same sections as the single-label one, with the set metrics). */
export function buildMultiLabelReport(
  db: Db,
  projectId: number,
  ref: ModelRef,
  language: ReportLanguage = 'en',
): ReportModel {
  return assembleReport(db, projectId, ref, language, (w) => {
    if (ref.kind !== 'student') {
      throw AppError.keyed('INVALID_INPUT', 'evaluation.multiLabelReportStudentOnly');
    }
    const e = storedMultiLabelEvaluation(db, projectId, ref.runId);
    if (!e) {
      throw AppError.keyed('NOT_FOUND', 'evaluation.trainingRunHasBeen', { runId: ref.runId });
    }
    const info = modelInfo(db, projectId, ref);
    const saved = parseSavedLabelThresholds(info.thresholdJson, e.labels.length);
    return {
      info,
      evaluation: e,
      intendedUse: [
        w.multi.labels(e.labels.join(', ')),
        w.multi.thresholds(e.thresholdSource),
        ...(e.thresholdSource === 'saved' && saved
          ? saved.targets.map((t) =>
              w.multi.target(t.label, t.by, t.value === null ? null : String(t.value), t.positives, t.met),
            )
          : []),
      ],
      model: trainingSection(db, projectId, info, w),
      metrics: metricsSection(e, w),
      limitations: [
        ...e.perLabel
          .filter((l) => l.support < LOW_SUPPORT)
          .map((l) => w.multi.lowSupport(l.label, l.support, LOW_SUPPORT)),
        ...(noneOfThese(e) > 0 ? [w.multi.limitationNone(noneOfThese(e))] : []),
        w.limitationSplit,
        w.limitationProbabilities,
      ],
    };
  });
}
