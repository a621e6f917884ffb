// One import through the real core (job, staging, commit) in its own process, so that its peak RSS is its own.
// Timed from before the database is opened (project creation included) to the rows being usable, then to the search
// index job's end (searchable).
import { performance } from 'node:perf_hooks';
import { createCore } from '../../src/main/core/core';
import type { ImportResult } from '../../src/shared/dataset';

const [dataDir, file] = process.argv.slice(2);
const t0 = performance.now();
const core = await createCore({ dataDir, mode: 'cli' });
const project = await core.call('projects.create', { name: `bench ${Date.now()}` });
const job = await core.call('dataset.import', {
  projectId: project.id,
  path: file,
  textColumn: 'text',
  labelColumn: 'label',
  idColumn: 'id',
  onBadRow: 'abort',
});
const done = await core.jobs.wait(job.id);
const usableSeconds = (performance.now() - t0) / 1000;
if (done.state !== 'completed') throw new Error(`import ${done.state}: ${done.error}`);
const { imported: rows, timings, searchIndexJobId } = done.result as ImportResult;
const usableRssMB = process.resourceUsage().maxRSS / 1024;
if (searchIndexJobId === undefined) throw new Error('the import started no search index job');
const index = await core.jobs.wait(searchIndexJobId);
if (index.state !== 'completed') throw new Error(`search index ${index.state}: ${index.error}`);
const searchableSeconds = (performance.now() - t0) / 1000;
await core.dispose();
console.log(
  JSON.stringify({
    rows,
    usableSeconds,
    searchableSeconds,
    timings,
    usableRssMB,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
