// One import through the real core (job, staging, commit) in its own process, so that its peak RSS is its own.
// Timed from before the database is opened (project creation included) to the rows being usable, then to the search
// index job's end (searchable).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createCore } from '../../src/main/core/core';
import type { ImportResult } from '../../src/shared/dataset';

const [dataDir, file] = process.argv.slice(2);

/**
 * CPU seconds of the calling (main) thread, from /proc on Linux (null elsewhere): on a busy machine wall time grows
 * with the load, the thread's CPU time much less, so this is the figure to compare between runs under load.
 */
function mainThreadCpuSeconds(): number | null {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

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
const usableCpu = { mainThread: mainThreadCpuSeconds(), process: process.cpuUsage() };
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
    usableMainThreadCpuSeconds: usableCpu.mainThread,
    usableProcessCpuSeconds: (usableCpu.process.user + usableCpu.process.system) / 1e6,
    searchableSeconds,
    timings,
    usableRssMB,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
