// `npm run bench -- browse [ROWS]`: the data browser at 1,000,000 rows, through the real server (HTTP, token,
// validation, core): time to the first page, to a filtered page, to a deep keyset page and to a search page.
// Reference: the same page queries straight on the SQLite file with better-sqlite3, in the same run.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createCore } from '../src/main/core/core';
import type { BrowsePage, LabelInfo } from '../src/shared/dataset';
import { benchCsv, WORK } from './lib/import-data';

const rows = Number(process.argv[2] ?? 1_000_000);
const dataDir = join(WORK, `browse-${rows}`);
const ready = join(dataDir, 'bench-ready');

if (!existsSync(ready)) {
  const file = await benchCsv(rows);
  const core = await createCore({ dataDir, mode: 'cli' });
  const project = await core.call('projects.create', { name: `browse ${rows}` });
  const job = await core.call('dataset.import', {
    projectId: project.id,
    path: file,
    textColumn: 'text',
    labelColumn: 'label',
    onBadRow: 'abort',
  });
  const done = await core.jobs.wait(job.id);
  if (done.state !== 'completed') throw new Error(`import ${done.state}: ${done.error}`);
  await core.call('dataset.split', { projectId: project.id, seed: 1 });
  await core.dispose();
  writeFileSync(ready, String(project.id));
  console.error(`prepared ${dataDir}`);
}

const token = 'bench-token';
const server = spawn(
  process.execPath,
  ['bin/distillery.mjs', 'serve', '--json', '--data-dir', dataDir, '--token', token],
  { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
);
const line = await new Promise<string>((res, rej) => {
  createInterface({ input: server.stdout! }).once('line', res);
  server.once('exit', (code) => rej(new Error(`server exited (${code})`)));
});
const { url } = JSON.parse(line) as { url: string };

async function invoke<T>(channel: string, body: unknown): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}api/invoke/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const r = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  return { value: r.value, ms };
}

try {
  const projects = (await invoke<Array<{ id: number; name: string }>>('projects.list', {})).value;
  const projectId = projects.find((p) => p.name === `browse ${rows}`)?.id;
  if (!projectId) throw new Error('bench project missing');
  const labels = (await invoke<LabelInfo[]>('dataset.labels', { projectId })).value;
  const labelId = labels[0].id;

  const first = await invoke<BrowsePage>('dataset.browse', { projectId, limit: 100 });
  const filtered = await invoke<BrowsePage>('dataset.browse', {
    projectId,
    limit: 100,
    filters: { split: 'test', labelId, minLength: 150 },
  });
  const deep = await invoke<BrowsePage>('dataset.browse', {
    projectId,
    limit: 100,
    after: Math.floor(rows * 0.9),
  });
  // The first search of a server checks the index is complete (and builds what is missing); then steady state.
  const searchFirst = await invoke<BrowsePage>('dataset.browse', {
    projectId,
    limit: 100,
    filters: { search: 'jurisdiction' },
  });
  const search = await invoke<BrowsePage>('dataset.browse', {
    projectId,
    limit: 100,
    filters: { search: 'arbitration' },
  });
  const searchZh = await invoke<BrowsePage>('dataset.browse', {
    projectId,
    limit: 100,
    filters: { search: '高血压', split: 'test' },
  });
  const count = await invoke<{ count: number }>('dataset.count', {
    projectId,
    filters: { split: 'test', labelId },
  });

  // Reference: the equivalent plain queries on the same file, no server, no human-label lookups.
  const db = new Database(join(dataDir, 'distillery.db'), { readonly: true });
  const time = (fn: () => unknown): number => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  const refFirst = time(() =>
    db
      .prepare('SELECT id, text FROM examples WHERE project_id = ? AND id > 0 ORDER BY id LIMIT 100')
      .all(projectId),
  );
  const refFiltered = time(() =>
    db
      .prepare(
        "SELECT id, text FROM examples WHERE project_id = ? AND split = 'test' AND imported_label = ? AND length >= 150 ORDER BY id LIMIT 100",
      )
      .all(projectId, labels[0].name),
  );
  db.close();

  const ms = (x: number): number => +x.toFixed(1);
  console.log(
    JSON.stringify({
      bench: 'browse',
      rows,
      firstPageMs: ms(first.ms),
      filteredPageMs: ms(filtered.ms),
      deepKeysetPageMs: ms(deep.ms),
      firstSearchMs: ms(searchFirst.ms),
      searchPageMs: ms(search.ms),
      chineseSearchFilteredPageMs: ms(searchZh.ms),
      filteredCountMs: ms(count.ms),
      pageRows: [
        first.value.rows.length,
        filtered.value.rows.length,
        deep.value.rows.length,
        search.value.rows.length,
        searchZh.value.rows.length,
      ],
      reference: { firstPageMs: ms(refFirst), filteredPageMs: ms(refFiltered) },
      ratio: {
        firstPage: +(first.ms / refFirst).toFixed(2),
        filteredPage: +(filtered.ms / refFiltered).toFixed(2),
      },
    }),
  );
} finally {
  server.kill('SIGTERM');
}
