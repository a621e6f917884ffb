import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import type { Scene } from './charts';
import type { ReportModel, ReportTable } from './report';

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

/** The standard PDF fonts know only Latin-1 (WinAnsi): other characters are shown as '?' (the HTML report has them). */
function latin1(s: string): string {
  return [...s]
    .map((c) => (/[\u0020-\u007e\u00a0-\u00ff]/.test(c) ? c : c === '…' || c === '—' || c === '–' ? c : '?'))
    .join('');
}

class Writer {
  private page!: PDFPage;
  private y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(PAGE);
    this.y = PAGE[1] - MARGIN;
  }

  ensure(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  text(s: string, opts: { size: number; bold?: boolean; gap?: number; color?: string }): void {
    const font = opts.bold ? this.bold : this.font;
    for (const line of this.wrap(latin1(s), font, opts.size, CONTENT_W)) {
      this.ensure(opts.size + 4);
      this.y -= opts.size + 3;
      this.page.drawText(line, {
        x: MARGIN,
        y: this.y,
        size: opts.size,
        font,
        color: color(opts.color ?? '#212529'),
      });
    }
    this.y -= opts.gap ?? 4;
  }

  private wrap(s: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    let current = '';
    for (const word of s.split(/\s+/)) {
      const next = current ? `${current} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) > width && current) {
        lines.push(current);
        current = word;
      } else current = next;
    }
    if (current) lines.push(current);
    return lines.length ? lines : [''];
  }

  private fit(s: string, font: PDFFont, size: number, width: number): string {
    let t = latin1(s);
    while (t.length > 1 && font.widthOfTextAtSize(t, size) > width) t = `${t.slice(0, -2)}…`;
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
        const font = header ? this.bold : this.font;
        this.page.drawText(this.fit(c, font, size, colW - 4), {
          x: MARGIN + i * colW + 2,
          y: this.y,
          size,
          font,
        });
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
          const font = s.bold ? this.bold : this.font;
          const size = s.size * CHART_SCALE;
          const text = latin1(s.text);
          const w = font.widthOfTextAtSize(text, size);
          const dx = s.anchor === 'middle' ? -w / 2 : s.anchor === 'end' ? -w : 0;
          this.page.drawText(text, { x: X(s.x) + dx, y: Y(s.y), size, font, color: color(s.color) });
          break;
        }
      }
    }
  }
}

/** The report as a PDF, made offline in plain JavaScript (pdf-lib): text, tables and charts as vector graphics. */
export async function renderPdf(report: ReportModel): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(latin1(report.title));
  doc.setCreator('Distillery');
  doc.setProducer('Distillery (pdf-lib)');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const w = new Writer(doc, font, bold);
  w.text(report.title, { size: 18, bold: true, gap: 2 });
  w.text(report.subtitle, { size: 10, color: '#868e96', gap: 10 });
  for (const s of report.sections) {
    w.ensure(60);
    w.text(s.title, { size: 14, bold: true, gap: 4 });
    for (const p of s.paragraphs) w.text(p, { size: 9.5, gap: 5 });
    for (const t of s.tables) w.table(t);
    w.charts(s.charts);
  }
  return doc.save();
}
