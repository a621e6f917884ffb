// Whether a checkout's build (out/) is there and newer than its sources. Used by bin/distillery.mjs (refuses to run a
// stale build), and by scripts/start.mjs, scripts/bench.mjs and Vitest's global setup (rebuild). Only meaningful where
// src/ exists: an installed Distillery (bundle, .deb, desktop app) has out/ and no sources, and is never stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the build writes last of each target; all three are rewritten by every `electron-vite build`. */
export const BUILD_OUTPUTS = ['out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const SOURCES = ['src', 'electron.vite.config.ts'];

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** null when `root`'s out/ is complete and newer than every source; otherwise why not, for a person. */
export function buildProblem(root) {
  const missing = BUILD_OUTPUTS.filter((f) => !existsSync(join(root, f)));
  if (missing.length) return `the build is missing (${missing.join(', ')})`;
  if (!existsSync(join(root, 'src'))) return null;
  const built = Math.min(...BUILD_OUTPUTS.map((f) => statSync(join(root, f)).mtimeMs));
  const sources = Math.max(
    ...SOURCES.filter((s) => existsSync(join(root, s))).map((s) => newestMtime(join(root, s))),
  );
  return sources > built ? 'the build in out/ is older than the sources in src/' : null;
}

/** Builds out/ (electron-vite build) when `buildProblem` finds it missing or stale; throws when the build fails. */
export function ensureBuilt(root) {
  const problem = buildProblem(root);
  if (!problem) return;
  console.log(`Building out/ first: ${problem}.`);
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('electron-vite build failed (see above).');
}
