import { execFile } from 'node:child_process';
import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCore, type Core } from '../src/main/core/core';
import { TEST_JOB } from './testJob';

/** A fresh data directory under the OS temp folder, removed by `cleanup`. */
export function tempDir(prefix = 'distillery-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real core (SQLite file, jobs, features) on its own temp data directory. */
export async function testCore(
  opts: { seedDemo?: boolean; dataDir?: string; demoLanguage?: 'en' | 'zh-CN' } = {},
): Promise<{
  core: Core;
  dataDir: string;
  close: (opts?: { keep?: boolean }) => Promise<void>;
}> {
  const t = opts.dataDir ? { dir: opts.dataDir, cleanup: () => undefined } : tempDir();
  const core = await createCore({
    dataDir: t.dir,
    mode: 'cli',
    seedDemo: opts.seedDemo ?? false,
    // English unless a test asks: the machine's LANG must not change what tests see.
    demoLanguage: opts.demoLanguage ?? 'en',
    extensions: [TEST_JOB],
  });
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

/** A fresh core for each test of the calling file: read `.core` and `.dataDir` inside a test. */
export function coreForEachTest(opts: { seedDemo?: boolean } = {}): {
  readonly core: Core;
  readonly dataDir: string;
} {
  let t: Awaited<ReturnType<typeof testCore>> | null = null;
  beforeEach(async () => {
    t = await testCore(opts);
  });
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  const current = (): Awaited<ReturnType<typeof testCore>> => {
    if (!t) throw new Error('coreForEachTest: read .core inside a test');
    return t;
  };
  return {
    get core() {
      return current().core;
    },
    get dataDir() {
      return current().dataDir;
    },
  };
}

/**
 * Runs the command line (`bin/distillery.mjs`) as a person would, on `dataDir` with `--json`, and answers what it
 * printed on stdout, parsed. A failing command rejects (with its stderr).
 */
export async function cliJson<T = unknown>(dataDir: string, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['bin/distillery.mjs', ...args, '--data-dir', dataDir, '--json'],
    { cwd: ROOT, maxBuffer: 64 << 20 },
  );
  return JSON.parse(stdout) as T;
}
