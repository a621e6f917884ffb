// `npm run package:desktop`: the desktop installers of this platform (AppImage + .deb on Linux, NSIS on Windows, dmg
// on macOS) with electron-builder (electron-builder.ts). Needs Electron's own binary, which npm does not download
// here (ELECTRON_SKIP_BINARY_DOWNLOAD): without it this script says where to get it and exits 1, before changing
// anything. With it: builds out/, rebuilds better-sqlite3 for Electron's ABI (@electron/rebuild, which fetches
// Electron's headers once), checks that Electron really loads it, packages, and always puts Node's build of
// better-sqlite3 back so that the CLI and the tests keep working.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const electronVersion = (pkg.devDependencies ?? {}).electron ?? (pkg.dependencies ?? {}).electron;
const platform = process.platform;
const arch = process.arch;
const zipName = `electron-v${electronVersion}-${platform}-${arch}.zip`;
const exeName = { win32: 'electron.exe', darwin: 'Electron.app', linux: 'electron' }[platform] ?? 'electron';

function executable(dir) {
  return platform === 'darwin' ? join(dir, exeName, 'Contents', 'MacOS', 'Electron') : join(dir, exeName);
}

/** Where electron-builder can take Electron from without downloading it: an unpacked Electron, or its zip. */
function findElectron(env) {
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    return existsSync(join(override, exeName))
      ? { dir: override, exe: executable(override), how: `ELECTRON_OVERRIDE_DIST_PATH (${override})` }
      : { problem: `ELECTRON_OVERRIDE_DIST_PATH is set to ${override}, but ${exeName} is not in it.` };
  }
  const zips = env.DISTILLERY_ELECTRON_ZIPS;
  if (zips) {
    return existsSync(join(zips, zipName))
      ? { dir: zips, how: `DISTILLERY_ELECTRON_ZIPS (${join(zips, zipName)})` }
      : { problem: `DISTILLERY_ELECTRON_ZIPS is set to ${zips}, but ${zipName} is not in it.` };
  }
  const installed = join(root, 'node_modules', 'electron');
  const pathTxt = join(installed, 'path.txt');
  if (existsSync(pathTxt) && existsSync(join(installed, 'dist', readFileSync(pathTxt, 'utf8').trim()))) {
    const dir = join(installed, 'dist');
    return { dir, exe: executable(dir), how: 'node_modules/electron/dist' };
  }
  return { problem: "Electron's binary is not installed (node_modules/electron/dist is missing)." };
}

function refuse(problem) {
  const cache =
    process.env.electron_config_cache ?? process.env.ELECTRON_CACHE ?? join(homedir(), '.cache', 'electron');
  process.stderr.write(
    `Cannot build the desktop installers: ${problem}\n\n` +
      `Packaging needs Electron ${electronVersion}'s own binary for ${platform}-${arch}, which this machine could not\n` +
      'download. Nothing was changed. Any one of these works:\n\n' +
      '  1. On a machine with internet access, in this folder: "npm run setup" (it downloads Electron), then\n' +
      '     "npm run package:desktop". Build each installer on its own system (Linux, Windows, macOS).\n' +
      `  2. Copy ${zipName} (from Electron's releases) into a folder and run\n` +
      '       DISTILLERY_ELECTRON_ZIPS=/that/folder npm run package:desktop\n' +
      '  3. Point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron of that version (the folder holding\n' +
      `     ${exeName}) and run "npm run package:desktop".\n` +
      `  4. Put the zip in Electron's download cache (electron_config_cache, here ${cache}), run\n` +
      '     "node node_modules/electron/install.js", then "npm run package:desktop".\n\n' +
      "Rebuilding better-sqlite3 for Electron also fetches Electron's headers once (@electron/rebuild).\n" +
      'Without the desktop app, Distillery runs in browser mode ("npm start") and from the offline bundle.\n',
  );
  process.exit(1);
}

function run(cmd, args, env = process.env) {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, shell: platform === 'win32' });
  return r.status === 0;
}

const electron = findElectron(process.env);
if (electron.problem) refuse(electron.problem);
console.log(`Electron ${electronVersion}: from ${electron.how}.`);
const bin = (name) => join(root, 'node_modules', '.bin', name);
if (!existsSync(bin('electron-builder')) || !existsSync(bin('electron-rebuild'))) {
  process.stderr.write('electron-builder and @electron/rebuild are missing: run "npm ci" first.\n');
  process.exit(1);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.warn(
    `Note: electron-builder's rebuild tool (@electron/rebuild) asks for Node.js 22.12 or newer; this is ${process.version}. ` +
      'If packaging fails, run it with Node.js 22.',
  );
}
let ok = run(bin('electron-vite'), ['build']);
try {
  ok &&= run(bin('electron-rebuild'), ['-f', '-w', 'better-sqlite3', '-v', electronVersion]);
  if (ok && electron.exe) {
    // The ABI check: Electron itself (as Node) must open a database with the rebuilt module.
    ok = run(electron.exe, ['-e', "new (require('better-sqlite3'))(':memory:').prepare('SELECT 1').get()"], {
      ...process.env,
      ELECTRON_RUN_AS_NODE: '1',
    });
    if (!ok) process.stderr.write('Electron could not load the rebuilt better-sqlite3: not packaging.\n');
  } else if (ok)
    console.log('(Electron is a zip here: the rebuilt better-sqlite3 is checked when the app starts.)');
  const target = { linux: '--linux', win32: '--win', darwin: '--mac' }[platform];
  ok &&= run(bin('electron-builder'), [
    target,
    '--config',
    'electron-builder.ts',
    `-c.electronDist=${electron.dir}`,
  ]);
} finally {
  // Node's build back, for the CLI, the server and the tests.
  if (!run('npm', ['rebuild', 'better-sqlite3'])) {
    process.stderr.write('Could not rebuild better-sqlite3 for Node: run "npm rebuild better-sqlite3".\n');
    ok = false;
  }
}
if (!ok) process.exit(1);
console.log('\nThe installers are in dist/.');
