// `npm run bench -- import [ROWS]`: imports a generated CSV (1,000,000 rows, ~200 MB) through the real import job and,
// in the same run, with Debian sqlite3's `.import` into a plain table; prints rows/s, peak RSS and the ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
  seconds: number;
  peakRssMB: number;
  timings: { readMs: number; commitMs: number; indexMs: number };
};

// Rows are usable (browse, label, train) once committed; search indexing follows in the same job and is reported.
const usableSeconds = (o.timings.readMs + o.timings.commitMs) / 1000;
const oursRate = o.rows / usableSeconds;
const refRate = refRows / refSeconds;
console.log(
  JSON.stringify({
    bench: 'import',
    rows: o.rows,
    fileMB: Math.round(sizeMB),
    distillery: {
      secondsToUsable: +usableSeconds.toFixed(2),
      readAndStageSeconds: +(o.timings.readMs / 1000).toFixed(2),
      commitSeconds: +(o.timings.commitMs / 1000).toFixed(2),
      searchIndexSeconds: +(o.timings.indexMs / 1000).toFixed(2),
      jobSeconds: +o.seconds.toFixed(2),
      rowsPerSec: Math.round(oursRate),
      peakRssMB: Math.round(o.peakRssMB),
    },
    sqlite3Import: {
      seconds: +refSeconds.toFixed(2),
      rowsPerSec: Math.round(refRate),
      peakRssMB: peakRss(ref.stderr),
    },
    ratio: +(oursRate / refRate).toFixed(3),
    targets: { ratioAtLeast: 0.5, peakRssMBUnder: 500 },
  }),
);
