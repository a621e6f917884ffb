import { describe, expect, it } from 'vitest';
import { labelKeys, MAX_DEFAULT_KEYS } from '../../src/shared/labelKeys';

const labels = (
  n: number,
  hotkeys: Record<number, string> = {},
): Array<{ id: number; hotkey: string | null }> =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, hotkey: hotkeys[i + 1] ?? null }));

describe('label keys on the review screen', () => {
  it('gives 1-9 then letters, skipping s and z, to 30 labels', () => {
    const keys = labelKeys(labels(30));
    expect([...keys.values()].map((k) => k.join('')).join('')).toBe(
      '123456789abcdefghijklmnopqrtuvwxy'.slice(0, 30),
    );
    expect(keys.get(10)).toEqual(['a']);
    expect(keys.get(28)).toEqual(['t']);
    expect(new Set([...keys.values()].flat()).size).toBe(30);
  });

  it("keeps a label's own key beside its digit, and never gives one key to two labels", () => {
    // The demo project: fair is f, unfair is u; 1 and 2 still work by position.
    expect(labelKeys(labels(2, { 1: 'F', 2: 'u' }))).toEqual(
      new Map([
        [1, ['f', '1']],
        [2, ['u', '2']],
      ]),
    );
    // Label 5 took "1" as its own key: label 1 has no digit then, and gets the first letter.
    const keys = labelKeys(labels(12, { 5: '1' }));
    expect(keys.get(5)).toEqual(['1', '5']);
    expect(keys.get(1)).toEqual(['a']);
    const all = [...keys.values()].flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('leaves labels beyond the available keys without one (the filter box reaches them)', () => {
    expect(MAX_DEFAULT_KEYS).toBe(33);
    const keys = labelKeys(labels(40));
    expect(keys.size).toBe(33);
    expect(keys.has(34)).toBe(false);
  });
});
