import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import type { Scene } from './charts';
import { embedUnicodeFont, findCjkFont, isLatin1, needsUnicodeFont, type UnicodeFontFile } from './pdfFonts';
import type { ReportModel, ReportTable } from './reportSections';

const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 42;
const CONTENT_W = PAGE[0] - 2 * MARGIN;
const CHART_SCALE = 0.68;

function color(css: string): RGB {
  const hex = /^#([0-9a-f]{6})$/i.exec(css);
  if (hex) {
    const v = parseInt(hex[1], 16);
    return rgb(((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255);
  }
  const m = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(css.replace(/\s/g, ''));
  if (m) return rgb(Number(m[1]) / 255, Number(m[2]) / 255, Number(m[3]) / 255);
  return rgb(0, 0, 0);
}

/**
 * The fonts of one document. The standard PDF fonts know only Latin-1 (WinAnsi): Latin-1 text is drawn with
 * Helvetica, every other character with the embedded Unicode (CJK) font when there is one and it has the glyph,
 * else as '?' (the HTML report has them).
 */
interface Fonts {
  readonly regular: PDFFont;
  readonly bold: PDFFont;
  readonly unicode: { readonly font: PDFFont; readonly has: (codePoint: number) => boolean } | null;
}

/** A piece of text drawn with one font. */
interface Run {
  readonly text: string;
  readonly font: PDFFont;
}

/** A wrapping unit: a Latin word or a single CJK character; `space` when a space separates it from the one before. */
interface Token {
  readonly text: string;
  readonly space: boolean;
}

/** Latin text breaks at spaces; any other character (Chinese has no spaces) may start a new line. */
function tokens(s: string): Token[] {
  const out: Token[] = [];
  for (const word of s.split(/\s+/)) {
    if (!word) continue;
    let latin = '';
    let first = true;
    const push = (text: string): void => {
      out.push({ text, space: first });
      first = false;
    };
    for (const c of word) {
      if (isLatin1(c)) latin += c;
      else {
        if (latin) push(latin);
        latin = '';
        push(c);
      }
    }
    if (latin) push(latin);
  }
  return out;
}

class Writer {
  private page!: PDFPage;
  private y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: Fonts,
  ) {
    this.newPage();
  }

  private runs(s: string, bold: boolean): Run[] {
    const base = bold ? this.fonts.bold : this.fonts.regular;
    const uni = this.fonts.unicode;
    const out: Array<{ text: string; font: PDFFont }> = [];
    for (const ch of s) {
      // Control characters (newlines, tabs) have no glyph in any font: a space, never '?'.
      const code = ch.codePointAt(0) ?? 0;
      const c = code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : ch;
      let font = base;
      let text = c;
      if (!isLatin1(c)) {
        const cp = c.codePointAt(0) ?? 0;
        if (uni?.has(cp)) font = uni.font;
        else text = '?';
      }
      const last = out[out.length - 1];
      if (last?.font === font) last.text += text;
      else out.push({ text, font });
    }
    return out;
  }

  /** Width of the text as drawn, run by run, with the fonts that draw it. */
  width(s: string, size: number, bold: boolean): number {
    return this.runs(s, bold).reduce((w, r) => w + r.font.widthOfTextAtSize(r.text, size), 0);
  }

  private draw(s: string, x: number, y: number, size: number, bold: boolean, fill: RGB): void {
    let at = x;
    for (const r of this.runs(s, bold)) {
      this.page.drawText(r.text, { x: at, y, size, font: r.font, color: fill });
      at += r.font.widthOfTextAtSize(r.text, size);
    }
  }

  newPage(): void {
    this.page = this.doc.addPage(PAGE);
    this.y = PAGE[1] - MARGIN;
  }

  ensure(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  text(s: string, opts: { size: number; bold?: boolean; gap?: number; color?: string }): void {
    const bold = opts.bold ?? false;
    // Each line of the text (a multi-line prompt) is its own line, and long lines wrap.
    for (const line of s.split(/\r?\n/).flatMap((l) => this.wrap(l, bold, opts.size, CONTENT_W))) {
      this.ensure(opts.size + 4);
      this.y -= opts.size + 3;
      this.draw(line, MARGIN, this.y, opts.size, bold, color(opts.color ?? '#212529'));
    }
    this.y -= opts.gap ?? 4;
  }

  private wrap(s: string, bold: boolean, size: number, width: number): string[] {
    const lines: string[] = [];
    let current = '';
    for (const t of tokens(s)) {
      const next = current ? `${current}${t.space ? ' ' : ''}${t.text}` : t.text;
      if (this.width(next, size, bold) > width && current) {
        lines.push(current);
        current = t.text;
      } else current = next;
    }
    if (current) lines.push(current);
    return lines.length ? lines : [''];
  }

  private fit(s: string, bold: boolean, size: number, width: number): string {
    let chars = [...s];
    let t = s;
    while (chars.length > 1 && this.width(t, size, bold) > width) {
      chars = chars.slice(0, -2);
      t = `${chars.join('')}…`;
      chars.push('…');
    }
    return t;
  }

  table(t: ReportTable): void {
    const size = 8;
    const rowH = 12;
    this.text(t.title, { size: 10, bold: true, gap: 2 });
    const colW = CONTENT_W / Math.max(1, t.head.length);
    const drawRow = (cells: readonly string[], header: boolean): void => {
      this.ensure(rowH);
      this.y -= rowH;
      if (header)
        this.page.drawRectangle({
          x: MARGIN,
          y: this.y - 3,
          width: CONTENT_W,
          height: rowH,
          color: color('#f1f3f5'),
        });
      cells.forEach((c, i) => {
        this.draw(
          this.fit(c, header, size, colW - 4),
          MARGIN + i * colW + 2,
          this.y,
          size,
          header,
          color('#000000'),
        );
      });
      this.page.drawLine({
        start: { x: MARGIN, y: this.y - 3 },
        end: { x: MARGIN + CONTENT_W, y: this.y - 3 },
        thickness: 0.3,
        color: color('#dee2e6'),
      });
    };
    drawRow(t.head, true);
    for (const r of t.rows) drawRow(r, false);
    this.y -= 8;
  }

  /** Charts two to a row, drawn as vectors from the same scene as the HTML's SVG. */
  charts(scenes: readonly Scene[]): void {
    for (let i = 0; i < scenes.length; i += 2) {
      const row = scenes.slice(i, i + 2);
      const h = Math.max(...row.map((s) => s.height)) * CHART_SCALE;
      this.ensure(h + 6);
      row.forEach((s, j) => this.scene(s, MARGIN + j * (CONTENT_W / 2), this.y));
      this.y -= h + 6;
    }
  }

  private scene(scene: Scene, ox: number, top: number): void {
    const X = (x: number): number => ox + x * CHART_SCALE;
    const Y = (y: number): number => top - y * CHART_SCALE;
    for (const s of scene.shapes) {
      switch (s.t) {
        case 'line':
          for (let i = 1; i < s.points.length; i++) {
            this.page.drawLine({
              start: { x: X(s.points[i - 1][0]), y: Y(s.points[i - 1][1]) },
              end: { x: X(s.points[i][0]), y: Y(s.points[i][1]) },
              thickness: s.width * CHART_SCALE,
              color: color(s.stroke),
              dashArray: s.dash ? [3, 2] : undefined,
            });
          }
          break;
        case 'rect':
          if (s.w <= 0 || s.h <= 0) break;
          this.page.drawRectangle({
            x: X(s.x),
            y: Y(s.y + s.h),
            width: s.w * CHART_SCALE,
            height: s.h * CHART_SCALE,
            color: color(s.fill),
            borderColor: s.stroke ? color(s.stroke) : undefined,
            borderWidth: s.stroke ? 0.5 : 0,
          });
          break;
        case 'circle':
          this.page.drawCircle({ x: X(s.x), y: Y(s.y), size: s.r * CHART_SCALE, color: color(s.fill) });
          break;
        case 'text': {
          const bold = s.bold ?? false;
          const size = s.size * CHART_SCALE;
          const w = this.width(s.text, size, bold);
          const dx = s.anchor === 'middle' ? -w / 2 : s.anchor === 'end' ? -w : 0;
          this.draw(s.text, X(s.x) + dx, Y(s.y), size, bold, color(s.color));
          break;
        }
      }
    }
  }
}

/** Every string the PDF draws. */
function reportStrings(report: ReportModel): string[] {
  return [
    report.title,
    report.subtitle,
    ...report.sections.flatMap((s) => [
      s.title,
      ...s.paragraphs,
      ...s.tables.flatMap((t) => [t.title, ...t.head, ...t.rows.flat()]),
      ...s.charts.flatMap((c) => c.shapes.flatMap((sh) => (sh.t === 'text' ? [sh.text] : []))),
    ]),
  ];
}

/** One line (it fits the page width at 8 pt), under the subtitle when a CJK font is needed but none was found. */
export const NO_CJK_FONT_NOTICE =
  "Chinese characters are shown as '?': install a CJK font (e.g. fonts-wqy-microhei) or set DISTILLERY_PDF_FONT. " +
  'The HTML report shows them.';

export interface PdfOptions {
  /** The font for characters outside Latin-1; default: the first CJK font found on this machine (`findCjkFont`). */
  readonly unicodeFont?: UnicodeFontFile | null;
}

/** The report as a PDF, made offline in plain JavaScript (pdf-lib): text, tables and charts as vector graphics. */
export async function renderPdf(report: ReportModel, options: PdfOptions = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(report.title);
  doc.setCreator('Distillery');
  doc.setProducer('Distillery (pdf-lib)');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  // The Unicode font is read and embedded (only the glyphs used) when the report needs it.
  const needed = reportStrings(report).some(needsUnicodeFont);
  const file = needed ? (options.unicodeFont === undefined ? findCjkFont() : options.unicodeFont) : null;
  const unicode = file ? { font: await embedUnicodeFont(doc, file), has: file.has } : null;
  const w = new Writer(doc, { regular, bold, unicode });
  w.text(report.title, { size: 18, bold: true, gap: 2 });
  w.text(report.subtitle, { size: 10, color: '#868e96', gap: needed && !unicode ? 4 : 10 });
  if (needed && !unicode) w.text(NO_CJK_FONT_NOTICE, { size: 8, color: '#c92a2a', gap: 10 });
  for (const s of report.sections) {
    w.ensure(60);
    w.text(s.title, { size: 14, bold: true, gap: 4 });
    for (const p of s.paragraphs) w.text(p, { size: 9.5, gap: 5 });
    for (const t of s.tables) w.table(t);
    w.charts(s.charts);
  }
  return doc.save();
}
