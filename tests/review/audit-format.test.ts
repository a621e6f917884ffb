import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  actionName,
  detailLines,
  formatWhen,
  humanizeKey,
  MAX_DETAIL_CHARS,
} from '../../src/shared/auditFormat';
import { AUDIT_ACTIONS, HISTORY_ACTIONS } from '../../src/shared/audit';
import { ROOT } from '../helpers';

type Names = Record<string, string>;
interface ReviewStrings {
  action: Names;
  detailKey: Names;
  showWhole: string;
}
// Loaded by path: the renderer's files are not part of the Node TypeScript project.
const reviewI18n = (
  (await import(join(ROOT, 'src', 'renderer', 'src', 'features', 'review', 'i18n.ts'))) as {
    reviewI18n: { en: ReviewStrings; 'zh-CN': ReviewStrings };
  }
).reviewI18n;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('audit log formatting', () => {
  it('every action the core writes is a known action (read from the audit() calls in src/main)', () => {
    const written = new Set<string>();
    for (const file of sources('src/main')) {
      const text = readFileSync(file, 'utf8');
      for (const call of text.matchAll(/\baudit\((?:[^()]|\([^()]*\))*\)/g)) {
        const action = /action:\s*([^,\n]+)/.exec(call[0]);
        if (!action) continue;
        for (const lit of action[1]!.matchAll(/'([^']+)'/g)) written.add(lit[1]!);
      }
    }
    // The scan must actually find the calls (import, export, teacher runs, the test-set lock at least).
    expect(written.size).toBeGreaterThanOrEqual(15);
    for (const a of ['import', 'export', 'teacher.run', 'lock-test', 'unlock-test', 'exclude', 'include'])
      expect(written).toContain(a);
    for (const a of written) expect(AUDIT_ACTIONS as readonly string[]).toContain(a);
  });

  it('every action has an English and a Chinese name, different from its key', () => {
    const en = reviewI18n.en.action;
    const zh = reviewI18n['zh-CN'].action;
    for (const a of HISTORY_ACTIONS) {
      expect(en[a], `English name of ${a}`).toBeTruthy();
      expect(zh[a], `Chinese name of ${a}`).toMatch(/[\u4e00-\u9fff]/);
      expect(en[a]).not.toBe(a);
      expect(actionName(a, (k) => en[k] ?? null)).toBe(en[a]);
      expect(actionName(a, (k) => zh[k] ?? null)).toBe(zh[a]);
    }
    expect(reviewI18n['zh-CN'].showWhole).toBeTruthy();
  });

  it('an unknown action falls back to readable words', () => {
    expect(actionName('merge_projects', () => null)).toBe('Merge projects');
    expect(actionName('undo-clean', () => null)).toBe('Undo clean');
    expect(actionName('model.importDone', () => null)).toBe('Model import done');
    expect(humanizeKey('trainLoss')).toBe('Train loss');
  });

  it('details become key: value lines, with no JSON braces, and long values are shortened but kept whole', () => {
    const long = 'C:\\Users\\clinic\\Documents\\'.repeat(20) + 'export.csv';
    const lines = detailLines(
      JSON.stringify({
        path: long,
        rows: 1955,
        labels: ['urgent', 'routine'],
        counts: { train: 800, test: 200 },
        note: null,
      }),
    );
    expect(lines.map((l) => l.key)).toEqual(['Path', 'Rows', 'Labels', 'Counts', 'Note']);
    expect(lines[0]!.value.length).toBe(MAX_DETAIL_CHARS);
    expect(lines[0]!.value.endsWith('…')).toBe(true);
    expect(lines[0]!.full).toBe(long);
    expect(lines[1]).toEqual({ key: 'Rows', value: '1955', full: null });
    expect(lines[2]!.value).toBe('urgent, routine');
    expect(lines[3]!.value).toBe('train 800; test 200');
    expect(lines[4]!.value).toBe('—');
    for (const l of lines) expect(l.value).not.toMatch(/[{}"]/);
    expect(detailLines(null)).toEqual([]);
    expect(detailLines('not json')).toEqual([{ key: '', value: 'not json', full: null }]);
  });

  it("details' keys read in the UI language, nested ones too; a key without a translation stays readable", () => {
    const zh = reviewI18n['zh-CN'].detailKey;
    const lines = detailLines(
      JSON.stringify({ path: '/x/y.csv', rows: 3, counts: { train: 2, test: 1 }, somethingNew: 1 }),
      (k) => zh[k] ?? null,
    );
    expect(lines.map((l) => l.key)).toEqual(['路径', '行数', 'Counts', 'Something new']);
    expect(lines[2]!.value).toBe('训练集 2; 测试集 1');
    expect(Object.keys(zh).sort()).toEqual(Object.keys(reviewI18n.en.detailKey).sort());
  });

  it('dates follow the UI language: Chinese year-month-day in zh-CN, not the US format', () => {
    const iso = '2026-03-04T05:06:07.000Z';
    const zh = formatWhen(iso, 'zh-CN');
    expect(zh).toMatch(/2026年3月4日/);
    const en = formatWhen(iso, 'en');
    expect(en).toMatch(/Mar 4, 2026|4 Mar 2026/);
    expect(en).not.toMatch(/\d+\/\d+\/\d+/);
    expect(formatWhen('garbage', 'en')).toBe('garbage');
  });
});
