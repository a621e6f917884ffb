import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

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
