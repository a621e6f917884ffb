/**
 * The report's charts, each laid out once as a scene (scene.ts), drawn the same way into inline SVG (HTML report)
 * and into PDF vector graphics (PDF report): one layout, two outputs.
 */
import { simplifyCurve } from '../../../shared/downsample';
import { PALETTE, REFERENCE_COLOUR, RIGHT_COLOUR, seriesColour, WRONG_COLOUR } from '../../../shared/palette';
import type { Scene, Shape } from './scene';

export type { Scene, Shape } from './scene';
export { sceneToSvg } from './scene';

export { PALETTE, RIGHT_COLOUR, WRONG_COLOUR };
const AXIS = '#495057';
const RELIABILITY_BAR = PALETTE[0];
/** How far (in the unit square) a dropped point of a ROC or PR curve may lie from the drawn line: ~half a pixel. */
const CURVE_TOLERANCE = 0.002;
const GRID = '#dee2e6';
const W = 360;
const H = 280;
const PLOT = { left: 48, top: 30, right: 12, bottom: 40 };

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function fmt(v: number, digits = 2): string {
  return v.toFixed(digits);
}

/** Axes over [0, xMax] x [0, yMax] with ticks, and a mapper from data to scene coordinates. */
function axes(
  title: string,
  xLabel: string,
  yLabel: string,
  xMax = 1,
  yMax = 1,
): { shapes: Shape[]; px: (x: number) => number; py: (y: number) => number } {
  const pw = W - PLOT.left - PLOT.right;
  const ph = H - PLOT.top - PLOT.bottom;
  const px = (x: number): number => PLOT.left + (xMax === 0 ? 0 : (x / xMax) * pw);
  const py = (y: number): number => PLOT.top + ph - (yMax === 0 ? 0 : (y / yMax) * ph);
  const shapes: Shape[] = [
    { t: 'text', x: W / 2, y: 16, text: title, size: 12, anchor: 'middle', color: '#212529', bold: true },
  ];
  for (let i = 0; i <= 4; i++) {
    const fx = (xMax * i) / 4;
    const fy = (yMax * i) / 4;
    shapes.push({
      t: 'line',
      points: [
        [px(0), py(fy)],
        [px(xMax), py(fy)],
      ],
      stroke: GRID,
      width: 0.5,
    });
    shapes.push({
      t: 'text',
      x: px(fx),
      y: py(0) + 12,
      text: fmt(fx, xMax > 4 ? 0 : 2),
      size: 8,
      anchor: 'middle',
      color: AXIS,
    });
    shapes.push({
      t: 'text',
      x: px(0) - 4,
      y: py(fy) + 3,
      text: fmt(fy, yMax > 4 ? 0 : 2),
      size: 8,
      anchor: 'end',
      color: AXIS,
    });
  }
  shapes.push({
    t: 'line',
    points: [
      [px(0), py(0)],
      [px(xMax), py(0)],
    ],
    stroke: AXIS,
    width: 1,
  });
  shapes.push({
    t: 'line',
    points: [
      [px(0), py(0)],
      [px(0), py(yMax)],
    ],
    stroke: AXIS,
    width: 1,
  });
  shapes.push({
    t: 'text',
    x: PLOT.left + pw / 2,
    y: H - 8,
    text: xLabel,
    size: 9,
    anchor: 'middle',
    color: AXIS,
  });
  shapes.push({ t: 'text', x: 4, y: PLOT.top - 8, text: yLabel, size: 9, anchor: 'start', color: AXIS });
  return { shapes, px, py };
}

/** A legend: each name with its colour (default: the palette in order, as the series are drawn). */
function legend(
  names: readonly string[],
  x: number,
  y: number,
  colours: readonly string[] = PALETTE,
): Shape[] {
  return names.flatMap((name, i) => [
    { t: 'rect', x, y: y + i * 12, w: 8, h: 8, fill: colours[i % colours.length] } as const,
    {
      t: 'text',
      x: x + 11,
      y: y + i * 12 + 7,
      text: truncate(name, 28),
      size: 8,
      anchor: 'start',
      color: '#212529',
    } as const,
  ]);
}

export interface Series {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** The words drawn inside charts: the model report passes its language's (reportText.ts), English otherwise. */
export interface ChartWords {
  readonly epoch: string;
  readonly bestEpoch: (epoch: number) => string;
  readonly confusionTitle: string;
  readonly confusionHeading: string;
  readonly reliability: (ece: string) => string;
  readonly confidence: string;
  readonly accuracy: string;
  readonly binAccuracy: string;
  readonly perfectCalibration: string;
  readonly confidenceTitle: string;
  readonly documents: string;
  readonly right: string;
  readonly wrong: string;
}

export const CHART_WORDS_EN: ChartWords = {
  epoch: 'epoch',
  bestEpoch: (epoch) => `best epoch ${epoch}`,
  confusionTitle: 'Confusion matrix',
  confusionHeading: 'Confusion matrix (rows: gold, columns: predicted)',
  reliability: (ece) => `Reliability (ECE ${ece})`,
  confidence: 'confidence',
  accuracy: 'accuracy',
  binAccuracy: 'accuracy of the bin',
  perfectCalibration: 'perfect calibration',
  confidenceTitle: 'Confidence: right vs wrong',
  documents: 'documents',
  right: 'right',
  wrong: 'wrong',
};

/** The dashed reference line from (0, 0) to (1, 1): chance on a ROC chart, perfect calibration on a reliability one. */
function diagonal(px: (x: number) => number, py: (y: number) => number): Shape {
  return {
    t: 'line',
    points: [
      [px(0), py(0)],
      [px(1), py(1)],
    ],
    stroke: REFERENCE_COLOUR,
    width: 1,
    dash: true,
  };
}

/** Lines over [0, 1] x [0, 1] (ROC, PR), optionally with the chance diagonal. */
export function curveScene(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
  opts: { diagonal?: boolean; legendAt?: 'bottom-right' | 'bottom-left' } = {},
): Scene {
  const { shapes, px, py } = axes(title, xLabel, yLabel);
  if (opts.diagonal) shapes.push(diagonal(px, py));
  series.forEach((s, i) => {
    // A curve has a point per threshold (thousands); drawn, the points within half a pixel of the line add nothing.
    const drawn = simplifyCurve(
      s.points.map(([x, y]) => ({ x, y })),
      CURVE_TOLERANCE,
    );
    if (drawn.length > 0)
      shapes.push({
        t: 'line',
        points: drawn.map(({ x, y }) => [px(x), py(y)] as const),
        stroke: seriesColour(i),
        width: 1.6,
      });
  });
  const lx = opts.legendAt === 'bottom-left' ? px(0) + 6 : px(1) - 130;
  shapes.push(
    ...legend(
      series.map((s) => s.name),
      lx,
      py(0) - 8 - series.length * 12,
    ),
  );
  return { title, width: W, height: H, shapes };
}

/**
 * Training curves: one line per series over epochs, on the series' own y range (`yLabel` names it), with the best
 * epoch (the one whose model was kept) marked by a dashed vertical line when it is known.
 */
export function epochScene(
  title: string,
  series: readonly Series[],
  yLabel = 'value',
  bestEpoch: number | null = null,
  words: ChartWords = CHART_WORDS_EN,
): Scene {
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const yMax = Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const { shapes, px, py } = axes(title, words.epoch, yLabel, xMax, yMax);
  if (bestEpoch !== null) {
    shapes.push({
      t: 'line',
      points: [
        [px(bestEpoch), py(0)],
        [px(bestEpoch), py(yMax)],
      ],
      stroke: REFERENCE_COLOUR,
      width: 1,
      dash: true,
    });
    shapes.push({
      t: 'text',
      x: px(bestEpoch) + 3,
      y: py(yMax) + 9,
      text: words.bestEpoch(bestEpoch),
      size: 8,
      anchor: 'start',
      color: AXIS,
    });
  }
  series.forEach((s, i) => {
    shapes.push({
      t: 'line',
      points: s.points.map(([x, y]) => [px(x), py(y)] as const),
      stroke: seriesColour(i),
      width: 1.6,
    });
    for (const [x, y] of s.points)
      shapes.push({ t: 'circle', x: px(x), y: py(y), r: 1.8, fill: seriesColour(i) });
  });
  shapes.push(
    ...legend(
      series.map((s) => s.name),
      px(xMax) - 130,
      PLOT.top + 4,
    ),
  );
  return { title, width: W, height: H, shapes };
}

function blend(t: number): string {
  // white to #1c7ed6 by t in [0, 1]
  const c = (from: number, to: number): number =>
    Math.round(from + (to - from) * Math.max(0, Math.min(1, t)));
  return `rgb(${c(255, 28)},${c(255, 126)},${c(255, 214)})`;
}

export interface HeaderBox {
  readonly text: string;
  /** Centre x and the estimated width of the drawn text. */
  readonly x: number;
  readonly width: number;
}

/** Rough width of Helvetica text: enough to tell whether headers collide (CJK characters are about square). */
export function textWidth(s: string, size: number): number {
  return [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 1 : 0.56) * size, 0);
}

/**
 * The column headers of a k-class matrix: the (shortened) names when they fit side by side, else the class numbers
 * 1..k, with `key` true so the rows carry the numbers too and a key below names them.
 */
export function matrixHeaderLayout(
  labels: readonly string[],
  left: number,
  cell: number,
  size: number,
): { boxes: HeaderBox[]; key: boolean } {
  const named = labels.map((l) => truncate(l, 10));
  const fits = named.every((t) => textWidth(t, size) <= cell - 3);
  const texts = fits ? named : labels.map((_, j) => String(j + 1));
  return {
    key: !fits,
    boxes: texts.map((text, j) => ({ text, x: left + j * cell + cell / 2, width: textWidth(text, size) })),
  };
}

/** Heatmap of the confusion matrix: colour by row share, text = count and row percentage. */
export function confusionScene(
  labels: readonly string[],
  counts: readonly (readonly number[])[],
  normalized: readonly (readonly number[])[],
  words: ChartWords = CHART_WORDS_EN,
): Scene {
  return matrixScene(words.confusionTitle, labels, counts, normalized, words.confusionHeading);
}

/**
 * A k x k heatmap over labels (a confusion matrix, a label co-occurrence matrix): `shares[i][j]` in [0, 1] colours
 * the cell and is printed as a percentage under the count. `heading` (default: the title) is drawn above it.
 */
export function matrixScene(
  title: string,
  labels: readonly string[],
  counts: readonly (readonly number[])[],
  shares: readonly (readonly number[])[],
  heading = title,
): Scene {
  const k = labels.length;
  const left = 90;
  const top = 46;
  const size = Math.min(60, Math.floor((W - left - 10) / Math.max(1, k)));
  const shapes: Shape[] = [
    {
      t: 'text',
      x: W / 2,
      y: 16,
      text: truncate(heading, 64),
      size: 11,
      anchor: 'middle',
      color: '#212529',
      bold: true,
    },
  ];
  const header = matrixHeaderLayout(labels, left, size, 8);
  for (const b of header.boxes)
    shapes.push({ t: 'text', x: b.x, y: top - 6, text: b.text, size: 8, anchor: 'middle', color: AXIS });
  labels.forEach((l, i) => {
    shapes.push({
      t: 'text',
      x: left - 6,
      y: top + i * size + size / 2 + 3,
      text: header.key ? `${truncate(l, 11)} ${i + 1}` : truncate(l, 14),
      size: 8,
      anchor: 'end',
      color: AXIS,
    });
    labels.forEach((_, j) => {
      const share = shares[i][j];
      const x = left + j * size;
      const y = top + i * size;
      shapes.push({ t: 'rect', x, y, w: size, h: size, fill: blend(share), stroke: '#ffffff' });
      const color = share > 0.55 ? '#ffffff' : '#212529';
      shapes.push({
        t: 'text',
        x: x + size / 2,
        y: y + size / 2,
        text: String(counts[i][j]),
        size: 10,
        anchor: 'middle',
        color,
        bold: true,
      });
      shapes.push({
        t: 'text',
        x: x + size / 2,
        y: y + size / 2 + 11,
        text: `${Math.round(share * 100)}%`,
        size: 7,
        anchor: 'middle',
        color,
      });
    });
  });
  let bottom = top + k * size + 10;
  if (header.key) {
    // The key: which class each column number is, two to a line.
    for (let i = 0; i < k; i += 2) {
      bottom += 11;
      const text = labels
        .slice(i, i + 2)
        .map((l, j) => `${i + j + 1} = ${truncate(l, 30)}`)
        .join('    ');
      shapes.push({ t: 'text', x: left, y: bottom, text, size: 8, anchor: 'start', color: AXIS });
    }
    bottom += 6;
  }
  return { title, width: W, height: Math.max(H, bottom), shapes };
}

/** Reliability diagram: accuracy per confidence bin as bars, the diagonal as perfect calibration. */
export function reliabilityScene(
  bins: ReadonlyArray<{
    lower: number;
    upper: number;
    count: number;
    accuracy: number | null;
    meanConfidence: number | null;
  }>,
  ece: number | null,
  words: ChartWords = CHART_WORDS_EN,
): Scene {
  const title = words.reliability(ece === null ? '—' : fmt(ece, 3));
  const { shapes, px, py } = axes(title, words.confidence, words.accuracy);
  for (const b of bins) {
    if (b.count === 0 || b.accuracy === null) continue;
    shapes.push({
      t: 'rect',
      x: px(b.lower) + 1,
      y: py(b.accuracy),
      w: px(b.upper) - px(b.lower) - 2,
      h: py(0) - py(b.accuracy),
      fill: RELIABILITY_BAR,
    });
    if (b.meanConfidence !== null)
      shapes.push({ t: 'circle', x: px(b.meanConfidence), y: py(b.accuracy), r: 2.2, fill: '#1864ab' });
  }
  shapes.push(diagonal(px, py));
  shapes.push(
    ...legend([words.binAccuracy, words.perfectCalibration], px(0) + 6, PLOT.top + 4, [
      RELIABILITY_BAR,
      REFERENCE_COLOUR,
    ]),
  );
  return { title, width: W, height: H, shapes };
}

/** Confidence of right and wrong predictions, ten bins over [0, 1]. */
export function histogramScene(
  correct: readonly number[],
  wrong: readonly number[],
  words: ChartWords = CHART_WORDS_EN,
): Scene {
  const yMax = Math.max(1, ...correct, ...wrong);
  const { shapes, px, py } = axes(words.confidenceTitle, words.confidence, words.documents, 1, yMax);
  const n = correct.length;
  for (let b = 0; b < n; b++) {
    const x0 = px(b / n);
    const w = (px((b + 1) / n) - x0) / 2 - 1;
    shapes.push({
      t: 'rect',
      x: x0 + 1,
      y: py(correct[b]),
      w,
      h: py(0) - py(correct[b]),
      fill: RIGHT_COLOUR,
    });
    shapes.push({
      t: 'rect',
      x: x0 + 1 + w,
      y: py(wrong[b]),
      w,
      h: py(0) - py(wrong[b]),
      fill: WRONG_COLOUR,
    });
  }
  // The legend's colours are the bars' own.
  shapes.push(...legend([words.right, words.wrong], px(0) + 6, PLOT.top + 4, [RIGHT_COLOUR, WRONG_COLOUR]));
  return { title: words.confidenceTitle, width: W, height: H, shapes };
}
