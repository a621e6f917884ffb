import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers';

type Bundle = Record<string, unknown>;

function keys(obj: Bundle, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v as Bundle, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

function values(obj: Bundle): string[] {
  return Object.values(obj).flatMap((v) =>
    typeof v === 'object' && v !== null ? values(v as Bundle) : [String(v)],
  );
}

describe('Evaluate step strings', () => {
  it('has every key in English and Simplified Chinese, none empty', async () => {
    // Loaded by path: the renderer's files are not part of the Node TypeScript project.
    const file = join(ROOT, 'src', 'renderer', 'src', 'features', 'evaluation', 'i18n.ts');
    const { evaluationI18n } = (await import(file)) as { evaluationI18n: { en: Bundle; 'zh-CN': Bundle } };
    // Plural forms (`key_one`, `key_other`) are one key to the UI; Chinese has only `_other`.
    const base = (list: string[]): string[] =>
      [...new Set(list.map((k) => k.replace(/_(zero|one|two|few|many|other)$/, '')))].sort();
    const en = base(keys(evaluationI18n.en));
    expect(en.length).toBeGreaterThan(50);
    expect(base(keys(evaluationI18n['zh-CN']))).toEqual(en);
    for (const v of [...values(evaluationI18n.en), ...values(evaluationI18n['zh-CN'])])
      expect(v.trim()).not.toBe('');
  });
});
