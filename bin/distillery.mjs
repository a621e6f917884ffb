#!/usr/bin/env node
// The command line (and `distillery serve`, browser mode): runs the built JavaScript in out/main, from any working
// directory. Nothing is compiled at run time. In a copy of the source code, a missing or stale build is refused with
// the command that makes it, rather than running old code.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const freshness = join(root, 'scripts', 'build-freshness.mjs');
if (existsSync(join(root, 'src')) && existsSync(freshness)) {
  const { buildProblem } = await import(pathToFileURL(freshness).href);
  const problem = buildProblem(root);
  if (problem) {
    process.stderr.write(
      `Distillery cannot start: ${problem}.\n` +
        `Build it first, in ${root}:\n\n  npm run build\n\n` +
        '(npm run setup does this too.) Then run the command again.\n',
    );
    process.exit(2);
  }
} else if (!existsSync(join(root, 'out', 'main', 'cli.js'))) {
  process.stderr.write(
    `Distillery is incomplete: ${join(root, 'out', 'main', 'cli.js')} is missing. Reinstall Distillery.\n`,
  );
  process.exit(2);
}
await import(pathToFileURL(join(root, 'out', 'main', 'cli.js')).href);
