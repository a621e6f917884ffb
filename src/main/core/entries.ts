import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from './errors';

/**
 * Code that runs outside the main thread: the teacher's own process, the training worker and the import's reader
 * (features/dataset/importReader.worker.ts). All are built into out/main (electron.vite.config.ts) and always run from
 * there, whoever starts them: the Electron main process, the CLI, the server (all in out/main or out/main/chunks), or
 * a test running the sources (which finds the checkout's out/main). Nothing is compiled at run time.
 */
export type EntryName = 'teacher-host' | 'train-worker' | 'import-reader';

/** How far up from the calling code out/main may be (src/main/core → the checkout root is 3). */
const LEVELS = 6;

/**
 * A file of the build's out/main (`rel` inside it), looked for from the calling code: beside it and in `out/main`
 * above it. Works inside an asar archive too (Electron reads, forks and starts workers from paths in app.asar).
 */
export function builtFile(
  rel: string,
  from: string = dirname(fileURLToPath(import.meta.url)),
  exists: (file: string) => boolean = existsSync,
): string {
  let dir = from;
  for (let i = 0; i < LEVELS; i++) {
    for (const candidate of [join(dir, rel), join(dir, 'out', 'main', rel)]) {
      if (exists(candidate)) return candidate;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw AppError.keyed('INTERNAL', 'core.distillerySBuiltProgram', { rel });
}

/** The built file of an entry (out/main/<name>.js). */
export function resolveEntry(name: EntryName, from?: string, exists?: (file: string) => boolean): string {
  return builtFile(`${name}.js`, from, exists);
}
