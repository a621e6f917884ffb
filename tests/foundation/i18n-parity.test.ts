import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, it } from 'vitest';
import { keyedInfo } from '../../src/main/core/errors';
import { ERROR_MESSAGES, errorMessage } from '../../src/shared/errorMessages';
import { serverErrorsEn } from '../../src/shared/serverErrorMessages';

type Tree = { readonly [key: string]: string | Tree };

/** Every leaf key, nested keys joined with dots and plural suffixes folded (Chinese has only `_other`). */
function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string'
      ? [`${prefix}${k}`.replace(/_(zero|one|two|few|many|other)$/, '')]
      : keys(v, `${prefix}${k}.`),
  );
}

it('every user-visible string of the frame and of every wizard step exists in English and Simplified Chinese', async () => {
  const features = join(import.meta.dirname, '..', '..', 'src', 'renderer', 'src', 'features');
  const files = readdirSync(features, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(features, d.name, 'i18n.ts'))
    .filter((f) => readdirSync(join(f, '..')).includes('i18n.ts'));
  expect(files.length).toBeGreaterThanOrEqual(6);
  // The app frame's strings (project list, wizard, status bar) too.
  files.push(join(features, '..', 'common.i18n.ts'));
  for (const file of files) {
    // Loaded by path: the renderer is outside the Node TypeScript project.
    const mod = (await import(file)) as Record<string, Record<string, Tree>>;
    const tables = Object.values(mod).filter((v) => v && typeof v === 'object' && 'en' in v);
    expect(tables.length, file).toBeGreaterThan(0);
    for (const table of tables) {
      const en = [...new Set(keys(table.en))].sort();
      expect(en.length, file).toBeGreaterThan(0);
      expect([...new Set(keys(table['zh-CN'] ?? {}))].sort(), file).toEqual(en);
    }
  }
});

/** Every TypeScript file below a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => join(d.parentPath, d.name));
}

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'main');
/**
 * Errors worded elsewhere and passed on (a core result, the teacher process, the training worker, the import's reader
 * thread, a stored job).
 */
const RELAYS = [
  'core/core.ts',
  'features/teacher/teacher.client.ts',
  'features/student/train.client.ts',
  'features/dataset/importReader.ts',
  'cli/jobs.ts',
  'features/disk/cli.ts',
];

it('every error the core throws has a catalogue key: no AppError is made from a bare English sentence', () => {
  const bare: string[] = [];
  const relayed: string[] = [];
  for (const file of sources(MAIN)) {
    const rel = relative(MAIN, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/new AppError\(/.test(line) && rel !== 'core/errors.ts') bare.push(`${rel}:${i + 1}`);
      if (/AppError\.relayed\(/.test(line) && !RELAYS.includes(rel)) relayed.push(`${rel}:${i + 1}`);
    });
  }
  expect(bare, 'use AppError.keyed with a key in src/shared/errorMessages.ts').toEqual([]);
  expect(relayed, 'relay only errors another part worded').toEqual([]);
});

it('every key a throw site names exists, in English and Simplified Chinese with the same parameters', () => {
  const en = ERROR_MESSAGES.en as unknown as Record<string, unknown>;
  const zh = ERROR_MESSAGES['zh-CN'] as unknown as Record<string, unknown>;
  const named = new Set<string>();
  for (const file of [...sources(MAIN), join(MAIN, '..', 'preload', 'ipcApi.ts')]) {
    const text = readFileSync(file, 'utf8');
    // keyed('CODE', 'key' ...), keyedInfo(...), the server's refuse(res, status, 'CODE', 'key'), a ternary of keys.
    for (const m of text.matchAll(/(?:keyed|keyedInfo|refuse)\(([^;]*?)\)/gs)) {
      for (const k of m[1].matchAll(/'([a-z]+\.[A-Za-z0-9]+|[a-z][A-Za-z0-9]+)'/g)) {
        if (k[1] in en) named.add(k[1]);
      }
    }
  }
  expect(named.size).toBeGreaterThan(290);
  const placeholders = (t: string): string[] => [
    ...new Set([...t.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1])),
  ];
  for (const [key, template] of Object.entries(en)) {
    if (typeof template !== 'string') continue;
    const chinese = zh[key];
    expect(typeof chinese, key).toBe('string');
    expect(chinese, key).not.toBe(template);
    expect(/[\u4e00-\u9fff]/.test(chinese as string), `${key} is not Chinese`).toBe(true);
    // The Chinese may leave out a parameter (an English plural "s"), never invent one.
    for (const p of placeholders(chinese as string))
      expect(placeholders(template), `${key}: {{${p}}}`).toContain(p);
  }
  // A keyed error reaches a Chinese UI in Chinese, its parameters filled.
  const info = keyedInfo('NOT_FOUND', 'export.runHasNoModel', { runId: 7 });
  expect(info.message).toBe(
    'Training run 7 of this project has no model. Choose another run, or train again.',
  );
  expect(errorMessage(info, 'zh-CN')).toBe('该项目的训练运行 7 没有模型。请选择其他运行，或重新训练。');
});

it('every sentence of the core catalogue is said by some throw site: no stale key is kept and translated for nothing', () => {
  const SRC = join(MAIN, '..');
  const quoted = new Set<string>();
  for (const file of [...sources(SRC)].filter((f) => !f.endsWith('serverErrorMessages.ts'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`]([a-z]+\.[A-Za-z0-9]+)['"`]/g))
      quoted.add(m[1]);
  }
  expect(Object.keys(serverErrorsEn).filter((k) => !quoted.has(k))).toEqual([]);
});
