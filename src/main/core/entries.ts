import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Code that runs outside the main thread: the teacher's own process and the training worker.
 * In the Electron build they are bundled beside `out/main/index.js`; from sources (CLI, server, tests) they run
 * through tsx.
 */
const ENTRIES = {
  'teacher-host': 'features/teacher/teacher.host.ts',
  'train-worker': 'features/student/train.worker.ts',
} as const;
export type EntryName = keyof typeof ENTRIES;

export interface Entry {
  readonly file: string;
  readonly execArgv: readonly string[];
}

export function resolveEntry(name: EntryName): Entry {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, `${name}.js`);
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: join(here, '..', ENTRIES[name]), execArgv: ['--import', 'tsx'] };
}
