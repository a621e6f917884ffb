// Team mode under load: ANNOTATORS simulated people save labels through `distillery serve --team` (HTTPS, the
// self-signed certificate pinned by its fingerprint, on 127.0.0.2) for SECONDS; prints p50/p95 save latency and
// checks that every save was stored exactly once and no unassigned document was labelled by two people.
// Usage: npm run bench -- team [--annotators 20] [--seconds 120] [--docs 60000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createCore } from '../src/main/core/core';
import { ROOT } from '../e2e/harness';
import { checkStored, runLoad, seedLoad } from './lib/teamLoad';

const { values } = parseArgs({
  options: {
    annotators: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '120' },
    docs: { type: 'string', default: '60000' },
  },
});

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'distillery-bench-team-'));
  try {
    const core = await createCore({ dataDir, mode: 'cli' });
    const seed = await seedLoad(core, {
      docs: Number(values.docs),
      annotators: Number(values.annotators),
      assigned: Math.floor(Number(values.docs) / 2),
    }).finally(() => core.dispose());
    const child = spawn(
      process.execPath,
      ['bin/distillery.mjs', 'serve', '--team', '--listen', '127.0.0.2:0', '--json', '--data-dir', dataDir],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const info = JSON.parse(
      await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout! }).once('line', res);
        child.once('exit', (code) => rej(new Error(`server exited (${code})`)));
      }),
    ) as { url: string; fingerprint: string };
    let result;
    try {
      result = await runLoad(info.url, seed, {
        seconds: Number(values.seconds),
        fingerprint: info.fingerprint,
      });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const db = new Database(join(dataDir, 'distillery.db'), { readonly: true });
    const stored = checkStored(db, seed, result);
    db.close();
    const { saved: _saved, ...figures } = result;
    console.log(
      JSON.stringify({
        bench: 'team',
        ...figures,
        ...stored,
        storedExactlyOnce: stored.missing === 0 && stored.duplicated === 0 && stored.stored === result.saves,
      }),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
