import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_KINDS } from '../../src/shared/jobs';
import { JOB_KIND_ZH, JOB_PHASE_ZH, jobPhaseText, jobTitleText } from '../../src/shared/jobText';
import { runNameText } from '../../src/shared/runText';
import { ROOT } from '../helpers';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('job titles and phases in Chinese', () => {
  it('every phase the core writes has a Chinese text (read from its progress calls)', () => {
    const written = new Set<string>();
    for (const file of sources(join(ROOT, 'src', 'main'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/phase(?:: |\s*=\s*)'([^']+)'/g)) written.add(m[1]!);
      for (const m of text.matchAll(/\.progress\([^()]*,\s*'([^']+)'\)/g)) written.add(m[1]!);
    }
    expect(written.size).toBeGreaterThanOrEqual(12);
    for (const phase of written) {
      expect(JOB_PHASE_ZH[phase], phase).toMatch(/[\u4e00-\u9fff]/);
      expect(jobPhaseText(phase, 'en')).toBe(phase);
    }
    expect(jobPhaseText('Epoch 3/20', 'zh-CN')).toBe('第 3/20 轮');
    expect(jobPhaseText('1,234 predicted', 'zh-CN')).toBe('已预测 1,234 条');
    expect(jobPhaseText('Final fit on all labelled documents, epoch 2/5', 'zh-CN')).toBe(
      '在全部已标注文档上进行最终训练，第 2/5 轮',
    );
  });

  it('every kind has a Chinese name, and titles keep their file names, counts and project', () => {
    for (const kind of JOB_KINDS) expect(JOB_KIND_ZH[kind], kind).toMatch(/[\u4e00-\u9fff]/);
    const cases: Array<[(typeof JOB_KINDS)[number], string, string]> = [
      ['dataset.import', 'Import notes.csv', '导入 notes.csv'],
      ['dataset.searchIndex', 'Search index for notes.csv', '为 notes.csv 建立搜索索引'],
      ['teacher.run', 'Teacher labels (120 examples) · Triage', '教师标注（120 条） · Triage'],
      ['teacher.import', 'Import model qwen.gguf', '导入模型 qwen.gguf'],
      [
        'teacher.trial',
        'Prompt preview (version 2) on 20 documents · Triage',
        '提示词预览（版本 2，20 篇文档） · Triage',
      ],
      ['student.train', 'Train student (run 7) · Triage', '训练学生模型（运行 7） · Triage'],
      ['export.predict', 'Predict new.csv · Triage', '预测 new.csv · Triage'],
      ['export.backup', 'Back up Triage', '备份 Triage'],
      ['review.bulkAccept', "Accept the teacher's labels (≥ 90%)", '批量接受教师标签（≥ 90%）'],
    ];
    for (const [kind, en, zh] of cases) {
      expect(jobTitleText({ kind, title: en }, 'zh-CN')).toBe(zh);
      expect(jobTitleText({ kind, title: en }, 'en')).toBe(en);
    }
    // A title no pattern knows still says in Chinese what kind of job it is.
    expect(jobTitleText({ kind: 'export.backup', title: 'Something new' }, 'zh-CN')).toBe(
      '备份：Something new',
    );
  });

  it('run names as the core writes them read in Chinese', () => {
    expect(runNameText('Student run 5 (cnn)', 'zh-CN')).toBe('学生模型运行 5（cnn）');
    expect(runNameText('Teacher run 2 (qwen2.5-0.5b)', 'zh-CN')).toBe('教师运行 2（qwen2.5-0.5b）');
    expect(runNameText('Teacher run 2', 'zh-CN')).toBe('教师运行 2');
    expect(runNameText('Student run 5 (cnn)', 'en')).toBe('Student run 5 (cnn)');
  });
});
