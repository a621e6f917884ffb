// Vitest's global setup: tests run the sources, but what they spawn (the CLI, the server, the teacher process, the
// training worker, the exported runtime) is the built out/, as users run it. Rebuild it once, before any test file
// starts, when it is missing or older than the sources.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProblem } from './build-freshness.mjs';

export function setup() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const problem = buildProblem(root);
  if (!problem) return;
  console.log(`Building out/ first: ${problem}.`);
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error('electron-vite build failed (see above): the tests need out/.');
}
