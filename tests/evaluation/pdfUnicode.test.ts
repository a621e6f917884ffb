import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { NO_CJK_FONT_NOTICE, renderPdf } from '../../src/main/features/evaluation/pdf';
import { evaluationHandlers } from '../../src/main/features/evaluation/feature';
import { findCjkFont, openCjkFont } from '../../src/main/features/evaluation/pdfFonts';
import { buildReport } from '../../src/main/features/evaluation/report';
import { testCore } from '../helpers';
import { evaluateSeededTeacher, pdftotext } from './pdfText';
import { fakeStudentLoader, seedProject, type SeededProject } from './seed';

/** A Chinese hospital project: Chinese project name and label names, English and Chinese texts. */
const PROJECT = '病历分类';
const LABELS = ['病情诊断', '治疗方案'] as const;

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let seeded: SeededProject;

beforeEach(async () => {
  t = await testCore();
  core = t.core;
  seeded = seedProject(core.db, t.dataDir, PROJECT);
  const rename = core.db.prepare('UPDATE labels SET name = ? WHERE id = ?');
  rename.run(LABELS[0], seeded.labelIds.fair);
  rename.run(LABELS[1], seeded.labelIds.unfair);
  core.db.prepare('UPDATE teacher_runs SET labels_snapshot = ? WHERE id = ?').run(
    JSON.stringify([
      { id: seeded.labelIds.fair, name: LABELS[0] },
      { id: seeded.labelIds.unfair, name: LABELS[1] },
    ]),
    seeded.teacherRunId,
  );
  core.db
    .prepare(
      "UPDATE projects SET task_description = '判断病历属于病情诊断还是治疗方案。 Sort the notes.' WHERE id = ?",
    )
    .run(seeded.projectId);
  await evaluateSeededTeacher(core, seeded, LABELS);
});
afterEach(async () => {
  await t.close();
});

/** The PDF's text as poppler extracts it, whitespace collapsed (lines wrap anywhere). */
function pdfText(bytes: Uint8Array, name: string): string {
  return pdftotext(t.dataDir, bytes, name, false).replace(/\s+/g, ' ');
}

const report = (): ReturnType<typeof buildReport> =>
  buildReport(core.db, seeded.projectId, { kind: 'teacher', runId: seeded.teacherRunId });

const cjk = findCjkFont();
const DROID = '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf';

describe('the PDF report of a Chinese project', () => {
  it.skipIf(!cjk)(
    cjk
      ? `shows Chinese label and project names with the CJK font ${cjk.path}`
      : 'shows Chinese label and project names (skipped: no CJK font installed; apt-get install fonts-wqy-microhei or set DISTILLERY_PDF_FONT)',
    async () => {
      const h = evaluationHandlers(fakeStudentLoader([...LABELS]).load);
      const pdf = await h['evaluation.exportReport'](
        {
          projectId: seeded.projectId,
          model: { kind: 'teacher', runId: seeded.teacherRunId },
          format: 'pdf',
        },
        core.ctx,
      );
      const text = pdfText(readFileSync(pdf.path), 'check.pdf');
      for (const name of [...LABELS, PROJECT, '判断病历属于病情诊断还是治疗方案'])
        expect(text).toContain(name);
      // Latin text is still drawn (Helvetica), and no character fell back to '?'.
      expect(text).toContain('Metrics on the gold test set');
      expect(text).toContain('Sort the notes.');
      expect(text).not.toContain(NO_CJK_FONT_NOTICE.slice(0, 40));
      const fonts = spawnSync('pdffonts', [pdf.path], { encoding: 'utf8' });
      if (fonts.status === 0) expect(fonts.stdout).toMatch(/Helvetica/);
    },
  );

  it.skipIf(!existsSync(DROID))(
    existsSync(DROID)
      ? 'draws Latin text with Helvetica beside a CJK-only font (DroidSansFallbackFull has no Latin glyphs)'
      : `draws Latin text beside a CJK-only font (skipped: ${DROID} not installed; apt-get install fonts-droid-fallback)`,
    async () => {
      const droid = openCjkFont(DROID);
      expect(droid).not.toBeNull();
      const text = pdfText(await renderPdf(report(), { unicodeFont: droid }), 'droid.pdf');
      for (const name of LABELS) expect(text).toContain(name);
      expect(text).toContain('Intended use');
      expect(text).toContain('Sort the notes.');
    },
  );

  it('without a CJK font, keeps Helvetica with "?" and says in one line that a CJK font is needed', async () => {
    const bytes = await renderPdf(report(), { unicodeFont: null });
    const file = join(t.dataDir, 'notice.pdf');
    writeFileSync(file, bytes);
    const first = spawnSync('pdftotext', ['-enc', 'UTF-8', '-layout', '-l', '1', file, '-'], {
      encoding: 'utf8',
    });
    expect(first.stdout.split('\n').map((l) => l.trim())).toContain(NO_CJK_FONT_NOTICE);
    const text = pdfText(bytes, 'plain.pdf');
    expect(text).toContain('????');
    expect(text).toContain('Intended use');
    for (const name of LABELS) expect(text).not.toContain(name);
  });

  it('an English-only report needs no CJK font and has no notice', async () => {
    // The same report with its Chinese strings left out.
    const r = report();
    const plain = {
      title: 'Model report',
      subtitle: 'Contracts',
      sections: r.sections.map((s) => ({ ...s, paragraphs: [], tables: [], charts: [] })),
    };
    const text = pdfText(await renderPdf(plain, { unicodeFont: null }), 'english.pdf');
    expect(text).toContain('Model report');
    expect(text).not.toContain('install a CJK font');
  });
});
