import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { humanLabels } from '../../src/main/core/labels';
import { importFile, projectFixtureForEachTest } from '../dataset/fixtures';

let core: Core;
let dir: string;
let projectId: number;

projectFixtureForEachTest('Annotations', (f) => {
  ({ core, dir, projectId } = f);
});

it('imports 45,000 annotations (over 9,000,000 characters) read from a file, not sent as one request', async () => {
  const N = 45_000;
  const rows = ['id,text,label', '0,labelled first,a', '1,labelled second,b'];
  for (let i = 2; i < N + 2; i++) rows.push(`${i},document number ${i} about something,`);
  writeFileSync(join(dir, 'docs.csv'), rows.join('\n') + '\n');
  await importFile(core, {
    projectId,
    path: join(dir, 'docs.csv'),
    textColumn: 'text',
    labelColumn: 'label',
    idColumn: 'id',
  });
  const lines: string[] = [];
  for (let i = 2; i < N + 2; i++) {
    const text = `document number ${i} about something`;
    lines.push(
      JSON.stringify({
        textHash: createHash('sha256').update(text).digest('hex').slice(0, 32),
        externalId: String(i),
        label: i % 2 ? 'a' : 'b',
        annotator: 'reviewer-on-another-machine',
        source: 'human',
        acceptedTeacher: null,
        timeSpentMs: 1000 + i,
        createdAt: '2026-11-30T10:00:00.000Z',
      }),
    );
  }
  const jsonl = lines.join('\n') + '\n';
  expect(jsonl.length).toBeGreaterThan(9_000_000);
  // As one request of text it is over the limit...
  const inline = await core.invoke('review.import', { projectId, jsonl });
  expect(inline).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  // ...as a file (the CLI's path, the browser's upload) it is not.
  const path = join(dir, 'annotations.jsonl');
  writeFileSync(path, jsonl);
  const dry = await core.call('review.import', { projectId, path, dryRun: true });
  expect(dry).toMatchObject({ lines: N, imported: 0, dryRun: true });
  const done = await core.call('review.import', { projectId, path });
  expect(done).toMatchObject({ imported: N, dryRun: false });
  expect(humanLabels(core.db, projectId).size).toBe(N + 2);
  // Both, or neither, is refused with a reason.
  await expect(core.call('review.import', { projectId, path, jsonl: '' })).rejects.toThrow(/either/);
  await expect(
    core.call('review.import', { projectId, path: join(dir, 'missing.jsonl') }),
  ).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
}, 300_000);
