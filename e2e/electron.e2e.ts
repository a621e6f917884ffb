import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { ROOT } from './harness';

// Electron's binary is downloaded by its own installer, which cannot reach the internet on offline machines:
// these tests run where it exists and say plainly that they were skipped where it does not.
const hasElectron = existsSync(join(ROOT, 'node_modules', 'electron', 'path.txt'));
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const reason = !hasElectron
  ? "Electron's binary is not installed (offline setup)"
  : !hasDisplay
    ? 'no display (run under xvfb-run)'
    : '';

describe.skipIf(reason !== '')(`Electron window${reason ? ` — skipped: ${reason}` : ''}`, () => {
  it('opens the project list with a sandboxed, isolated renderer and a narrow preload', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'distillery-electron-'));
    const app = await electron.launch({
      args: [join(ROOT, 'out', 'main', 'index.js'), `--data-dir=${dataDir}`],
      cwd: ROOT,
    });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('project-list').waitFor();
      // The preload exposes one api object and nothing of Node.
      const surface = await page.evaluate(() => {
        const g = globalThis as unknown as {
          api: object;
          require?: unknown;
          process?: unknown;
          module?: unknown;
        };
        return {
          api: Object.keys(g.api).sort(),
          require: typeof g.require,
          process: typeof g.process,
          module: typeof g.module,
        };
      });
      expect(surface).toEqual({
        api: ['invoke', 'mode', 'on', 'provideFile', 'saveFile'],
        require: 'undefined',
        process: 'undefined',
        module: 'undefined',
      });
      // window.open is denied, and navigation away from the app is blocked.
      const opened = await page.evaluate(() =>
        (globalThis as unknown as { open: (u: string) => unknown }).open('https://example.com'),
      );
      expect(opened).toBeNull();
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(reason !== '')('Electron window', () => {
  it(`is skipped here: ${reason}`, () => {
    expect(reason).not.toBe('');
  });
});
