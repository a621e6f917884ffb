import type { JobKind } from './jobs';

/**
 * Job titles and phases in Simplified Chinese. The core stores them in English (the CLI and logs show them, and jobs
 * already in a database keep theirs); the UI words them in Chinese from these tables. Each phase the core writes is
 * listed (tests/i18n/job-text.test.ts reads the core's progress calls and fails on one missing here), and each kind's
 * title pattern takes the parts that vary (a file name, a count, the project) into the Chinese sentence.
 */
export const JOB_KIND_ZH: Readonly<Record<JobKind, string>> = {
  'dataset.import': '导入数据',
  'dataset.searchIndex': '建立搜索索引',
  'teacher.run': '教师标注',
  'teacher.import': '导入模型',
  'teacher.trial': '提示词预览',
  'student.train': '训练学生模型',
  'export.predict': '批量预测',
  'export.backup': '备份',
  'review.bulkAccept': '批量接受',
};

export const JOB_PHASE_ZH: Readonly<Record<string, string>> = {
  Reading: '读取中',
  Saving: '保存中',
  'Indexing for search': '建立搜索索引',
  'Building indexes': '建立索引',
  Waiting: '等待中',
  Accepting: '接受中',
  Downloading: '下载中',
  Copying: '复制中',
  'Loading the model': '加载模型',
  Labelling: '标注中',
  Calibrating: '校准中',
  'Preparing features': '准备特征',
  'Auto: preparing configurations': '自动模式：准备配置',
  'Resuming the final fit on all labelled documents': '继续在全部已标注文档上的最终训练',
  'Copying the database': '复制数据库',
  Compacting: '压缩中',
  'Packing models and files': '打包模型和文件',
  'Computing checksums': '计算校验和',
};

/** Phases with a number in them: English pattern, Chinese with $1, $2. */
const PHASE_PATTERNS_ZH: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Epoch (\d+)\/(\d+)$/, '第 $1/$2 轮'],
  [
    /^Auto: trying configuration (\d+) of (\d+), epoch (\d+)\/(\d+)$/,
    '自动模式：正在尝试第 $1 种配置（共 $2 种），第 $3/$4 轮',
  ],
  [/^Resuming after epoch (\d+)$/, '从第 $1 轮之后继续'],
  [
    /^Final fit on all labelled documents, epoch (\d+)\/(\d+)$/,
    '在全部已标注文档上进行最终训练，第 $1/$2 轮',
  ],
  [/^([\d,]+) predicted$/, '已预测 $1 条'],
];

const TITLE_PATTERNS_ZH: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Import model (.+)$/, '导入模型 $1'],
  [/^Download model (.*)$/, '下载模型 $1'],
  [/^Search index for (.+)$/, '为 $1 建立搜索索引'],
  [/^Import (.+)$/, '导入 $1'],
  [/^Teacher labels \((\d+) examples\)/, '教师标注（$1 条）'],
  [/^Prompt preview \(version (\d+)\) on (\d+) documents/, '提示词预览（版本 $1，$2 篇文档）'],
  [/^Prompt preview on (\d+) documents/, '提示词预览（$1 篇文档）'],
  [/^Train student \(run (\d+)\)/, '训练学生模型（运行 $1）'],
  [/^Predict (.+?)(?= · |$)/, '预测 $1'],
  [/^Back up (.+)$/, '备份 $1'],
  [/^Accept the teacher's labels \(≥ (\d+)%\)/, '批量接受教师标签（≥ $1%）'],
  [/^Test job \((\d+) steps\)$/, '测试任务（$1 步）'],
];

function zhOf(text: string, patterns: ReadonlyArray<readonly [RegExp, string]>): string | null {
  for (const [re, zh] of patterns) {
    const m = re.exec(text);
    if (m) return text.replace(re, zh);
  }
  return null;
}

/** A job's phase in the UI language. */
export function jobPhaseText(phase: string, language: string): string {
  if (!language.startsWith('zh')) return phase;
  return JOB_PHASE_ZH[phase] ?? zhOf(phase, PHASE_PATTERNS_ZH) ?? phase;
}

/** A job's title in the UI language: the pattern's sentence, or the kind's name before the English title. */
export function jobTitleText(
  job: { readonly kind: JobKind; readonly title: string },
  language: string,
): string {
  if (!language.startsWith('zh')) return job.title;
  return zhOf(job.title, TITLE_PATTERNS_ZH) ?? `${JOB_KIND_ZH[job.kind]}：${job.title}`;
}
