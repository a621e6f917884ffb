import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createCore, type Core } from '../core/core';
import { AppError, toErrorInfo } from '../core/errors';
import { defaultDataDir } from '../core/paths';
import { COMMANDS } from './commands';
import type { CliCommand, CliIo } from './types';

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The commands of the longest group the words name (`data` lists `data import`, `data split`...; `teacher prompt`
 * the prompt commands), with the group's words, or null when the first word names none.
 */
function groupOf(words: readonly string[]): { word: string; commands: CliCommand[] } | null {
  for (let n = Math.min(words.length, 2); n >= 1; n--) {
    const word = words.slice(0, n).join(' ');
    const commands = COMMANDS.filter((c) => c.name === word || c.name.startsWith(`${word} `));
    if (commands.length) return { word, commands };
  }
  return null;
}

/** The global help, or a group's (`distillery data --help`): its commands only. */
function helpText(group: { word: string; commands: CliCommand[] } | null = null): string {
  const list = group?.commands ?? COMMANDS;
  const width = Math.max(...list.map((c) => c.name.length));
  const word = group?.word;
  return [
    group
      ? `Usage: distillery ${word} ... [options] [--data-dir DIR] [--json]`
      : 'Usage: distillery COMMAND [options] [--data-dir DIR] [--json]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --data-dir DIR (default: $DISTILLERY_DATA_DIR or your user data folder)',
    'and --json (machine-readable result on stdout; errors on stderr with a non-zero exit).',
    'Run "distillery COMMAND --help" for a command\'s options.',
  ].join('\n');
}

/** Options that take a value (`--data-dir DIR`): their value is not a word of the command's name. */
const VALUE_OPTIONS = new Set([
  ...Object.entries(GLOBAL_OPTIONS)
    .filter(([, o]) => o.type === 'string')
    .map(([n]) => n),
  ...COMMANDS.flatMap((c) =>
    Object.entries(c.options ?? {})
      .filter(([, o]) => o.type === 'string')
      .map(([n]) => n),
  ),
]);

/** Indexes of the words that are not options or option values, in order. */
function wordIndexes(argv: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('--')) {
      if (!a.includes('=') && VALUE_OPTIONS.has(a.slice(2))) i++;
      continue;
    }
    if (a.startsWith('-') && a !== '-') continue;
    out.push(i);
  }
  return out;
}

function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | null {
  const at = wordIndexes(argv).slice(0, 3);
  for (const n of [3, 2, 1]) {
    if (at.length < n) continue;
    const name = at
      .slice(0, n)
      .map((i) => argv[i])
      .join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.filter((_a, i) => !at.slice(0, n).includes(i)) };
  }
  return null;
}

let openCore: Core | null = null;
let watchingOutput = false;

/**
 * Output piped into a program that stops reading (`| head`): stop quietly, as command-line tools do, instead of
 * crashing with EPIPE. The core is closed first so that a job being followed is kept resumable. Installed once and
 * kept: the error can arrive after the command has returned.
 */
function exitQuietlyOnClosedOutput(): void {
  if (watchingOutput) return;
  watchingOutput = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    const c = openCore;
    void (c ? c.dispose() : Promise.resolve()).finally(() => process.exit(0));
  });
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  const found = findCommand(argv);
  if (!found) {
    const words = wordIndexes(argv).map((i) => argv[i]);
    const group = groupOf(words);
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(helpText(group) + '\n');
      return 0;
    }
    const hint = group ? `distillery ${group.word} --help` : 'distillery --help';
    const message = `Unknown command "${words.join(' ')}". Run "${hint}".`;
    if (wantsJson)
      process.stderr.write(JSON.stringify({ ok: false, error: { code: 'INVALID_INPUT', message } }) + '\n');
    else process.stderr.write(message + '\n');
    return 2;
  }
  const { command, rest } = found;
  let core: Core | null = null;
  exitQuietlyOnClosedOutput();
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...(command.options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      process.stdout.write(`${command.help ?? `${command.usage}\n\n${command.summary}`}\n`);
      return 0;
    }
    const dataDir = resolve((parsed.values['data-dir'] as string | undefined) ?? defaultDataDir());
    const json = Boolean(parsed.values.json);
    const io: CliIo = {
      json,
      dataDir,
      core: async () => {
        const serving = command.name === 'serve';
        core ??= await createCore({ dataDir, mode: serving ? 'browser' : 'cli', seedDemo: serving });
        openCore = core;
        return core;
      },
      print: (line) => {
        if (!json) process.stdout.write(line + '\n');
      },
      note: (line) => process.stderr.write(line + '\n'),
    };
    const value = await command.run({ positionals: parsed.positionals, values: parsed.values }, io);
    if (json && value !== undefined) process.stdout.write(JSON.stringify(value) + '\n');
    return 0;
  } catch (e) {
    const info =
      e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
        ? AppError.keyed('INVALID_INPUT', 'cli.usage', { eMessage: e.message, usage: command.usage }).toInfo()
        : toErrorInfo(e);
    if (wantsJson) process.stderr.write(JSON.stringify({ ok: false, error: info }) + '\n');
    else process.stderr.write(`Error (${info.code}): ${info.message}\n`);
    return 1;
  } finally {
    const c = core as Core | null;
    if (c) await c.dispose();
    openCore = null;
  }
}
