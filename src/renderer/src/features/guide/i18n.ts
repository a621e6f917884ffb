/**
 * Strings that explain numbers, shared by every step that shows them (teacher check, Train, Evaluate, Compare),
 * English and Simplified Chinese: one sentence per metric, written for people who are not ML engineers.
 */
export const guideI18n = {
  en: {
    metric: {
      accuracy: 'Accuracy',
      macroF1: 'Macro-F1',
      microF1: 'Micro-F1',
      weightedF1: 'Weighted F1',
      kappa: 'Kappa',
      auc: 'AUC',
      macroAuc: 'Macro AUC',
      ece: 'ECE',
      brier: 'Brier score',
      precision: 'Precision',
      recall: 'Recall',
      f1: 'F1',
      support: 'Documents',
      loss: 'Loss',
      averagePrecision: 'Average precision',
      interval: '95% interval',
      samplesF1: 'Samples F1',
      hammingLoss: 'Hamming loss',
      subsetAccuracy: 'Subset accuracy',
      lrap: 'Label ranking precision',
      threshold: 'Threshold',
    },
    explain: {
      accuracy: 'The share of documents that get the same label as people gave them.',
      macroF1:
        'F1 (the balance of precision and recall) averaged over labels, so that a rare label counts as much as a common one.',
      microF1: 'F1 over all documents pooled together; with one label per document it equals accuracy.',
      weightedF1: 'F1 of each label averaged with weights by how many documents have that label.',
      kappa:
        'Agreement with people beyond what guessing would give: 0 is no better than chance, 1 is perfect agreement.',
      auc: 'How well the scores put documents of a label above the others: 0.5 is chance, 1 is perfect.',
      macroAuc: 'The AUC of each label averaged over labels: 0.5 is chance, 1 is perfect.',
      ece: 'How far the stated confidence is from how often the model is really right: 0 means its confidence can be taken at its word.',
      brier:
        'The mean squared gap between the probabilities and the true labels: 0 is perfect, lower is better.',
      precision: 'Of the documents given this label, the share that people also gave it.',
      recall: 'Of the documents people gave this label, the share that the model found.',
      f1: 'The balance of precision and recall for one label: high only when both are high.',
      support: 'How many documents people gave this label.',
      loss: 'How wrong the model is on average during training: lower is better.',
      averagePrecision:
        'The area under the precision-recall curve: how precise the model stays as it finds more of a label; 1 is perfect.',
      interval:
        'The range the number would most likely fall in on another set of similar documents: a wide range means few documents.',
      samplesF1:
        'For each document, how well the labels the model gave match the labels people gave, averaged over documents; rightly giving no label counts as perfect.',
      hammingLoss:
        'The share of yes/no decisions (one per document and label) that are wrong: 0 is perfect, lower is better.',
      subsetAccuracy:
        'The share of documents whose whole set of labels is exactly right, no label missing or extra.',
      lrap: "How well the probabilities rank each document's true labels above its other labels: 1 is perfect.",
      threshold:
        'The probability from which the model says a label applies: lower finds more documents of the label, with more false alarms.',
    },
  },
  'zh-CN': {
    metric: {
      accuracy: '准确率',
      macroF1: '宏平均 F1',
      microF1: '微平均 F1',
      weightedF1: '加权 F1',
      kappa: 'Kappa 系数',
      auc: 'AUC',
      macroAuc: '宏平均 AUC',
      ece: 'ECE（校准误差）',
      brier: 'Brier 分数',
      precision: '精确率',
      recall: '召回率',
      f1: 'F1',
      support: '文档数',
      loss: '损失',
      averagePrecision: '平均精确率',
      interval: '95% 区间',
      samplesF1: '样本平均 F1',
      hammingLoss: '汉明损失',
      subsetAccuracy: '子集准确率',
      lrap: '标签排序精确率',
      threshold: '阈值',
    },
    explain: {
      accuracy: '标签与人工标注一致的文档所占比例。',
      macroF1: '各标签 F1（精确率与召回率的平衡）的平均值，少见标签与常见标签同等重要。',
      microF1: '把所有文档合在一起计算的 F1；每篇文档只有一个标签时，它等于准确率。',
      weightedF1: '各标签 F1 按该标签文档数加权的平均值。',
      kappa: '扣除随机猜测后与人工标注的一致程度：0 表示不比随机好，1 表示完全一致。',
      auc: '分数把某标签的文档排在其他文档之前的能力：0.5 相当于随机，1 为完美。',
      macroAuc: '各标签 AUC 的平均值：0.5 相当于随机，1 为完美。',
      ece: '模型声称的置信度与其实际正确频率的差距：0 表示置信度完全可信。',
      brier: '概率与真实标签之间的平均平方差：0 为完美，越低越好。',
      precision: '被赋予该标签的文档中，人工也给出该标签的比例。',
      recall: '人工给出该标签的文档中，被模型找出的比例。',
      f1: '单个标签精确率与召回率的平衡：只有两者都高时才高。',
      support: '人工给出该标签的文档数。',
      loss: '训练中模型平均错得有多厉害：越低越好。',
      averagePrecision: '精确率-召回率曲线下的面积：模型找出更多该标签文档时仍能保持的精确程度；1 为完美。',
      interval: '在另一批类似文档上，该数值最可能落入的范围：范围越宽，说明文档越少。',
      samplesF1:
        '每篇文档中模型给出的标签与人工标签的吻合程度，再对文档取平均；正确地不给任何标签算完全正确。',
      hammingLoss: '所有是/否判断（每篇文档的每个标签一个）中错误的比例：0 为完美，越低越好。',
      subsetAccuracy: '整组标签完全正确（不缺也不多）的文档所占比例。',
      lrap: '概率把每篇文档的真实标签排在其他标签之前的程度：1 为完美。',
      threshold: '模型判定某标签适用的概率起点：阈值越低，找出的该标签文档越多，误报也越多。',
    },
  },
};

export type MetricKey = keyof (typeof guideI18n)['en']['explain'];
