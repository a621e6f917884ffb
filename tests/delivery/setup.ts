import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { missingPrerequisite, ROOT } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The offline bundle built for this run, or why there is none (then every delivery test skips with it). */
    bundle: { file: string; bytes: number; unpackedBytes: number; seconds: number } | { skip: string };
  }
}

/** Builds the offline bundle once for both delivery test files, exactly as `npm run package:bundle` does. */
export function setup(project: TestProject): void {
  const skip = missingPrerequisite(['unshare', 'strace', 'ip', 'tar']);
  if (skip) {
    project.provide('bundle', { skip });
    return;
  }
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package-bundle.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error('npm run package:bundle failed (its output is above).');
  const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    file: string;
    bytes: number;
    unpackedBytes: number;
    seconds: number;
  };
  project.provide('bundle', { ...result, file: join(ROOT, result.file) });
}
