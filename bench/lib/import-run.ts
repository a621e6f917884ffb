// One import through the real core (job, staging, commit) in its own process, so that its peak RSS is its own.
import { performance } from 'node:perf_hooks';
import { createCore } from '../../src/main/core/core';
import type { ImportResult } from '../../src/shared/dataset';

const [dataDir, file] = process.argv.slice(2);
const core = await createCore({ dataDir, mode: 'cli' });
const project = await core.call('projects.create', { name: `bench ${Date.now()}` });
const t0 = performance.now();
const job = await core.call('dataset.import', {
  projectId: project.id,
  path: file,
  textColumn: 'text',
  labelColumn: 'label',
  idColumn: 'id',
  onBadRow: 'abort',
});
const done = await core.jobs.wait(job.id);
const seconds = (performance.now() - t0) / 1000;
if (done.state !== 'completed') throw new Error(`import ${done.state}: ${done.error}`);
const { imported: rows, timings } = done.result as ImportResult;
await core.dispose();
console.log(JSON.stringify({ rows, seconds, timings, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
