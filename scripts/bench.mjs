// `npm run bench -- NAME [args]`: runs bench/NAME.ts (or bench/NAME/index.ts); its last stdout line is one JSON object.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { ensureBuilt } from './build-freshness.mjs';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') || existsSync(`bench/${f}/index.ts`))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name) {
  console.error(`Usage: npm run bench -- NAME\nBenchmarks: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}
const file = existsSync(`bench/${name}.ts`) ? `bench/${name}.ts` : `bench/${name}/index.ts`;
if (!existsSync(file)) {
  console.error(`No benchmark "${name}". Benchmarks: ${available.join(', ')}`);
  process.exit(2);
}
// The benchmark runs the sources, but the teacher process, the worker and the server it starts are the built out/.
ensureBuilt(process.cwd());
const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
