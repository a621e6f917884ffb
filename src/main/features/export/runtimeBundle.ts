import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { AppError } from '../../core/errors';

const ENTRY = join('src', 'main', 'features', 'export', 'runtime', 'student-runtime.ts');

/** The runtime's source, found from the sources (CLI, tests) or from the Electron build in the checkout. */
function runtimeEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'runtime', 'student-runtime.ts');
  if (existsSync(beside)) return beside;
  let dir = here;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, ENTRY))) return join(dir, ENTRY);
    dir = dirname(dir);
  }
  throw new AppError(
    'UNSUPPORTED',
    'The student runtime sources are missing from this installation, so a model cannot be exported. Reinstall Distillery.',
  );
}

export interface RuntimeBundle {
  /** A classic script: `window.DistilleryStudent` in a page, `require()` in Node. */
  readonly script: string;
  /** An ES module: `import { loadStudentRuntime } from './distillery-student.mjs'`. */
  readonly module: string;
}

let cached: Promise<RuntimeBundle> | null = null;

/**
 * Bundles the runtime with the student feature's featurizer and forward pass (one source of truth) into plain,
 * dependency-free JavaScript that runs in browsers and in Node.
 */
export function runtimeBundle(): Promise<RuntimeBundle> {
  cached ??= (async () => {
    const entry = runtimeEntry();
    const common = {
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'neutral' as const,
      target: 'es2020',
      legalComments: 'none' as const,
      banner: {
        js: '/* Distillery student runtime: generated at export time. Plain JavaScript, no dependencies. */',
      },
    };
    const [iife, esm] = await Promise.all([
      build({
        ...common,
        format: 'iife',
        globalName: 'DistilleryStudent',
        footer: {
          js: "if (typeof module === 'object' && module.exports) module.exports = DistilleryStudent;",
        },
      }),
      build({ ...common, format: 'esm' }),
    ]);
    const script = iife.outputFiles?.[0]?.text;
    const module = esm.outputFiles?.[0]?.text;
    if (!script || !module)
      throw new AppError('INTERNAL', 'Bundling the student runtime produced no output.');
    return { script, module };
  })();
  cached.catch(() => {
    cached = null;
  });
  return cached;
}
