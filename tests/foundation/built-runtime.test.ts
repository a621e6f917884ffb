import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { builtFile, resolveEntry } from '../../src/main/core/entries';
import { AppError } from '../../src/main/core/errors';
import { ROOT, tempDir, testCore } from '../helpers';
import { makeProject, SENTENCES } from '../teacher/fixtures';
import { tinyModelPath } from '../fixtures/gguf/generate';

const run = promisify(execFile);
const BIN = join(ROOT, 'bin', 'distillery.mjs');

describe('the CLI, the server, the teacher and the worker run from the build in out/', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('runs from any working directory: a teacher preview with the tiny GGUF, started from a folder outside the checkout', async () => {
    // The person's own folder, with relative paths as they would type them; no node_modules, no tsx near it.
    const cwd = join(t.dir, 'somewhere else');
    mkdirSync(cwd);
    copyFileSync(tinyModelPath(), join(cwd, 'tiny.gguf'));
    const { core, close } = await testCore({ dataDir: join(cwd, 'data') });
    const p = makeProject(core, {
      labels: [{ name: 'fair' }, { name: 'unfair' }],
      examples: SENTENCES.slice(0, 2).map((text) => ({ text })),
    });
    await close({ keep: true });

    const cli = async <T>(...args: string[]): Promise<T> => {
      const { stdout } = await run(process.execPath, [BIN, ...args, '--data-dir', 'data', '--json'], { cwd });
      return JSON.parse(stdout) as T;
    };
    const model = await cli<{ id: number }>('teacher', 'import', 'tiny.gguf');
    const items = await cli<
      Array<{ text: string; distribution: { probs: number[] } | null; error?: string }>
    >(
      'teacher',
      'preview',
      String(p.projectId),
      ...['--model', String(model.id), '--count', '2', '--threads', '1', '--context-size', '512'],
    );
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item.error ?? null).toBeNull();
      expect(item.distribution?.probs).toHaveLength(2);
      expect(item.distribution!.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  }, 120_000);

  it('the built JavaScript imports neither tsx nor esbuild, and neither is a production dependency', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.js') || e.name.endsWith('.mjs')) files.push(join(dir, e.name));
      }
    };
    walk(join(ROOT, 'out', 'main'));
    expect(files.map((f) => f.slice(ROOT.length + 1)).sort()).toEqual(
      expect.arrayContaining([
        join('out', 'main', 'cli.js'),
        join('out', 'main', 'index.js'),
        join('out', 'main', 'teacher-host.js'),
        join('out', 'main', 'train-worker.js'),
        join('out', 'main', 'import-reader.js'),
        join('out', 'main', 'student-runtime', 'distillery-student.js'),
        join('out', 'main', 'student-runtime', 'distillery-student.mjs'),
      ]),
    );
    for (const f of files) {
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/(from|import\(|require\()\s*["'](tsx|esbuild)[/"']/);
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(Object.keys(pkg.dependencies)).not.toContain('esbuild');
  });
});

describe('bin/distillery.mjs in a copy of the source code', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  /** A checkout in miniature: the real launcher and freshness check, a src/ and an out/ of our choosing. */
  function checkout(name: string, opts: { built: boolean; sourcesNewer: boolean }): string {
    const root = join(t.dir, name);
    for (const d of ['bin', 'scripts', 'src/main', 'out/main', 'out/preload', 'out/renderer']) {
      mkdirSync(join(root, d), { recursive: true });
    }
    copyFileSync(BIN, join(root, 'bin', 'distillery.mjs'));
    copyFileSync(join(ROOT, 'scripts', 'build-freshness.mjs'), join(root, 'scripts', 'build-freshness.mjs'));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    writeFileSync(join(root, 'src', 'main', 'a.ts'), 'export {};\n');
    const past = new Date(Date.now() - 3_600_000);
    if (opts.built) {
      writeFileSync(join(root, 'out', 'main', 'cli.js'), 'console.log("built cli ran");\n');
      writeFileSync(join(root, 'out', 'preload', 'index.cjs'), '');
      writeFileSync(join(root, 'out', 'renderer', 'index.html'), '');
      if (opts.sourcesNewer) {
        for (const f of ['out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
          utimesSync(join(root, f), past, past);
        }
      } else {
        utimesSync(join(root, 'src', 'main', 'a.ts'), past, past);
        utimesSync(join(root, 'src', 'main'), past, past);
        utimesSync(join(root, 'src'), past, past);
      }
    }
    return root;
  }

  const launch = (root: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [join(root, 'bin', 'distillery.mjs'), '--help'], {
      cwd: t.dir,
      encoding: 'utf8',
    });

  it('refuses a missing build and says to run npm run build', () => {
    const r = launch(checkout('unbuilt', { built: false, sourcesNewer: false }));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the build is missing/);
    expect(r.stderr).toMatch(/npm run build/);
  });

  it('refuses a build older than the sources, rather than running old code', () => {
    const r = launch(checkout('stale', { built: true, sourcesNewer: true }));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/older than the sources/);
    expect(r.stdout).not.toMatch(/built cli ran/);
  });

  it('runs out/main/cli.js when the build is newer than the sources', () => {
    const r = launch(checkout('fresh', { built: true, sourcesNewer: false }));
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/built cli ran/);
    expect(r.status).toBe(0);
  });
});

describe('resolveEntry and builtFile find out/main from wherever the code runs', () => {
  const files = (list: readonly string[]): ((f: string) => boolean) => {
    const set = new Set(list.map((f) => f.split('/').join(sep)));
    return (f) => set.has(f);
  };
  const p = (s: string): string => s.split('/').join(sep);

  it('from shared code in out/main/chunks inside an asar archive (the packaged desktop app)', () => {
    const asar = '/opt/Distillery/resources/app.asar';
    const exists = files([
      `${asar}/out/main/teacher-host.js`,
      `${asar}/out/main/train-worker.js`,
      `${asar}/out/main/student-runtime/distillery-student.mjs`,
    ]);
    const from = p(`${asar}/out/main/chunks`);
    expect(resolveEntry('teacher-host', from, exists)).toBe(p(`${asar}/out/main/teacher-host.js`));
    expect(resolveEntry('train-worker', from, exists)).toBe(p(`${asar}/out/main/train-worker.js`));
    expect(builtFile('student-runtime/distillery-student.mjs', from, exists)).toBe(
      p(`${asar}/out/main/student-runtime/distillery-student.mjs`),
    );
  });

  it('from an entry in out/main (an unpacked bundle) and from the sources of a checkout (tests)', () => {
    const exists = files(['/srv/distillery/out/main/teacher-host.js']);
    expect(resolveEntry('teacher-host', p('/srv/distillery/out/main'), exists)).toBe(
      p('/srv/distillery/out/main/teacher-host.js'),
    );
    expect(resolveEntry('teacher-host', p('/srv/distillery/src/main/core'), exists)).toBe(
      p('/srv/distillery/out/main/teacher-host.js'),
    );
    // The real checkout: the sources under test find the build the global setup made.
    expect(resolveEntry('train-worker')).toBe(join(ROOT, 'out', 'main', 'train-worker.js'));
  });

  it('a missing build is an error that says what to run', () => {
    let caught: unknown;
    try {
      resolveEntry('teacher-host', p('/nowhere/out/main/chunks'), () => false);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).message).toMatch(/out\/main\/teacher-host\.js is missing.*npm run build/);
  });
});
