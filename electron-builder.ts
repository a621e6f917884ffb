import type { Configuration } from 'electron-builder';

/**
 * Desktop installers: AppImage and .deb (Linux), NSIS (Windows), dmg (macOS), built by `npm run package:desktop`
 * (scripts/package-desktop.mjs), which checks for Electron's binary first, rebuilds better-sqlite3 for Electron's
 * ABI and puts Node's build back afterwards. Build each installer on its own system: the native modules
 * (better-sqlite3, node-llama-cpp's @node-llama-cpp/<os>-<arch>* binaries) are the ones npm installed there.
 * tests/foundation/desktop-package.test.ts checks this file against what the code loads.
 */
export const config = {
  appId: 'org.distillery.app',
  productName: 'Distillery',
  executableName: 'distillery',
  copyright: 'Distillery contributors',
  directories: { output: 'dist', buildResources: 'build' },
  // The built app (out/, docs/development.md "The build"), its read-only resources, and the production
  // dependencies, which electron-builder adds itself (node_modules without devDependencies).
  files: [
    'package.json',
    'out/**',
    'resources/**',
    '!**/*.map',
    // node-llama-cpp: only this system's prebuilt binaries, not llama.cpp's sources (nothing is compiled there).
    '!node_modules/node-llama-cpp/llama/llama.cpp/**',
    '!node_modules/node-llama-cpp/bins/**/*',
    'node_modules/node-llama-cpp/bins/${os}-${arch}*/**/*',
    '!node_modules/node-llama-cpp/llama/localBuilds/**/*',
    'node_modules/node-llama-cpp/llama/localBuilds/${os}-${arch}*/**/*',
    '!node_modules/@node-llama-cpp/*/bins/**/*',
    'node_modules/@node-llama-cpp/${os}-${arch}*/bins/**/*',
  ],
  asar: true,
  // Loaded from real files, not from inside the archive: native addons (dlopen), node-llama-cpp as a whole (it finds
  // its binaries by path and tests them in a child process) and the WebAssembly of the tfjs backend that the
  // training worker loads.
  asarUnpack: [
    '**/*.node',
    'node_modules/better-sqlite3/**',
    'node_modules/node-llama-cpp/**',
    'node_modules/@node-llama-cpp/**',
    'node_modules/@tensorflow/tfjs-backend-wasm/**/*.wasm',
  ],
  // better-sqlite3 is rebuilt for Electron's ABI by scripts/package-desktop.mjs (@electron/rebuild, that module
  // only): node-llama-cpp's prebuilt binaries use N-API, need no rebuild, and must not be compiled.
  npmRebuild: false,
  buildDependenciesFromSource: false,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Science',
    maintainer: 'Distillery contributors <distillery@localhost>',
    synopsis: 'Distil a local LLM into small text classifiers, on premises',
  },
  // The desktop app's .deb; the server's .deb (systemd unit, /opt) comes from the offline-bundle packaging.
  deb: { packageName: 'distillery-desktop' },
  win: { target: ['nsis'] },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    // A clinician's labels are irreplaceable: uninstalling never deletes the data folder.
    deleteAppDataOnUninstall: false,
  },
  mac: { target: ['dmg'], category: 'public.app-category.productivity' },
} satisfies Configuration;

export default config;
