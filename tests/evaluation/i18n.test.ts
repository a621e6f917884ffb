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
    const en = keys(evaluationI18n.en).sort();
    expect(en.length).toBeGreaterThan(50);
    expect(keys(evaluationI18n['zh-CN']).sort()).toEqual(en);
    for (const v of [...values(evaluationI18n.en), ...values(evaluationI18n['zh-CN'])])
      expect(v.trim()).not.toBe('');
  });
});
