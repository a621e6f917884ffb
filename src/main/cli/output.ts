import { createReadStream, createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../core/errors';
import type { CliIo } from './types';

/** `-`, /dev/stdout, a FIFO or a device: somewhere to stream to, not a file to create or replace. */
export function isStreamTarget(path: string): boolean {
  if (path === '-' || /^\/(dev\/(stdout|stderr|fd\/\d+)|proc\/self\/fd\/\d+)$/.test(path)) return true;
  try {
    return existsSync(path) && !statSync(path).isFile() && !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Opens an output file for the CLI: refuses to replace an existing file unless `force`, and reports a failure to
 * open (a missing folder, no permission) as an error the command returns instead of an unhandled stream error.
 * `-` and devices such as /dev/stdout are written to as they are.
 */
export async function openOutput(path: string, force: boolean): Promise<WriteStream | NodeJS.WriteStream> {
  // Our own stdout, whatever it is (a terminal, a pipe, a file the shell redirected to).
  if (path === '-' || path === '/dev/stdout') return process.stdout;
  const stream = isStreamTarget(path);
  if (!stream && existsSync(path) && !force) {
    throw AppError.keyed('CONFLICT', 'cli.fileAlreadyExistsChoose', { path }, { path });
  }
  const out = createWriteStream(path, { flags: stream ? 'a' : 'w' });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (e) => reject(outputError(path, e)));
  });
  return out;
}

/** Copies a finished file to where the user asked (`-`, a device or a FIFO included). */
export async function copyToOutput(from: string, to: string, force: boolean): Promise<void> {
  const out = await openOutput(to, force);
  try {
    await pipeline(createReadStream(from), out, { end: out !== process.stdout });
  } catch (e) {
    // The reader stopped (`| head`): what it wanted has been written.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw outputError(to, e);
  }
}

function outputError(path: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return AppError.keyed('INVALID_INPUT', 'cli.cannotWriteFolderDoes', { path }, { path });
  if (code === 'EACCES' || code === 'EPERM')
    return AppError.keyed(
      'INVALID_INPUT',
      'cli.cannotWritePermissionDenied',
      { path },
      {
        path,
      },
    );
  if (code === 'EISDIR') return AppError.keyed('INVALID_INPUT', 'cli.folderGiveFileName', { path }, { path });
  return e;
}

/**
 * Prints a list a line an item, or, when it is empty, the hint that says how to fill it (human output only: under
 * --json the command returns the list itself). Answers the list, for the command to return.
 */
export function printList<T>(
  io: Pick<CliIo, 'print'>,
  items: readonly T[],
  line: (item: T) => string,
  emptyHint: string,
): readonly T[] {
  if (items.length === 0) io.print(emptyHint);
  for (const item of items) io.print(line(item));
  return items;
}
