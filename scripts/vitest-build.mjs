// Vitest's global setup: tests run the sources, but what they spawn (the CLI, the server, the teacher process, the
// training worker, the exported runtime) is the built out/, as users run it. Rebuild it once, before any test file
// starts, when it is missing or older than the sources.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build-freshness.mjs';

export function setup() {
  ensureBuilt(join(dirname(fileURLToPath(import.meta.url)), '..'));
}
