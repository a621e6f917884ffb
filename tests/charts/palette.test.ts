import { describe, expect, it } from 'vitest';
import { PALETTE, seriesColour } from '../../src/shared/palette';

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
const linear = (c: number): number => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
/** WCAG relative luminance. */
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map(linear);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
/** CIELAB (D65). */
function lab(hex: string): [number, number, number] {
  const [r, g, b] = rgb(hex).map(linear);
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
const deltaE = (a: string, b: string): number => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));

describe('the palette', () => {
  it('gives 20 labels 20 different colours, every pair clearly apart (CIELAB distance at least 20)', () => {
    const colours = Array.from({ length: 20 }, (_, i) => seriesColour(i));
    expect(new Set(colours).size).toBe(20);
    let closest = Infinity;
    for (let i = 0; i < colours.length; i++)
      for (let j = i + 1; j < colours.length; j++)
        closest = Math.min(closest, deltaE(colours[i], colours[j]));
    expect(closest).toBeGreaterThanOrEqual(20);
  });

  it('is readable on the light and the dark theme (contrast at least 3:1 against both backgrounds)', () => {
    for (const c of PALETTE) {
      expect(contrast(c, '#ffffff'), `${c} on white`).toBeGreaterThanOrEqual(3);
      expect(contrast(c, '#242424'), `${c} on the dark theme`).toBeGreaterThanOrEqual(3);
    }
  });

  it('repeats only from the 21st label on, also for negative indices', () => {
    expect(seriesColour(20)).toBe(seriesColour(0));
    expect(seriesColour(-1)).toBe(seriesColour(19));
  });
});
