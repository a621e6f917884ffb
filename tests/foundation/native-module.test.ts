import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/main/core/errors';
import { nativeModuleProblem } from '../../src/main/core/nativeModules';
import { openDatabase } from '../../src/main/core/store/db';
import { tempDir } from '../helpers';

const t = tempDir();
afterAll(() => t.cleanup());

/** Node's exact words (src/node_binding.cc) when an addon built for Node 20 is loaded by Electron 41. */
function abiError(file: string): Error {
  const e = new Error(
    `The module '${file}'\n` +
      'was compiled against a different Node.js version using\n' +
      'NODE_MODULE_VERSION 115. This version of Node.js requires\n' +
      'NODE_MODULE_VERSION 145. Please try re-compiling or re-installing\n' +
      'the module (for instance, using `npm rebuild` or `npm install`).',
  ) as Error & { code: string };
  e.code = 'ERR_DLOPEN_FAILED';
  return e;
}

function caught(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an error');
}

describe('a native module built for another runtime is reported as that, not as a damaged database', () => {
  afterEach(() => {
    vi.doUnmock('better-sqlite3');
    vi.resetModules();
  });

  it('(simulated: better-sqlite3 loading its addon throws Node’s real NODE_MODULE_VERSION error) says so and how to fix it, for a new and an existing database', async () => {
    vi.resetModules();
    vi.doMock('better-sqlite3', () => ({
      default: function Database(): never {
        throw abiError('/opt/distillery/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
      },
    }));
    const { openDatabase: open } = await import('../../src/main/core/store/db');
    const { AppError: MockedAppError } = await import('../../src/main/core/errors');

    const existing = join(t.dir, 'existing.db');
    // A real SQLite header: the file is fine, only the module cannot be loaded.
    writeFileSync(existing, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080)]));
    for (const file of [join(t.dir, 'new.db'), existing]) {
      let e: unknown;
      try {
        open(file);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(MockedAppError);
      const err = e as AppError;
      expect(err.code).toBe('NATIVE_MODULE');
      expect(err.message).not.toMatch(/not SQLite|not a Distillery database/);
      expect(err.message).toMatch(/database module \(better-sqlite3\) was built for another runtime/);
      expect(err.message).toMatch(/NODE_MODULE_VERSION 115/);
      expect(err.message).toMatch(/npx @electron\/rebuild -f -w better-sqlite3/);
      expect(err.message).toMatch(/npm rebuild better-sqlite3/);
      expect(err.message).toMatch(/your data is untouched/);
    }
  });

  it('a real file that is not SQLite still says DB_NOT_SQLITE (the real better-sqlite3)', () => {
    const file = join(t.dir, 'notes.db');
    writeFileSync(file, 'Minutes of the ethics committee, not a database. '.repeat(20));
    const err = caught(() => openDatabase(file));
    expect(err.code).toBe('DB_NOT_SQLITE');
    expect(err.message).toMatch(/not a Distillery database/);
  });

  it('node-llama-cpp without a binary for this system (its real NoBinaryFoundError message) says to reinstall for this system', () => {
    const e = new Error(
      'No prebuilt binaries found, no llama.cpp source found and `skipDownload` or NODE_LLAMA_CPP_SKIP_DOWNLOAD env var is set to true, so llama.cpp cannot be built from source',
    );
    const err = nativeModuleProblem(e, 'node-llama-cpp');
    expect(err?.code).toBe('NATIVE_MODULE');
    expect(err?.message).toMatch(/language-model module \(node-llama-cpp\) cannot be loaded by this runtime/);
    expect(err?.message).toMatch(
      new RegExp(`Reinstall Distillery for this system \\(${process.platform}-${process.arch}\\)`),
    );
  });

  it('other errors are not mistaken for a native-module problem', () => {
    expect(
      nativeModuleProblem(new Error('SQLITE_CANTOPEN: unable to open database file'), 'better-sqlite3'),
    ).toBe(null);
    expect(nativeModuleProblem(new Error('The model file is damaged'), 'node-llama-cpp')).toBe(null);
  });
});

// A real addon built for another runtime: a few lines of C that register themselves as NODE_MODULE_VERSION 1 (no
// runtime has it), compiled with the C compiler that also builds better-sqlite3 here, then loaded by this Node.
const cc = spawnSync('cc', ['--version']).status === 0;
describe.skipIf(!cc)('with an addon really built for another ABI (compiled here)', () => {
  it('Node’s own load error is recognised and explained', () => {
    const src = join(t.dir, 'other-abi.c');
    const addon = join(t.dir, 'other_abi.node');
    writeFileSync(
      src,
      `#include <stddef.h>
struct node_module { int v; unsigned int flags; void* dso; const char* file; void* reg; void* ctx; const char* name; void* priv; void* link; };
extern void node_module_register(void*);
static struct node_module m = { 1, 0, NULL, __FILE__, NULL, NULL, "other_abi", NULL, NULL };
static void __attribute__((constructor)) init(void) { node_module_register(&m); }
`,
    );
    const built = spawnSync('cc', ['-shared', '-fPIC', '-o', addon, src], { encoding: 'utf8' });
    expect(built.stderr).toBe('');
    let real: unknown;
    try {
      process.dlopen({ exports: {} }, addon);
    } catch (e) {
      real = e;
    }
    expect((real as Error).message).toMatch(/NODE_MODULE_VERSION 1\./);
    const err = nativeModuleProblem(real, 'better-sqlite3');
    expect(err?.code).toBe('NATIVE_MODULE');
    expect(err?.message).toMatch(/built for another runtime \(NODE_MODULE_VERSION 1\)/);
    expect(err?.message).toMatch(new RegExp(`Node\\.js ${process.versions.node.replace(/\./g, '\\.')}`));
    expect(err?.message).toMatch(/npx @electron\/rebuild -f -w better-sqlite3/);
  });
});
