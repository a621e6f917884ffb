// One-command setup: dependencies, Electron's binary when it can be had, and a first build of the UI.
// Needs the npm registry for the dependencies; when Electron's binary cannot be downloaded, the app runs in
// browser mode instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
function run(cmd, args, opts = {}) {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env, ...opts });
}

// `npm ci` installs exactly the committed lock and never rewrites it: two installs are the same install.
// (node-llama-cpp is pinned to 3.21.1, the newest release whose optional platform packages the registry serves,
// so that the lock is complete on every machine.)
const install = run('npm', ['ci', '--no-audit', '--no-fund']);
if (install.status !== 0) {
  console.error(
    '\nInstalling the dependencies with "npm ci" failed (see above). It needs the npm registry (or a mirror of it)\n' +
      'and the committed package-lock.json; it never rewrites the lock. For a machine with no registry at all, use\n' +
      'the offline bundle instead (README: "Install at your site").',
  );
  process.exit(install.status ?? 1);
}

// Electron's own postinstall downloads its binary; npm skips it here (allowScripts), and we try it once ourselves.
const electron = spawnSync(process.execPath, ['node_modules/electron/install.js'], {
  stdio: 'pipe',
  env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
  timeout: 120_000,
});
const electronOk = electron.status === 0 && existsSync('node_modules/electron/path.txt');
if (electronOk) console.log('\nElectron is installed: "npm start" opens the desktop window.');
else {
  console.log(
    "\nElectron's binary could not be downloaded (this machine is probably offline). That is fine:\n" +
      '"npm start" runs Distillery in browser mode (a local server on 127.0.0.1; open the printed address),\n' +
      'and the Electron-specific tests report themselves skipped. Run "npm run setup" again when online to get the window.',
  );
}

const build = run('npx', ['electron-vite', 'build']);
if (build.status !== 0) process.exit(build.status ?? 1);
console.log('\nSetup complete. Start the app with "npm start"; run the tests with "npm test".');
