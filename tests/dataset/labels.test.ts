import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { testCore } from '../helpers';
import { openProjectFixture } from './fixtures';

let t: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let cleanupDir: () => void;
let projectId: number;

beforeEach(async () => {
  ({ t, core, cleanupDir, projectId } = await openProjectFixture('Labels'));
});
afterEach(async () => {
  await t.close();
  cleanupDir();
});

describe('the label set refuses what would be lost or would hide a built-in', () => {
  it('refuses a key that Review keeps for itself, and a name that is already taken, and changes nothing', async () => {
    const saved = await core.call('dataset.saveLabels', {
      projectId,
      labels: [
        { name: 'fair', description: '' },
        { name: 'unfair', description: '' },
      ],
    });
    const before = saved.map((l) => [l.id, l.name, l.hotkey]);
    for (const key of ['s', 'S', 'z', '/', '3']) {
      await expect(
        core.call('dataset.saveLabels', {
          projectId,
          labels: [
            { id: saved[0].id, name: 'fair', description: '', hotkey: key },
            { id: saved[1].id, name: 'unfair', description: '' },
          ],
        }),
      ).rejects.toThrow(`The key "${key}" is taken: in Review it`);
    }
    // A new row with the name of an existing label (same or other case, with spaces) is refused, not dropped.
    for (const name of ['fair', 'Fair', ' fair ']) {
      await expect(
        core.call('dataset.saveLabels', {
          projectId,
          labels: [
            { id: saved[0].id, name: 'fair', description: '' },
            { id: saved[1].id, name: 'unfair', description: '' },
            { name, description: 'a second fair' },
          ],
        }),
      ).rejects.toThrow(/listed twice|already exists/);
    }
    // A new label named like an existing one that the request does not list is refused too.
    await expect(
      core.call('dataset.saveLabels', { projectId, labels: [{ name: 'Unfair', description: '' }] }),
    ).rejects.toThrow(/already exists/);
    const after = await core.call('dataset.labels', { projectId });
    expect(after.map((l) => [l.id, l.name, l.hotkey])).toEqual(before);
    // An ordinary key is kept.
    const ok = await core.call('dataset.saveLabels', {
      projectId,
      labels: [
        { id: saved[0].id, name: 'fair', description: '', hotkey: 'f' },
        { id: saved[1].id, name: 'unfair', description: '', hotkey: 'u' },
      ],
    });
    expect(ok.map((l) => l.hotkey)).toEqual(['f', 'u']);
  });
});
