import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../src/main/core/core';

/** A fresh data directory under the OS temp folder, removed by `cleanup`. */
export function tempDir(prefix = 'distillery-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real core (SQLite file, jobs, features) on its own temp data directory. */
export async function testCore(opts: { seedDemo?: boolean; dataDir?: string } = {}): Promise<{
  core: Core;
  dataDir: string;
  close: (opts?: { keep?: boolean }) => Promise<void>;
}> {
  const t = opts.dataDir ? { dir: opts.dataDir, cleanup: () => undefined } : tempDir();
  const core = await createCore({ dataDir: t.dir, mode: 'cli', seedDemo: opts.seedDemo ?? false });
  return {
    core,
    dataDir: t.dir,
    close: async ({ keep } = {}) => {
      await core.dispose();
      if (!keep) t.cleanup();
    },
  };
}

/** Repo root, for reading ../shared/datasets and resources. */
export const ROOT = join(import.meta.dirname, '..');
export const DATASETS = join(ROOT, '..', 'shared', 'datasets');
