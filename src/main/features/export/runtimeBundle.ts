import { readFile } from 'node:fs/promises';
import { builtFile } from '../../core/entries';

export interface RuntimeBundle {
  /** A classic script: `window.DistilleryStudent` in a page, `require()` in Node. */
  readonly script: string;
  /** An ES module: `import { loadStudentRuntime } from './distillery-student.mjs'`. */
  readonly module: string;
}

let cached: Promise<RuntimeBundle> | null = null;

/**
 * The student runtime (runtime/student-runtime.ts with the student feature's featurizer and forward pass, one source
 * of truth) as plain, dependency-free JavaScript that runs in browsers and in Node. It is bundled once at build time
 * (electron.vite.config.ts) into out/main/student-runtime/; exporting copies it and compiles nothing.
 */
export function runtimeBundle(): Promise<RuntimeBundle> {
  cached ??= (async () => {
    const [script, module] = await Promise.all([
      readFile(builtFile('student-runtime/distillery-student.js'), 'utf8'),
      readFile(builtFile('student-runtime/distillery-student.mjs'), 'utf8'),
    ]);
    return { script, module };
  })();
  cached.catch(() => {
    cached = null;
  });
  return cached;
}
