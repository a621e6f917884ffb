import type { MultiLabelIntervalMetric, MultiLabelPointMetric } from '../../../shared/multilabelEvaluation';
import { CHART_WORDS_EN, type ChartWords } from './charts';
/**
 * The model report's words in English and Simplified Chinese. `ReportText` is one shape for both, so a sentence
 * missing in one language is a compile error, the words drawn inside the charts (charts.ts) included.
 */
export const REPORT_LANGUAGES = ['en', 'zh-CN'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

export interface ReportText {
  readonly htmlLang: string;
  readonly undefinedValue: string;
  readonly ci: (value: string, low: string, high: string) => string;
  readonly documentsAnyLabel: string;
  readonly data: string;
  readonly dataParagraph: (changed: number, excluded: number) => string;
  readonly labelledDocuments: string;
  readonly headLabelSplits: readonly [string, string, string, string];
  readonly sources: string;
  readonly headSources: readonly [string, string, string, string, string];
  readonly cleaning: string;
  readonly headCleaning: readonly [string, string];
  readonly none: string;
  readonly headSetting: readonly [string, string];
  readonly training: string;
  readonly curves: string;
  readonly noCurves: string;
  readonly trainingSettings: string;
  readonly teacher: string;
  readonly teacherRun: string;
  readonly trainingLoss: string;
  readonly validationScores: string;
  readonly axisLoss: string;
  readonly axisScore: string;
  /** The words drawn inside the charts. */
  readonly chart: ChartWords;
  readonly metrics: string;
  readonly metricsParagraph: (n: number, missing: number, iterations: number, seed: number) => string;
  readonly overall: string;
  readonly headMetric: readonly [string, string];
  readonly metricNames: {
    readonly accuracy: string;
    readonly macroF1: string;
    readonly microF1: string;
    readonly weightedF1: string;
    readonly kappa: string;
    readonly auc: string;
    readonly ece: string;
    readonly size: string;
    readonly latency: string;
  };
  readonly perClass: string;
  readonly headPerClass: readonly [string, string, string, string, string, string, string];
  readonly roc: (auc: string) => string;
  readonly falsePositiveRate: string;
  readonly recall: string;
  readonly precision: string;
  readonly precisionRecall: string;
  readonly goldAnnotators: (n: number) => string;
  readonly headAnnotators: readonly [string, string, string];
  readonly importedLabel: string;
  readonly lowSupport: (label: string, support: number, min: number) => string;
  readonly limitationSplit: string;
  readonly limitationProbabilities: string;
  readonly limitationMissing: (n: number) => string;
  readonly intendedUse: string;
  readonly noTask: string;
  readonly labels: (names: string) => string;
  readonly operatingPoint: (label: string, threshold: string, by: string) => string;
  readonly operatingDefault: string;
  readonly knownLimitations: string;
  readonly goldLabels: string;
  readonly reproducibility: string;
  readonly reproduce: (
    evaluation: number,
    model: string,
    at: string,
    version: string,
    command: string,
  ) => string;
  readonly title: (model: string) => string;
  readonly subtitle: (project: string, at: string) => string;
  /** A multi-label model's report (reportMultilabel.ts). */
  readonly multi: MultiLabelReportText;
}

/** Every figure of a multi-label evaluation has a name and an explanation in the report. */
type MultiMetric = MultiLabelIntervalMetric | MultiLabelPointMetric;

export interface MultiLabelReportText {
  readonly labels: (names: string) => string;
  readonly thresholds: (source: 'model' | 'saved') => string;
  readonly target: (
    label: string,
    by: string,
    value: string | null,
    positives: number,
    met: boolean,
  ) => string;
  readonly noneOfThese: string;
  readonly metricsParagraph: (n: number, none: number, iterations: number, seed: number) => string;
  readonly headMetric: readonly [string, string, string];
  readonly metricNames: Readonly<Record<MultiMetric, string>>;
  /** One sentence per metric, for people who are not ML engineers (as the Evaluate step explains them). */
  readonly explain: Readonly<Record<MultiMetric, string>>;
  readonly perLabel: string;
  readonly headPerLabel: readonly [string, string, string, string, string, string, string, string, string];
  readonly roc: (auc: string) => string;
  readonly pr: (ap: string) => string;
  readonly coOccurrence: string;
  readonly predictedVsGold: string;
  readonly coOccurrenceParagraph: string;
  readonly lowSupport: (label: string, support: number, min: number) => string;
  readonly limitationNone: (none: number) => string;
  readonly teacherRefused: string;
}

const en: ReportText = {
  htmlLang: 'en',
  undefinedValue: '— (undefined)',
  ci: (v, lo, hi) => `${v} (95% CI ${lo}–${hi})`,
  documentsAnyLabel: 'documents (labelled or not)',
  data: 'Data',
  dataParagraph: (changed, excluded) =>
    `Human labels per label and split (the test split is the gold set). ${changed} documents were changed by cleaning; ${excluded} were excluded.`,
  labelledDocuments: 'Labelled documents',
  headLabelSplits: ['label', 'train', 'validation', 'test'],
  sources: 'Sources',
  headSources: ['file', 'format', 'rows', 'skipped', 'imported'],
  cleaning: 'Cleaning',
  headCleaning: ['reason excluded', 'documents'],
  none: 'none',
  headSetting: ['setting', 'value'],
  training: 'Training',
  curves: 'Curves recorded per epoch during training.',
  noCurves: 'No per-epoch curves were recorded for this run.',
  trainingSettings: 'Training settings',
  teacher: 'Teacher',
  teacherRun: 'Teacher run',
  trainingLoss: 'Training loss',
  validationScores: 'Validation scores',
  axisLoss: 'loss',
  axisScore: 'score',
  chart: CHART_WORDS_EN,
  metrics: 'Metrics on the gold test set',
  metricsParagraph: (n, missing, iterations, seed) =>
    `${n} gold documents evaluated` +
    (missing ? ` (${missing} gold documents had no prediction and are not counted)` : '') +
    `. Intervals: percentile bootstrap, ${iterations} resamples, seed ${seed}.`,
  overall: 'Overall',
  headMetric: ['metric', 'value'],
  metricNames: {
    accuracy: 'accuracy',
    macroF1: 'macro F1',
    microF1: 'micro F1',
    weightedF1: 'weighted F1',
    kappa: "Cohen's kappa (vs gold)",
    auc: 'macro ROC AUC (one-vs-rest)',
    ece: 'expected calibration error',
    size: 'model size',
    latency: 'latency per document',
  },
  perClass: 'Per class',
  headPerClass: ['label', 'precision', 'recall', 'F1', 'support', 'ROC AUC', 'avg precision'],
  roc: (auc) => `ROC one-vs-rest (macro AUC ${auc})`,
  falsePositiveRate: 'false positive rate',
  recall: 'recall',
  precision: 'precision',
  precisionRecall: 'Precision-recall',
  goldAnnotators: (n) => `Who labelled the gold set (${n} documents)`,
  headAnnotators: ['annotator', 'how', 'documents'],
  importedLabel: 'imported label',
  lowSupport: (label, support, min) =>
    `Class "${label}" has only ${support} gold documents (fewer than ${min}): its scores are uncertain; see the intervals.`,
  limitationSplit:
    'The model was evaluated only on documents like those in the test split; other kinds of documents may fare worse.',
  limitationProbabilities:
    'The model gives probabilities, not certainty: a person should check decisions that matter.',
  limitationMissing: (n) => `${n} gold documents had no prediction and were not evaluated.`,
  intendedUse: 'Intended use',
  noTask: 'No task description was written for this project.',
  labels: (names) => `Labels: ${names}.`,
  operatingPoint: (label, threshold, by) =>
    `Operating point: predict "${label}" when its probability is at least ${threshold} (chosen by ${by}).`,
  operatingDefault: 'Operating point: the most probable label (no threshold saved).',
  knownLimitations: 'Known limitations',
  goldLabels: 'Gold labels',
  reproducibility: 'Reproducibility',
  reproduce: (evaluation, model, at, version, command) =>
    `Evaluation ${evaluation} of ${model}, computed ${at} by Distillery ${version}. Re-run with "${command}" to reproduce every figure.`,
  title: (model) => `Model report: ${model}`,
  subtitle: (project, at) => `Project "${project}" · evaluated ${at}`,
  multi: {
    labels: (names) =>
      `Labels, several per document or none ("none of these"): ${names}. A label applies when its probability is at least its threshold.`,
    thresholds: (source) =>
      source === 'saved'
        ? 'Thresholds per label: saved in the Evaluate step (below, with the target that chose each).'
        : 'Thresholds per label: tuned on the validation documents during training.',
    target: (label, by, value, positives, met) =>
      `"${label}": tuned on validation for ${by === 'f1' ? 'the best F1' : `${by} at least ${value ?? '—'}`} (${positives} validation documents carry it); ${met ? 'target reached' : 'no threshold reaches it, the label kept its threshold'}.`,
    noneOfThese: 'none of these (no label)',
    metricsParagraph: (n, none, iterations, seed) =>
      `${n} gold documents evaluated, ${none} of them labelled "none of these". Each label is predicted when its probability is at least its threshold. Intervals: percentile bootstrap over documents, ${iterations} resamples, seed ${seed}.`,
    headMetric: ['metric', 'value', 'what it means'],
    metricNames: {
      microF1: 'micro F1',
      macroF1: 'macro F1',
      samplesF1: 'samples F1',
      hammingLoss: 'Hamming loss',
      subsetAccuracy: 'subset accuracy (exact match)',
      lrap: 'label ranking average precision',
      microPrecision: 'micro precision',
      microRecall: 'micro recall',
      microRocAuc: 'micro ROC AUC',
      macroRocAuc: 'macro ROC AUC',
      macroPrAuc: 'macro average precision',
    },
    explain: {
      microF1: 'F1 over every (document, label) decision pooled: common labels weigh most.',
      macroF1: 'F1 of each label averaged over labels, so that a rare label counts as much as a common one.',
      samplesF1:
        'For each document, how well its predicted labels match its gold labels, averaged over documents ("none of these" predicted right counts as perfect).',
      hammingLoss: 'The share of (document, label) decisions that are wrong: 0 is perfect, lower is better.',
      subsetAccuracy: 'The share of documents whose whole set of labels is exactly right.',
      lrap: "How well each document's gold labels are ranked above its other labels by probability: 1 is perfect.",
      microPrecision: 'Of all labels the model gave, the share that people also gave.',
      microRecall: 'Of all labels people gave, the share the model found.',
      microRocAuc:
        'How well the probabilities put right labels above wrong ones over all decisions: 0.5 is chance, 1 is perfect.',
      macroRocAuc: 'The ROC AUC of each label averaged over labels: 0.5 is chance, 1 is perfect.',
      macroPrAuc: "The area under each label's precision-recall curve, averaged over labels: 1 is perfect.",
    },
    perLabel: 'Per label, at its threshold',
    headPerLabel: [
      'label',
      'threshold',
      'precision',
      'recall',
      'F1',
      'gold documents',
      'predicted',
      'ROC AUC',
      'avg precision',
    ],
    roc: (auc) => `ROC per label (macro AUC ${auc})`,
    pr: (ap) => `Precision-recall per label (macro AP ${ap})`,
    coOccurrence: 'Gold co-occurrence (documents with both labels)',
    predictedVsGold: 'Predicted for gold (rows: gold label, columns: predicted)',
    coOccurrenceParagraph:
      "Left: how many gold documents carry both labels (the diagonal: each label's documents; shades: share of the row's label). Right: of the gold documents carrying the row's label, how many the model gave the column's label (the diagonal: found; elsewhere: labels added alongside).",
    lowSupport: (label, support, min) =>
      `Label "${label}" has only ${support} gold documents (fewer than ${min}): its scores are uncertain; see the intervals.`,
    limitationNone: (none) =>
      `${none} gold documents carry no label ("none of these"); a model that predicts nothing is right on them.`,
    teacherRefused:
      'In a multi-label project the report is of a student run: the teacher is checked label by label in the Teacher step.',
  },
};

const zh: ReportText = {
  htmlLang: 'zh-CN',
  undefinedValue: '—（无定义）',
  ci: (v, lo, hi) => `${v}（95% 置信区间 ${lo}–${hi}）`,
  documentsAnyLabel: '文档（无论是否已标注）',
  data: '数据',
  dataParagraph: (changed, excluded) =>
    `按标签和数据划分统计的人工标注（测试集即金标准集）。清洗修改了 ${changed} 篇文档，排除了 ${excluded} 篇。`,
  labelledDocuments: '已标注文档',
  headLabelSplits: ['标签', '训练集', '验证集', '测试集'],
  sources: '数据来源',
  headSources: ['文件', '格式', '行数', '跳过', '导入时间'],
  cleaning: '清洗',
  headCleaning: ['排除原因', '文档数'],
  none: '无',
  headSetting: ['设置', '值'],
  training: '训练',
  curves: '训练期间按轮次记录的曲线。',
  noCurves: '本次运行没有记录按轮次的曲线。',
  trainingSettings: '训练设置',
  teacher: '教师模型',
  teacherRun: '教师运行',
  trainingLoss: '训练损失',
  validationScores: '验证集得分',
  axisLoss: '损失',
  axisScore: '得分',
  chart: {
    epoch: '轮次',
    bestEpoch: (epoch) => `最佳轮次 ${epoch}`,
    confusionTitle: '混淆矩阵',
    confusionHeading: '混淆矩阵（行：金标准，列：预测）',
    reliability: (ece) => `可靠性（ECE ${ece}）`,
    confidence: '置信度',
    accuracy: '准确率',
    binAccuracy: '该区间的准确率',
    perfectCalibration: '完美校准',
    confidenceTitle: '置信度：正确与错误',
    documents: '文档数',
    right: '正确',
    wrong: '错误',
  },
  metrics: '金标准测试集上的指标',
  metricsParagraph: (n, missing, iterations, seed) =>
    `共评估 ${n} 篇金标准文档` +
    (missing ? `（${missing} 篇金标准文档没有预测，未计入）` : '') +
    `。区间：百分位自助法，重抽样 ${iterations} 次，随机种子 ${seed}。`,
  overall: '总体',
  headMetric: ['指标', '值'],
  metricNames: {
    accuracy: '准确率',
    macroF1: '宏平均 F1',
    microF1: '微平均 F1',
    weightedF1: '加权 F1',
    kappa: 'Cohen kappa（与金标准相比）',
    auc: '宏平均 ROC AUC（一对其余）',
    ece: '期望校准误差',
    size: '模型大小',
    latency: '每篇文档的延迟',
  },
  perClass: '各类别',
  headPerClass: ['标签', '精确率', '召回率', 'F1', '样本数', 'ROC AUC', '平均精确率'],
  roc: (auc) => `ROC 一对其余（宏平均 AUC ${auc}）`,
  falsePositiveRate: '假阳性率',
  recall: '召回率',
  precision: '精确率',
  precisionRecall: '精确率-召回率',
  goldAnnotators: (n) => `金标准集的标注者（${n} 篇文档）`,
  headAnnotators: ['标注者', '方式', '文档数'],
  importedLabel: '导入的标签',
  lowSupport: (label, support, min) =>
    `类别“${label}”只有 ${support} 篇金标准文档（少于 ${min} 篇）：其得分不确定，请参考区间。`,
  limitationSplit: '模型只在与测试集类似的文档上评估过；其他类型的文档效果可能更差。',
  limitationProbabilities: '模型给出的是概率而不是确定结论：重要的决定应由人复核。',
  limitationMissing: (n) => `${n} 篇金标准文档没有预测，未参与评估。`,
  intendedUse: '预期用途',
  noTask: '本项目没有填写任务说明。',
  labels: (names) => `标签：${names}。`,
  operatingPoint: (label, threshold, by) =>
    `工作点：当“${label}”的概率不低于 ${threshold} 时预测为该标签（依据：${by}）。`,
  operatingDefault: '工作点：取概率最高的标签（未保存阈值）。',
  knownLimitations: '已知局限',
  goldLabels: '金标准标签',
  reproducibility: '可复现性',
  reproduce: (evaluation, model, at, version, command) =>
    `评估 ${evaluation}（${model}），由 Distillery ${version} 于 ${at} 计算。运行“${command}”可复现所有数字。`,
  title: (model) => `模型报告：${model}`,
  subtitle: (project, at) => `项目“${project}” · 评估于 ${at}`,
  multi: {
    labels: (names) =>
      `标签（每篇文档可有多个，也可一个都没有，即“都不是”）：${names}。当某标签的概率不低于其阈值时，该标签适用。`,
    thresholds: (source) =>
      source === 'saved'
        ? '各标签阈值：在“评估”步骤中保存（下文列出选定每个阈值的目标）。'
        : '各标签阈值：训练时在验证集文档上调定。',
    target: (label, by, value, positives, met) =>
      `“${label}”：在验证集上按${by === 'f1' ? '最佳 F1' : `${by === 'recall' ? '召回率' : '精确率'}不低于 ${value ?? '—'}`}调定（验证集中有 ${positives} 篇文档带此标签）；${met ? '已达到目标' : '没有阈值能达到目标，该标签保留原阈值'}。`,
    noneOfThese: '都不是（无标签）',
    metricsParagraph: (n, none, iterations, seed) =>
      `共评估 ${n} 篇金标准文档，其中 ${none} 篇标为“都不是”。当某标签的概率不低于其阈值时即预测该标签。区间：按文档的百分位自助法，重抽样 ${iterations} 次，随机种子 ${seed}。`,
    headMetric: ['指标', '值', '含义'],
    metricNames: {
      microF1: '微平均 F1',
      macroF1: '宏平均 F1',
      samplesF1: '样本平均 F1',
      hammingLoss: '汉明损失',
      subsetAccuracy: '子集准确率（完全匹配）',
      lrap: '标签排序平均精确率',
      microPrecision: '微平均精确率',
      microRecall: '微平均召回率',
      microRocAuc: '微平均 ROC AUC',
      macroRocAuc: '宏平均 ROC AUC',
      macroPrAuc: '宏平均平均精确率',
    },
    explain: {
      microF1: '把所有（文档，标签）判断合在一起计算的 F1：常见标签权重最大。',
      macroF1: '各标签 F1 的平均值，少见标签与常见标签同等重要。',
      samplesF1: '每篇文档预测标签与金标准标签的吻合程度，再对文档取平均（正确预测“都不是”算完全正确）。',
      hammingLoss: '错误的（文档，标签）判断所占比例：0 为完美，越低越好。',
      subsetAccuracy: '整组标签完全正确的文档所占比例。',
      lrap: '按概率排序时，每篇文档的金标准标签排在其他标签之前的程度：1 为完美。',
      microPrecision: '模型给出的所有标签中，人工也给出的比例。',
      microRecall: '人工给出的所有标签中，被模型找出的比例。',
      microRocAuc: '在所有判断上，概率把正确标签排在错误标签之前的能力：0.5 相当于随机，1 为完美。',
      macroRocAuc: '各标签 ROC AUC 的平均值：0.5 相当于随机，1 为完美。',
      macroPrAuc: '各标签精确率-召回率曲线下面积的平均值：1 为完美。',
    },
    perLabel: '各标签（按其阈值）',
    headPerLabel: [
      '标签',
      '阈值',
      '精确率',
      '召回率',
      'F1',
      '金标准文档数',
      '预测数',
      'ROC AUC',
      '平均精确率',
    ],
    roc: (auc) => `各标签 ROC（宏平均 AUC ${auc}）`,
    pr: (ap) => `各标签精确率-召回率（宏平均 AP ${ap}）`,
    coOccurrence: '金标准共现（同时带两个标签的文档）',
    predictedVsGold: '金标准对应的预测（行：金标准标签，列：预测标签）',
    coOccurrenceParagraph:
      '左图：同时带两个标签的金标准文档数（对角线为各标签的文档数；颜色深浅为占该行标签文档的比例）。右图：带有该行标签的金标准文档中，模型给出该列标签的文档数（对角线为找出的；其余为一并加上的标签）。',
    lowSupport: (label, support, min) =>
      `标签“${label}”只有 ${support} 篇金标准文档（少于 ${min} 篇）：其得分不确定，请参考区间。`,
    limitationNone: (none) =>
      `${none} 篇金标准文档没有标签（“都不是”）；什么都不预测的模型在这些文档上也算正确。`,
    teacherRefused: '多标签项目的报告针对学生模型运行：教师模型在“教师”步骤中逐个标签检查。',
  },
};

export const REPORT_TEXT: Readonly<Record<ReportLanguage, ReportText>> = { en, 'zh-CN': zh };
