/**
 * A run's name in the UI language. The core names runs in English ("Student run 5 (cnn)", "Teacher run 2 (qwen)":
 * evaluation/evaluate.ts), and reports and the CLI keep that; the UI says it in Chinese from the same parts.
 */
const PATTERNS_ZH: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Teacher run (\d+) \((.+)\)$/, '教师运行 $1（$2）'],
  [/^Teacher run (\d+)$/, '教师运行 $1'],
  [/^Student run (\d+) \((.+)\)$/, '学生模型运行 $1（$2）'],
  [/^Student run (\d+)$/, '学生模型运行 $1'],
];

export function runNameText(name: string, language: string): string {
  if (!language.startsWith('zh')) return name;
  for (const [re, zh] of PATTERNS_ZH) if (re.test(name)) return name.replace(re, zh);
  return name;
}
