import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { config } from '../../electron-builder';
import { ROOT, tempDir } from '../helpers';

/**
 * The desktop installers cannot be built here (Electron's binary cannot be downloaded), so this checks everything
 * that can be checked without it: the electron-builder configuration against the files the code really loads, and
 * the packaging script's refusal. (Packaging with a stand-in for the Electron binary, `electron-builder --linux dir
 * -c.electronDist=<folder with a fake electron>`, was tried by hand: see docs/development.md.)
 */
const matches = (file: string, pattern: string): boolean => path.matchesGlob(file, pattern);

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** Installed production packages (what electron-builder packs): lock entries that are not dev-only. */
const productionPackages = Object.entries(lock.packages)
  .filter(([key, e]) => key.startsWith('node_modules/') && !e.dev && !e.devOptional)
  .map(([key]) => key)
  .filter((key) => existsSync(join(ROOT, key)));

/** Files of one package (not of the packages nested in it, which have their own lock entries). */
function filesOf(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(child);
      } else if (keep(e.name)) out.push(child);
    }
  };
  walk(dir);
  return out;
}

const unpacked = (file: string): boolean => config.asarUnpack.some((p) => matches(file, p));

describe('electron-builder configuration (checked without the Electron binary, which cannot be had here)', () => {
  it('unpacks from the asar every native addon of the production dependencies', () => {
    const addons = productionPackages.flatMap((dir) => filesOf(dir, (n) => n.endsWith('.node')));
    // What the code loads: the database and the teacher's llama.cpp binding for this system.
    expect(addons).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(addons).toContain(
      `node_modules/@node-llama-cpp/${process.platform}-${process.arch}/bins/${process.platform}-${process.arch}/llama-addon.node`,
    );
    expect(addons.filter((f) => !unpacked(f))).toEqual([]);
    // node-llama-cpp finds and tests its binaries by path, from a child process: the whole package stays outside.
    expect(unpacked('node_modules/node-llama-cpp/dist/index.js')).toBe(true);
    expect(unpacked('node_modules/better-sqlite3/lib/database.js')).toBe(true);
  });

  it('unpacks the WebAssembly files of the tfjs backend the training worker loads', () => {
    const worker = readFileSync(join(ROOT, 'src/main/features/student/tfBackend.ts'), 'utf8');
    expect(worker).toContain("'@tensorflow/tfjs-backend-wasm'");
    const wasm = filesOf('node_modules/@tensorflow/tfjs-backend-wasm', (n) => n.endsWith('.wasm'));
    expect(wasm).toContain('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
    expect(wasm.filter((f) => !unpacked(f))).toEqual([]);
  });

  it('packs the build and every package the built code imports is a production dependency', () => {
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'out/**', 'resources/**']));
    expect(matches(pkg.main.replace(/^\.\//, ''), 'out/**')).toBe(true);
    const imported = new Set<string>();
    for (const file of filesOf('out/main', (n) => n.endsWith('.js'))) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*["']([^"'./][^"']*)["']/g)) {
        const spec = m[1];
        if (spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    imported.delete('electron'); // provided by the Electron runtime itself
    expect([...imported].sort()).toEqual(expect.arrayContaining(['better-sqlite3', 'node-llama-cpp', 'zod']));
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });

  it("takes only the target system's llama.cpp binaries and none of llama.cpp's sources", () => {
    // electron-builder's `files`: later patterns win; production node_modules are in unless a pattern takes them out.
    const packed = (file: string, os: string, arch: string): boolean => {
      let inside = file.startsWith('node_modules/');
      for (const raw of config.files) {
        const pattern = raw.replace('${os}', os).replace('${arch}', arch);
        if (pattern.startsWith('!')) {
          if (matches(file, pattern.slice(1))) inside = false;
        } else if (matches(file, pattern)) inside = true;
      }
      return inside;
    };
    const bin = (name: string): string =>
      `node_modules/@node-llama-cpp/${name}/bins/${name}/llama-addon.node`;
    expect(packed(bin('linux-x64'), 'linux', 'x64')).toBe(true);
    expect(packed(bin('linux-x64-cuda'), 'linux', 'x64')).toBe(true);
    expect(packed(bin('linux-arm64'), 'linux', 'x64')).toBe(false);
    expect(packed(bin('win-x64'), 'win', 'x64')).toBe(true);
    expect(packed(bin('mac-arm64-metal'), 'mac', 'arm64')).toBe(true);
    expect(packed(bin('mac-arm64-metal'), 'win', 'x64')).toBe(false);
    expect(packed('node_modules/node-llama-cpp/llama/llama.cpp/CMakeLists.txt', 'linux', 'x64')).toBe(false);
    expect(packed('node_modules/node-llama-cpp/dist/index.js', 'linux', 'x64')).toBe(true);
    expect(packed('out/main/index.js', 'linux', 'x64')).toBe(true);
    expect(packed('out/main/chunks/core.js.map', 'linux', 'x64')).toBe(false);
  });

  it('builds AppImage and .deb, NSIS and dmg; better-sqlite3 is rebuilt for Electron by the script, not by electron-builder', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(false);
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
    expect(pkg.scripts['package:desktop']).toBe('node scripts/package-desktop.mjs');
    const script = readFileSync(join(ROOT, 'scripts/package-desktop.mjs'), 'utf8');
    expect(script).toMatch(/'electron-rebuild'\), \['-f', '-w', 'better-sqlite3', '-v', electronVersion\]/);
    expect(script).toMatch(/'npm', \['rebuild', 'better-sqlite3'\]/);
  });
});

describe('npm run package:desktop without Electron’s binary', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  const electronVersion = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    }
  ).devDependencies.electron;

  /** A checkout with no Electron installed: the real script and package.json, an empty node_modules. */
  function checkout(name: string): string {
    const root = join(t.dir, name);
    mkdirSync(join(root, 'scripts'), { recursive: true });
    mkdirSync(join(root, 'node_modules'));
    copyFileSync(join(ROOT, 'scripts/package-desktop.mjs'), join(root, 'scripts/package-desktop.mjs'));
    copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
    return root;
  }
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, HOME: t.dir, ...extra };
    delete e.ELECTRON_OVERRIDE_DIST_PATH;
    delete e.DISTILLERY_ELECTRON_ZIPS;
    delete e.electron_config_cache;
    delete e.ELECTRON_CACHE;
    return { ...e, ...extra };
  };
  const run = (root: string, e: NodeJS.ProcessEnv): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [join(root, 'scripts/package-desktop.mjs')], {
      cwd: root,
      env: e,
      encoding: 'utf8',
    });

  it('exits 1 before changing anything, and says how to get the binary', () => {
    const root = checkout('plain');
    const r = run(root, env());
    expect(r.status).toBe(1);
    const said = String(r.stderr);
    expect(said).toMatch(/Electron's binary is not installed/);
    expect(said).toMatch(/Nothing was changed/);
    expect(said).toContain(`Electron ${electronVersion}`);
    expect(said).toMatch(/on a machine with internet access.*"npm run setup"/i);
    expect(said).toContain(`electron-v${electronVersion}-${process.platform}-${process.arch}.zip`);
    expect(said).toMatch(/DISTILLERY_ELECTRON_ZIPS=/);
    expect(said).toMatch(/ELECTRON_OVERRIDE_DIST_PATH/);
    expect(said).toMatch(/electron_config_cache/);
    expect(readdirSync(root).sort()).toEqual(['node_modules', 'package.json', 'scripts']);
  });

  it('refuses an ELECTRON_OVERRIDE_DIST_PATH or a zip folder that does not hold Electron', () => {
    const empty = join(t.dir, 'empty');
    mkdirSync(empty);
    const r1 = run(checkout('override'), env({ ELECTRON_OVERRIDE_DIST_PATH: empty }));
    expect(r1.status).toBe(1);
    expect(String(r1.stderr)).toMatch(
      /ELECTRON_OVERRIDE_DIST_PATH is set to .*empty, but electron(\.exe|\.app)? is not in it/i,
    );
    const r2 = run(checkout('zips'), env({ DISTILLERY_ELECTRON_ZIPS: empty }));
    expect(r2.status).toBe(1);
    expect(String(r2.stderr)).toContain(
      `electron-v${electronVersion}-${process.platform}-${process.arch}.zip is not in it`,
    );
  });

  it.skipIf(existsSync(join(ROOT, 'node_modules/electron/path.txt')))(
    'in this checkout (where Electron’s binary is missing) the real command refuses the same way',
    () => {
      const hadDist = existsSync(join(ROOT, 'dist'));
      const r = spawnSync('npm', ['run', '--silent', 'package:desktop'], {
        cwd: ROOT,
        env: env(),
        encoding: 'utf8',
      });
      expect(r.status).not.toBe(0);
      expect(String(r.stderr)).toMatch(
        /Cannot build the desktop installers: Electron's binary is not installed/,
      );
      expect(existsSync(join(ROOT, 'dist'))).toBe(hadDist);
    },
  );
});
