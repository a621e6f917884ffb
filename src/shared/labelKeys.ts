/**
 * Which keys choose (in a multi-label project: toggle) which label on the review screen. A label's own hotkey works;
 * so does its position among the first nine (1-9), unless a label took that digit as its own key; a label with no key
 * yet gets the next free letter a-y, leaving out the keys the screen already uses (s skips, z undoes). Labels beyond
 * those get no key: the filter box reaches them. One function, so that the hint on each button is exactly the keys
 * that work.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['s', 'z']);

const LETTERS = [...'abcdefghijklmnopqrstuvwxy'].filter((k) => !RESERVED_KEYS.has(k));

/** How many labels can have a key when none sets its own (the rest are reached through the filter box). */
export const MAX_DEFAULT_KEYS = 9 + LETTERS.length;

/** The keys of each label (lower case), by label id; a label missing from the map has none. */
export function labelKeys(
  labels: ReadonlyArray<{ readonly id: number; readonly hotkey: string | null }>,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const taken = new Set<string>();
  const give = (id: number, key: string): void => {
    taken.add(key);
    out.set(id, [...(out.get(id) ?? []), key]);
  };
  for (const l of labels) {
    const own = l.hotkey?.trim().toLowerCase();
    if (own && own.length === 1 && !taken.has(own)) give(l.id, own);
  }
  labels.slice(0, 9).forEach((l, i) => {
    const digit = String(i + 1);
    if (!taken.has(digit)) give(l.id, digit);
  });
  const free = LETTERS.filter((k) => !taken.has(k));
  let next = 0;
  for (const l of labels) {
    if (out.has(l.id)) continue;
    const key = free[next++];
    if (key === undefined) break;
    give(l.id, key);
  }
  return out;
}
