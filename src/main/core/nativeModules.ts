import { AppError } from './errors';

/** The native addons Distillery loads: better-sqlite3 (the database) and node-llama-cpp (the teacher). */
export type NativeModule = 'better-sqlite3' | 'node-llama-cpp';

const WHAT: Readonly<Record<NativeModule, string>> = {
  'better-sqlite3': 'Its database module (better-sqlite3)',
  'node-llama-cpp': 'Its language-model module (node-llama-cpp)',
};

/** Node's words when an addon cannot be loaded at all (as opposed to a file it cannot read). */
const LOAD_FAILURE =
  /NODE_MODULE_VERSION|NoBinaryFoundError|No prebuilt binaries found|invalid ELF header|wrong ELF class|not a valid Win32 application|wrong architecture|did not self-register|Could not locate the bindings file|undefined symbol|cannot open shared object file|Module did not self-register/i;

function runtime(): string {
  const v = process.versions as NodeJS.ProcessVersions & { electron?: string };
  return v.electron
    ? `Electron ${v.electron} (NODE_MODULE_VERSION ${v.modules})`
    : `Node.js ${v.node} (NODE_MODULE_VERSION ${v.modules})`;
}

function fix(module: NativeModule): string {
  if (module === 'node-llama-cpp') {
    return (
      `Reinstall Distillery for this system (${process.platform}-${process.arch}): the installers and the offline ` +
      'bundle carry its prebuilt llama.cpp binaries; from source, run "npm ci" on this machine.'
    );
  }
  return (
    'For the desktop app built from source, run "npx @electron/rebuild -f -w better-sqlite3" in the Distillery ' +
    'folder; for the command line or the browser-mode server, run "npm rebuild better-sqlite3" there ' +
    '(or reinstall Distillery: the installers and the offline bundle carry the right build).'
  );
}

/**
 * When loading a native addon failed because it was built for another runtime (Node's build loaded in Electron, or
 * the reverse: "NODE_MODULE_VERSION") or another platform, the error a person can act on; otherwise null. Such a
 * failure says nothing about the user's files, so it must not be reported as a damaged database or model.
 */
export function nativeModuleProblem(e: unknown, module: NativeModule): AppError | null {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  if (code !== 'ERR_DLOPEN_FAILED' && !LOAD_FAILURE.test(message)) return null;
  const versions = [...message.matchAll(/NODE_MODULE_VERSION (\d+)/g)].map((m) => m[1]);
  const cause =
    versions.length >= 2
      ? `was built for another runtime (NODE_MODULE_VERSION ${versions[0]}) and cannot be loaded by this one, ${runtime()}`
      : `cannot be loaded by this runtime, ${runtime()}, on ${process.platform}-${process.arch}: it was built for another runtime or platform`;
  return AppError.keyed('NATIVE_MODULE', 'core.distilleryCannotStartPart', {
    p1: WHAT[module],
    cause,
    p2: fix(module),
    p3: message.split('\n').join(' ').slice(0, 300),
  });
}
