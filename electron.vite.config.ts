import { resolve } from 'node:path';
import { build as esbuild } from 'esbuild';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Native and heavy Node packages stay external: they are loaded from node_modules at run time.
const external = [
  'better-sqlite3',
  'node-llama-cpp',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'exceljs',
];

/**
 * Everything that runs in Node is built here into out/main (see docs/development.md, "The build"): the Electron
 * main process, the CLI (which is also the browser-mode server), the teacher process and the training worker.
 * Their names are what `resolveEntry` (src/main/core/entries.ts) and bin/distillery.mjs look for.
 */
const mainEntries = {
  index: 'src/main/index.ts',
  cli: 'src/main/cli/index.ts',
  'teacher-host': 'src/main/features/teacher/teacher.host.ts',
  'train-worker': 'src/main/features/student/train.worker.ts',
  'import-reader': 'src/main/features/dataset/importReader.worker.ts',
};

/** Where the prebuilt student runtime goes inside out/main; runtimeBundle.ts reads it from there. */
const STUDENT_RUNTIME_DIR = 'student-runtime';

/**
 * The exported student's runtime (features/export/runtime/student-runtime.ts with the student feature's featurizer
 * and forward pass): plain, dependency-free JavaScript that runs in browsers and in Node, built once here, so that
 * exporting a model copies two files and compiles nothing at run time.
 */
function studentRuntime(): Plugin {
  return {
    name: 'distillery-student-runtime',
    async generateBundle() {
      const common = {
        entryPoints: [resolve(__dirname, 'src/main/features/export/runtime/student-runtime.ts')],
        bundle: true,
        write: false,
        platform: 'neutral' as const,
        target: 'es2020',
        legalComments: 'none' as const,
        banner: { js: '/* Distillery student runtime. Plain JavaScript, no dependencies. */' },
      };
      const [iife, esm] = await Promise.all([
        esbuild({
          ...common,
          format: 'iife',
          globalName: 'DistilleryStudent',
          footer: {
            js: "if (typeof module === 'object' && module.exports) module.exports = DistilleryStudent;",
          },
        }),
        esbuild({ ...common, format: 'esm' }),
      ]);
      const script = iife.outputFiles?.[0]?.text;
      const module = esm.outputFiles?.[0]?.text;
      if (!script || !module) throw new Error('Bundling the student runtime produced no output.');
      this.emitFile({
        type: 'asset',
        fileName: `${STUDENT_RUNTIME_DIR}/distillery-student.js`,
        source: script,
      });
      this.emitFile({
        type: 'asset',
        fileName: `${STUDENT_RUNTIME_DIR}/distillery-student.mjs`,
        source: module,
      });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [studentRuntime()],
    build: {
      rollupOptions: {
        external,
        input: Object.fromEntries(
          Object.entries(mainEntries).map(([name, file]) => [name, resolve(__dirname, file)]),
        ),
        output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require nothing but electron: zod and the contract's schemas (it reads every answer
      // with them) are bundled into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
