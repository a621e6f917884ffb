/**
 * The model report's words in English and Simplified Chinese. `ReportText` is one shape for both, so a sentence
 * missing in one language is a compile error. Chart titles drawn inside charts.ts stay English for now.
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
};

export const REPORT_TEXT: Readonly<Record<ReportLanguage, ReportText>> = { en, 'zh-CN': zh };
