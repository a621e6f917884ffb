import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/shared/auditFormat';
import type { Core } from '../../src/main/core/core';
import {
  confusionScene,
  histogramScene,
  matrixHeaderLayout,
  RIGHT_COLOUR,
  WRONG_COLOUR,
} from '../../src/main/features/evaluation/charts';
import { renderPdf } from '../../src/main/features/evaluation/pdf';
import { buildReport, type ReportModel } from '../../src/main/features/evaluation/report';
import { testCore } from '../helpers';
import { evaluateSeededTeacher, pdftotext } from './pdfText';
import { seedProject, type SeededProject } from './seed';

/** Fourteen classes with long names, as a law firm's document types. */
const LABELS14 = Array.from({ length: 14 }, (_, i) => `Contract category ${i + 1}`);
const TASK = 'Sort the referral letters.\nUrgent: seen within a week.\nRoutine: everything else.';

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let seeded: SeededProject;

beforeEach(async () => {
  t = await testCore();
  core = t.core;
  seeded = seedProject(core.db, t.dataDir, 'Referrals');
  core.db.prepare('UPDATE projects SET task_description = ? WHERE id = ?').run(TASK, seeded.projectId);
  // A calibrated temperature as the optimiser leaves it, and settings stored with camelCase keys.
  core.db
    .prepare('UPDATE teacher_runs SET calibration_temperature = ?, settings = ? WHERE id = ?')
    .run(
      19.999999999999996,
      JSON.stringify({ maxTokens: 64, topP: 0.71342, contextSize: 512 }),
      seeded.teacherRunId,
    );
  await evaluateSeededTeacher(core, seeded, ['fair', 'unfair']);
});
afterEach(async () => {
  await t.close();
});

/** The PDF's text as poppler lays it out (`pdftotext -layout`): lines kept. */
function layoutText(bytes: Uint8Array, name: string): string {
  return pdftotext(t.dataDir, bytes, name, true);
}

describe('PDF model report is readable', () => {
  it('prints a multi-line task as lines, numbers rounded, settings as words (English report)', async () => {
    const report = buildReport(core.db, seeded.projectId, { kind: 'teacher', runId: seeded.teacherRunId });
    const text = layoutText(await renderPdf(report, { unicodeFont: null }), 'report.pdf');
    const lines = text.split('\n').map((l) => l.trim());
    for (const l of TASK.split('\n')) expect(lines).toContain(l);
    expect(text).not.toContain('?');
    expect(text).not.toContain('19.999');
    expect(text).toMatch(/Calibration temperature\s+20\b/);
    expect(text).toMatch(/Top p\s+0\.713\b/);
    expect(text).toMatch(/Max tokens\s+64\b/);
    // No camelCase key anywhere in the tables.
    expect(text).not.toMatch(/\b[a-z]+[A-Z][a-z]+\b/);
  });

  it('numbers the columns of a 14-class matrix with a key, and its headers never overlap', async () => {
    for (const k of [2, 5, 8, 14, 30]) {
      const labels = LABELS14.concat(LABELS14, LABELS14).slice(0, k);
      const cell = Math.min(60, Math.floor((520 - 90 - 10) / k));
      const { boxes } = matrixHeaderLayout(labels, 90, cell, 8);
      for (let j = 1; j < boxes.length; j++) {
        const a = boxes[j - 1]!;
        const b = boxes[j]!;
        expect(a.x + a.width / 2, `headers ${j} and ${j + 1} of ${k}`).toBeLessThan(b.x - b.width / 2);
      }
    }
    expect(matrixHeaderLayout(['yes', 'no'], 90, 60, 8).key).toBe(false);
    const layout = matrixHeaderLayout(LABELS14, 90, 30, 8);
    expect(layout.key).toBe(true);
    expect(layout.boxes.map((b) => b.text)).toEqual(LABELS14.map((_, i) => String(i + 1)));

    const zeros = LABELS14.map(() => LABELS14.map(() => 0));
    const scene = confusionScene(LABELS14, zeros, zeros);
    const report: ReportModel = {
      title: 'Matrix',
      subtitle: 'fourteen classes',
      sections: [{ title: 'Errors', paragraphs: [], tables: [], charts: [scene] }],
    };
    const text = layoutText(await renderPdf(report, { unicodeFont: null }), 'matrix.pdf');
    expect(text).toContain('14 = Contract category 14');
    expect(text).toContain('1 = Contract category 1');
  });

  it("draws the confidence legend in the bars' own colours", () => {
    const scene = histogramScene([1, 2, 3], [3, 2, 1]);
    const fills = (shapes: typeof scene.shapes): string[] =>
      shapes.flatMap((s) => (s.t === 'rect' && s.w === 8 && s.h === 8 ? [s.fill] : []));
    expect(fills(scene.shapes)).toEqual([RIGHT_COLOUR, WRONG_COLOUR]);
    const bars = new Set(scene.shapes.flatMap((s) => (s.t === 'rect' && s.w !== 8 ? [s.fill] : [])));
    expect([...bars].sort()).toEqual([RIGHT_COLOUR, WRONG_COLOUR].sort());
  });

  it('formats numbers with a sensible precision', () => {
    expect(formatNumber(19.999999999999996)).toBe('20');
    expect(formatNumber(0.71342)).toBe('0.713');
    expect(formatNumber(64)).toBe('64');
    expect(formatNumber(1234.56)).toBe('1235');
    expect(formatNumber(0.00012345)).toBe('0.000123');
  });
});
