// `npm run bench -- import [ROWS]`: imports a generated CSV (1,000,000 rows, ~200 MB) through the real import job and,
// in the same run, with Debian sqlite3's `.import` into a plain table; prints rows/s, peak RSS and the ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchCsv, WORK } from './lib/import-data';

const rows = Number(process.argv[2] ?? 1_000_000);
const file = await benchCsv(rows);
const sizeMB = statSync(file).size / 1e6;

function peakRss(stderr: string): number | null {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return m ? Number(m[1]) / 1024 : null;
}

// Reference: sqlite3's own CSV import into a plain table (no parsing beyond CSV, no hashing, no indexes).
const refDir = mkdtempSync(join(WORK, 'ref-'));
const t0 = performance.now();
const ref = spawnSync('/usr/bin/time', ['-v', '/usr/bin/sqlite3', join(refDir, 'ref.db')], {
  input: `.mode csv\n.import ${file} t\nSELECT COUNT(*) FROM t;\n`,
  encoding: 'utf8',
});
const refSeconds = (performance.now() - t0) / 1000;
const refCpu = /User time \(seconds\): ([\d.]+)[\s\S]*System time \(seconds\): ([\d.]+)/.exec(ref.stderr);
if (ref.status !== 0) throw new Error(`sqlite3 failed: ${ref.stderr}`);
const refRows = Number(ref.stdout.trim());
rmSync(refDir, { recursive: true, force: true });

const dataDir = mkdtempSync(join(WORK, 'ours-'));
const ours = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, 'lib', 'import-run.ts'), dataDir, file],
  {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  },
);
rmSync(dataDir, { recursive: true, force: true });
if (ours.status !== 0) throw new Error(`import failed: ${ours.stderr}`);
const o = JSON.parse(ours.stdout.trim().split('\n').pop() ?? '{}') as {
  rows: number;
  usableSeconds: number;
  usableMainThreadCpuSeconds: number | null;
  usableProcessCpuSeconds: number;
  searchableSeconds: number;
  peakRssMB: number;
  usableRssMB: number;
  timings: { readMs: number; writeMs?: number; commitMs: number };
};

// Usable (browse, label, train): from opening the database to the import job's end. Searchable: the search index job
// that follows in the background (no step waits for it; searches scan the texts until it ends) has ended too.
const oursRate = o.rows / o.usableSeconds;
const refRate = refRows / refSeconds;
const ratio = oursRate / refRate;
const peak = Math.round(o.peakRssMB);
console.log(
  JSON.stringify({
    bench: 'import',
    rows: o.rows,
    fileMB: Math.round(sizeMB),
    distillery: {
      secondsToUsable: +o.usableSeconds.toFixed(2),
      // CPU time until usable (the process's includes V8's helper threads and tsx compiling the sources): less
      // dependent on the machine's load than the seconds are.
      cpuSecondsToUsable: {
        mainThread: o.usableMainThreadCpuSeconds === null ? null : +o.usableMainThreadCpuSeconds.toFixed(2),
        process: +o.usableProcessCpuSeconds.toFixed(2),
      },
      readAndStageSeconds: +(o.timings.readMs / 1000).toFixed(2),
      // Of those, inside the batches' write transactions (the rest: reading, decoding, parsing, hashing).
      writeSeconds: +((o.timings.writeMs ?? 0) / 1000).toFixed(2),
      commitSeconds: +(o.timings.commitMs / 1000).toFixed(2),
      secondsToSearchable: +o.searchableSeconds.toFixed(2),
      rowsPerSec: Math.round(oursRate),
      peakRssMBUntilUsable: Math.round(o.usableRssMB),
      peakRssMB: peak,
    },
    sqlite3Import: {
      seconds: +refSeconds.toFixed(2),
      rowsPerSec: Math.round(refRate),
      cpuSeconds: refCpu ? +(Number(refCpu[1]) + Number(refCpu[2])).toFixed(2) : null,
      peakRssMB: peakRss(ref.stderr),
    },
    ratio: +ratio.toFixed(3),
    targets: { ratioAtLeast: 0.5, peakRssMBUnder: 500 },
    met: { ratio: ratio >= 0.5, peakRss: peak < 500 },
    load: loadavg().map((l) => +l.toFixed(2)),
  }),
);
