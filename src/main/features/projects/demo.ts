import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { annotationWriter } from '../../core/annotations';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { createProject } from './projects';

/** The demo project's words in each language (the sentences themselves are the corpus' English). */
const DEMO_TEXT = {
  en: {
    name: 'Demo: unfair contract terms',
    description:
      'Sentences from 50 online Terms of Service (CLAUDETTE corpus, CC BY 4.0). Try every step on it.',
    taskDescription:
      'Decide whether a sentence from an online Terms of Service is a potentially unfair clause.',
    fair: 'An ordinary clause of the terms of service that does not put the consumer at an unfair disadvantage.',
    unfair:
      'A potentially unfair clause: e.g. unilateral change or termination, limitation of liability, arbitration, ' +
      'choice of law or jurisdiction, content removal, or consent by merely using the service.',
  },
  'zh-CN': {
    name: '演示：不公平的合同条款',
    description: '来自 50 份在线服务条款的英文句子（CLAUDETTE 语料库，CC BY 4.0）。可在其上试用每个步骤。',
    taskDescription: '判断一句来自在线服务条款的句子是否可能是不公平条款。',
    fair: '服务条款中的普通条款，不会使消费者处于不公平的不利地位。',
    unfair:
      '可能不公平的条款：例如单方面变更或终止、责任限制、仲裁、法律选择或管辖、删除内容，或仅因使用服务即视为同意。',
  },
} as const;

export type DemoLanguage = keyof typeof DEMO_TEXT;

export const DEMO_PROJECT_NAME = DEMO_TEXT.en.name;

/** The demo's language from a locale ('zh', 'zh-CN', 'zh_CN.UTF-8' -> Chinese; anything else English). */
export function demoLanguageOf(locale: string | undefined): DemoLanguage {
  return /^zh/i.test(locale ?? '') ? 'zh-CN' : 'en';
}

/** The system's language for the demo outside Electron: LC_ALL, LC_MESSAGES, then LANG. */
export function systemDemoLanguage(env: NodeJS.ProcessEnv = process.env): DemoLanguage {
  return demoLanguageOf(env.LC_ALL || env.LC_MESSAGES || env.LANG);
}

const DEMO_LABELS = [
  { name: 'fair', key: 'fair', color: 'teal', hotkey: 'f' },
  { name: 'unfair', key: 'unfair', color: 'red', hotkey: 'u' },
] as const;

/**
 * Creates the demo project on a first start: a few hundred sentences of online terms of service (CC BY 4.0).
 * The test split is human-labelled (gold), a quarter of the rest is labelled, the others wait for the teacher.
 * Its name, description, task and label descriptions are in `language` (the system's at the first start).
 */
export function seedDemoProject(db: Db, resources: string, language: DemoLanguage = 'en'): number | null {
  const words = DEMO_TEXT[language];
  const seeded = db.prepare("SELECT value FROM settings WHERE key = 'demoSeeded'").get();
  if (seeded) return null;
  const file = join(resources, 'demo', 'unfair_tos_demo.tsv');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return db.transaction(() => {
    const project = createProject(
      db,
      {
        name: words.name,
        description: words.description,
        taskDescription: words.taskDescription,
        isDemo: true,
      },
      'system',
    );
    const now = nowIso();
    const labelIds = new Map<string, number>();
    DEMO_LABELS.forEach((l, i) => {
      const info = db
        .prepare(
          'INSERT INTO labels (project_id, name, description, color, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(project.id, l.name, words[l.key], l.color, l.hotkey, i, now);
      labelIds.set(l.name, Number(info.lastInsertRowid));
    });
    const dataset = db
      .prepare(
        `INSERT INTO datasets (project_id, name, source_path, format, encoding, options, row_count, created_at)
         VALUES (?, 'unfair_tos_demo.tsv', ?, 'tsv', 'utf-8', '{}', ?, ?)`,
      )
      .run(project.id, file, rows.length, now);
    const datasetId = Number(dataset.lastInsertRowid);
    const insertExample = db.prepare(
      `INSERT INTO examples (project_id, dataset_id, source_row, text, text_hash, length, split, imported_label, metadata, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const addAnnotation = annotationWriter(db);
    rows.forEach((line, i) => {
      const [text, label, document, splitGuess] = line.split('\t');
      // The corpus' own document split keeps sentences of one ToS together: 'valtest' documents are the test set.
      const split = splitGuess === 'valtest' ? 'test' : i % 5 === 0 ? 'validation' : 'train';
      const labelled = split !== 'train' || i % 4 === 0;
      const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
      const info = insertExample.run(
        project.id,
        datasetId,
        i + 2,
        text,
        hash,
        [...text].length,
        split,
        labelled ? label : null,
        JSON.stringify({ document }),
        now,
      );
      if (labelled) {
        addAnnotation({
          projectId: project.id,
          exampleId: Number(info.lastInsertRowid),
          labelId: labelIds.get(label) ?? null,
          labelSet: null,
          annotator: 'import',
          source: 'import',
          createdAt: now,
        });
      }
    });
    db.prepare("INSERT INTO settings (key, value) VALUES ('demoSeeded', 'true')").run();
    return project.id;
  })();
}
