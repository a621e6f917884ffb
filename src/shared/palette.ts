/**
 * The one palette of the app and its reports: a colour per label or series, in this order. Twenty colours, so that
 * no two labels share one below 20 labels; each is readable as a line, a bar or text on the light theme (white) and
 * on the dark theme (#242424) alike (contrast at least 3:1 against both), and the first ones are the most apart
 * (each chosen as far as possible, in CIELAB, from those before it). tests/charts/palette.test.ts checks all three.
 */
export const PALETTE = [
  '#1b7bbb',
  '#f20d0d',
  '#18aa18',
  '#f20df2',
  '#8d6a35',
  '#cc3378',
  '#279b84',
  '#3464f4',
  '#df750c',
  '#a846b9',
  '#8a9b27',
  '#d46054',
  '#f20d52',
  '#f320b4',
  '#358d3e',
  '#9e34f4',
  '#0a9eb8',
  '#b88d0a',
  '#6d64c4',
  '#c4647c',
] as const;

/** The colour of the i-th label or series (the palette repeats from the 21st on). */
export function seriesColour(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/**
 * A label's colour wherever it is shown (review buttons, teacher bars, badges): the colour the project gave it, else
 * the palette's colour of its position among the project's labels, so that labels differ by default below 20.
 */
export function labelColour(color: string | null | undefined, position: number): string {
  return color || seriesColour(position);
}

/** Roles that are not a label: what is right and wrong, the reference lines, the axes. */
export const RIGHT_COLOUR = PALETTE[2];
export const WRONG_COLOUR = PALETTE[1];
/** Dashed reference lines (the diagonal of perfect calibration, chance on a ROC curve). */
export const REFERENCE_COLOUR = '#868e96';
