/**
 * A report chart as a tiny vector scene: lines, rectangles, circles and text in a top-left coordinate system
 * (charts.ts lays them out), and its inline SVG (pdf.ts draws the same scene into a PDF).
 */

export type Shape =
  | {
      readonly t: 'line';
      readonly points: ReadonlyArray<readonly [number, number]>;
      readonly stroke: string;
      readonly width: number;
      readonly dash?: boolean;
    }
  | {
      readonly t: 'rect';
      readonly x: number;
      readonly y: number;
      readonly w: number;
      readonly h: number;
      readonly fill: string;
      readonly stroke?: string;
    }
  | {
      readonly t: 'circle';
      readonly x: number;
      readonly y: number;
      readonly r: number;
      readonly fill: string;
    }
  | {
      readonly t: 'text';
      readonly x: number;
      readonly y: number;
      readonly text: string;
      readonly size: number;
      readonly anchor: 'start' | 'middle' | 'end';
      readonly color: string;
      readonly bold?: boolean;
    };

export interface Scene {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly shapes: readonly Shape[];
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export function sceneToSvg(scene: Scene): string {
  const parts = scene.shapes.map((s) => {
    switch (s.t) {
      case 'line':
        return `<polyline fill="none" stroke="${s.stroke}" stroke-width="${s.width}"${s.dash ? ' stroke-dasharray="4 3"' : ''} points="${s.points.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' ')}"/>`;
      case 'rect':
        return `<rect x="${s.x.toFixed(2)}" y="${s.y.toFixed(2)}" width="${Math.max(0, s.w).toFixed(2)}" height="${Math.max(0, s.h).toFixed(2)}" fill="${s.fill}"${s.stroke ? ` stroke="${s.stroke}"` : ''}/>`;
      case 'circle':
        return `<circle cx="${s.x.toFixed(2)}" cy="${s.y.toFixed(2)}" r="${s.r}" fill="${s.fill}"/>`;
      case 'text':
        return `<text x="${s.x.toFixed(2)}" y="${s.y.toFixed(2)}" font-size="${s.size}" text-anchor="${s.anchor}" fill="${s.color}"${s.bold ? ' font-weight="bold"' : ''}>${escapeXml(s.text)}</text>`;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(scene.title)}" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="Helvetica, Arial, sans-serif">${parts.join('')}</svg>`;
}
