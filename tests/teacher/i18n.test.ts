import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('teacher step strings', () => {
  it('has every key in English and Simplified Chinese, and every key the UI uses exists', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'renderer', 'src', 'features', 'teacher');
    // Loaded by path: the renderer is outside the Node TypeScript project.
    const { teacherI18n } = (await import(join(dir, 'i18n.ts'))) as {
      teacherI18n: Record<'en' | 'zh-CN', Record<string, string>>;
    };
    // Plural forms (`key_one`, `key_other`) are one key to the UI; Chinese has only `_other`.
    const base = (keys: string[]): string[] =>
      [...new Set(keys.map((k) => k.replace(/_(zero|one|two|few|many|other)$/, '')))].sort();
    const en = base(Object.keys(teacherI18n.en));
    expect(base(Object.keys(teacherI18n['zh-CN']))).toEqual(en);
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.tsx'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\bt\('([A-Za-z]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(30);
    for (const key of used) expect(en, key).toContain(key);
  });
});
