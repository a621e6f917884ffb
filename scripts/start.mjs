// `npm start`: the Electron window where Electron and a display exist; otherwise the browser-mode server.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureBuilt } from './build-freshness.mjs';

const hasElectron = existsSync('node_modules/electron/path.txt');
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const passThrough = process.argv.slice(2);

try {
  ensureBuilt(process.cwd());
} catch {
  process.exit(1);
}

let child;
if (hasElectron && hasDisplay) {
  child = spawn('npx', ['electron-vite', 'preview', '--', ...passThrough], { stdio: 'inherit' });
} else {
  console.log(
    hasElectron
      ? 'No display found: starting Distillery in browser mode.'
      : "Electron's binary is not installed (offline setup): starting Distillery in browser mode.",
  );
  child = spawn(process.execPath, ['bin/distillery.mjs', 'serve', ...passThrough], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
