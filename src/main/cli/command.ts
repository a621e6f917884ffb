import type { z } from 'zod';
import { AppError } from '../core/errors';
import type { SchemaOptions } from './schemaOptions';
import type { CliCommand, CliIo, CliOption } from './types';

/** A positional argument, as the usage names it. */
export interface ArgSpec {
  /** PROJECT_ID, FILE, TEXT... */
  readonly name: string;
  /** An id: a positive whole number, checked before the command runs; `hint` is the command that lists them. */
  readonly id?: { readonly what: string; readonly hint?: string };
  readonly optional?: boolean;
  /** Takes every remaining word (shown as `[NAME ...]`). */
  readonly rest?: boolean;
}

/** An option that is no field of the request (where to write, --force, --apply): its help is written here. */
export interface ExtraOption extends CliOption {
  /** The placeholder in help (`--out FILE`); default TEXT. */
  readonly value?: string;
  readonly help: string;
  /**
   * The request field this option decides by a rule the schema cannot say (`--human-only`/`--use-teacher`: absent,
   * the teacher check decides): named so that the table test knows it is not a hand-written copy of the field.
   */
  readonly decides?: string;
}

export interface CommandContext<T extends z.ZodObject> {
  readonly positionals: string[];
  readonly values: Record<string, unknown>;
  /** The fields of the request given as options, each checked by its schema (defaults left to the schema). */
  readonly given: Partial<z.input<T>>;
  /** The i-th positional argument as an id (checked, with its ArgSpec's words in the error). */
  id(i: number): number;
}

export interface CommandSpec<T extends z.ZodObject> {
  readonly name: string;
  /** One sentence: what the command does (the group's help lists it). */
  readonly summary: string;
  readonly args?: readonly ArgSpec[];
  /** The options derived from the request schema the command sends (its `given`). */
  readonly from?: SchemaOptions<T>;
  /** Options derived from other schemas (read them with their own `read`): checked before the command runs too. */
  readonly also?: readonly SchemaOptions[];
  readonly options?: Readonly<Record<string, ExtraOption>>;
  /** Lines of help after the options (how options combine, examples). */
  readonly notes?: readonly string[];
  run(ctx: CommandContext<T>, io: CliIo): Promise<unknown>;
}

/** The project argument most commands start with. */
export const PROJECT_ID: ArgSpec = {
  name: 'PROJECT_ID',
  id: { what: 'project', hint: 'distillery projects list' },
};

/** Options every command takes (main.ts parses them), with their help. */
export const GLOBAL_HELP: Readonly<Record<string, ExtraOption>> = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'The data folder (default: $DISTILLERY_DATA_DIR or your user data folder); before or after the command',
  },
  json: { type: 'boolean', help: 'Print the result as JSON on stdout (errors as JSON on stderr)' },
};

export function idArg(value: string | undefined, spec: ArgSpec): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(n) || n <= 0) {
    const what = spec.id?.what ?? spec.name;
    const h = spec.id?.hint;
    const hint = h === undefined ? '' : h.startsWith('--') ? ` (${h})` : ` (see "${h}")`;
    throw AppError.keyed('INVALID_INPUT', 'cli.giveIdPositiveWhole', { what, hint });
  }
  return n;
}

/** An id given as an option (`--student 3`), checked like an id argument; undefined when the option is not given. */
export function idOption(
  values: Readonly<Record<string, unknown>>,
  flag: string,
  what: string,
): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  return idArg(String(v), { name: flag, id: { what, hint: `--${flag}` } });
}

function argText(a: ArgSpec): string {
  if (a.rest) return `[${a.name} ...]`;
  return a.optional ? `[${a.name}]` : a.name;
}

function extraLeft(flag: string, o: ExtraOption): string {
  return `--${flag}${o.type === 'boolean' ? '' : ` ${o.value ?? 'TEXT'}`}`;
}

/**
 * A command from its table entry: the usage line, the option list (derived options first, with the schema's
 * defaults and ranges, then the extra ones, then --data-dir and --json) and a run that checks every option and id
 * before it opens anything, so a wrong value is named at once.
 */
export function defineCommand<T extends z.ZodObject = z.ZodObject>(spec: CommandSpec<T>): CliCommand {
  const args = spec.args ?? [];
  const schemas = [...(spec.from ? [spec.from] : []), ...(spec.also ?? [])];
  const extras = spec.options ?? {};
  const rows: Array<[string, string]> = [];
  for (const s of schemas) for (const d of s.derived) rows.push([d.left, d.line]);
  for (const [flag, o] of Object.entries({ ...extras, ...GLOBAL_HELP }))
    rows.push([extraLeft(flag, o), o.help]);
  const width = Math.max(...rows.map(([l]) => l.length));
  const usage = `distillery ${[spec.name, ...args.map(argText)].join(' ')} [options]`;
  const help = [
    `Usage: ${usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`.trimEnd()),
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
  ].join('\n');
  const options: Record<string, CliOption> = {};
  for (const s of schemas) Object.assign(options, s.options);
  for (const [flag, o] of Object.entries(extras)) {
    if (options[flag]) throw new Error(`defineCommand(${spec.name}): --${flag} is given twice.`);
    const { value: _v, help: _h, decides: _d, ...option } = o;
    options[flag] = option;
  }
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    help,
    options,
    derived: schemas as readonly SchemaOptions[],
    decides: Object.keys(extras).filter((flag) => extras[flag].decides !== undefined),
    run: async ({ positionals, values }, io) => {
      args.forEach((a, i) => {
        if (a.id && !a.optional) idArg(positionals[i], a);
      });
      for (const s of spec.also ?? []) s.read(values);
      const given = spec.from ? spec.from.read(values) : {};
      const id = (i: number): number => idArg(positionals[i], args[i] ?? { name: 'ID' });
      return spec.run({ positionals, values, given: given as Partial<z.input<T>>, id }, io);
    },
  };
}
