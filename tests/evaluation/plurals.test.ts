import { join } from 'node:path';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers';

type Bundle = { [key: string]: string | Bundle };
const FEATURES = ['dataset', 'teacher', 'review', 'student', 'evaluation', 'export'];

function keys(obj: Bundle, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

async function bundles(): Promise<Record<string, { en: Bundle; 'zh-CN': Bundle }>> {
  // Loaded by path: the renderer's files are not part of the Node TypeScript project.
  const src = join(ROOT, 'src', 'renderer', 'src');
  const out: Record<string, { en: Bundle; 'zh-CN': Bundle }> = {
    common: ((await import(join(src, 'common.i18n.ts'))) as { commonI18n: { en: Bundle; 'zh-CN': Bundle } })
      .commonI18n,
  };
  for (const f of FEATURES) {
    const mod = (await import(join(src, 'features', f, 'i18n.ts'))) as Record<
      string,
      { en: Bundle; 'zh-CN': Bundle }
    >;
    out[f] = Object.values(mod)[0];
  }
  return out;
}

describe('plural forms (i18next plural keys, English and Chinese)', () => {
  it('gives every English key_one its key_other, and Chinese key_other for both', async () => {
    for (const [ns, b] of Object.entries(await bundles())) {
      const en = new Set(keys(b.en));
      const zh = new Set(keys(b['zh-CN']));
      for (const k of en) {
        if (!k.endsWith('_one')) continue;
        const other = k.replace(/_one$/, '_other');
        expect(en.has(other), `${ns}:${other}`).toBe(true);
        expect(zh.has(other), `zh-CN ${ns}:${other}`).toBe(true);
      }
    }
  });

  it('says "1 matching example" and "2 matching examples", and the same for the other counted nouns', async () => {
    const resources: Record<string, Record<string, Bundle>> = { en: {}, 'zh-CN': {} };
    for (const [ns, b] of Object.entries(await bundles())) {
      resources.en[ns] = b.en;
      resources['zh-CN'][ns] = b['zh-CN'];
    }
    const i18n = i18next.createInstance();
    await i18n.init({ resources, lng: 'en', fallbackLng: 'en', interpolation: { escapeValue: false } });
    const en = i18n.getFixedT('en');
    expect(en('dataset:browse.matches', { count: 1 })).toBe('1 matching example');
    expect(en('dataset:browse.matches', { count: 2 })).toBe('2 matching examples');
    expect(en('common:examples', { count: 1 })).toBe('1 example');
    expect(en('evaluation:goldCount', { count: 1 })).toBe('1 gold test document');
    expect(en('export:exportedFiles', { count: 3 })).toBe('3 files');
    expect(en('student:fewExamples', { count: 1, label: 'x' })).toMatch(/^Only 1 training example for/);
    expect(en('teacher:planLine', { count: 1, toLabel: 1, carried: 0 })).toMatch(
      /^A run now covers 1 example:/,
    );
    const zh = i18n.getFixedT('zh-CN');
    expect(zh('dataset:browse.matches', { count: 1 })).toBe('匹配 1 条');
    expect(zh('common:examples', { count: 5 })).toBe('5 条文档');
  });
});
