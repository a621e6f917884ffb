import { z } from 'zod';
import { AppError } from '../core/errors';
import type { CliCommand } from './types';

/** How one field of a request schema appears on the command line, when not just its kebab-cased name. */
export interface FieldFlag {
  /** The option's name without `--` (default: the field's name in kebab case). */
  readonly flag?: string;
}

interface JsonField {
  readonly type?: 'number' | 'integer' | 'boolean' | 'string';
  readonly enum?: readonly string[];
  readonly default?: unknown;
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

interface Option {
  readonly key: string;
  /** The flag a person types: `--<flag>`, or `--no-<flag>` for a boolean that is on by default. */
  readonly flag: string;
  readonly field: JsonField;
}

/** Command-line options derived from a zod request schema: parseArgs options, help lines and the request. */
export interface SchemaOptions<T extends z.ZodObject> {
  readonly options: NonNullable<CliCommand['options']>;
  /** `[--train N] [--no-stratify]`, for the usage line. */
  readonly synopsis: string;
  /** One line per option: what it is (the schema's description), its range or choices, its default. */
  readonly help: string;
  /** The request fields given on the command line, each checked by its own schema (an error names the option). */
  read(values: Record<string, unknown>): Partial<z.input<T>>;
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function valueName(f: JsonField): string {
  if (f.enum) return f.enum.join('|');
  if (f.type === 'integer' || f.type === 'number') return 'N';
  return 'TEXT';
}

function fmt(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function detail(f: JsonField): string {
  const parts: string[] = [];
  const safe = (n: number | undefined): n is number =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (f.type === 'integer') parts.push('a whole number');
  if (safe(f.minimum) && safe(f.maximum)) parts.push(`${f.minimum} to ${f.maximum}`);
  else if (safe(f.minimum)) parts.push(`at least ${f.minimum}`);
  else if (safe(f.maximum)) parts.push(`at most ${f.maximum}`);
  if (f.default !== undefined && f.type !== 'boolean') parts.push(`default ${fmt(f.default)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * Derives options from the fields `fields` of `schema` (in that order): a number or text field takes a value, an
 * enum lists its choices, a boolean that defaults to true is turned off with `--no-<name>` and one that defaults to
 * false is turned on with `--<name>`. Defaults, ranges and help come from the schema, so the CLI, its help and the
 * UI form (which reads the same schema) cannot disagree.
 */
export function schemaOptions<T extends z.ZodObject>(
  schema: T,
  fields: Partial<Record<keyof z.input<T> & string, FieldFlag>>,
): SchemaOptions<T> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonField>;
  };
  const list: Option[] = Object.entries(fields as Record<string, FieldFlag>).map(([key, spec]) => {
    const field = json.properties?.[key];
    if (!field) throw new Error(`schemaOptions: the schema has no field "${key}".`);
    const base = spec.flag ?? kebab(key);
    const flag = field.type === 'boolean' && field.default === true ? `no-${base}` : base;
    return { key, flag, field };
  });
  const options: NonNullable<CliCommand['options']> = {};
  for (const o of list) options[o.flag] = { type: o.field.type === 'boolean' ? 'boolean' : 'string' };
  const synopsis = list
    .map((o) => (o.field.type === 'boolean' ? `[--${o.flag}]` : `[--${o.flag} ${valueName(o.field)}]`))
    .join(' ');
  const width = Math.max(
    0,
    ...list.map((o) => `--${o.flag}${o.field.type === 'boolean' ? '' : ` ${valueName(o.field)}`}`.length),
  );
  const help = list
    .map((o) => {
      const left = `--${o.flag}${o.field.type === 'boolean' ? '' : ` ${valueName(o.field)}`}`;
      // A --no-<name> flag turns off what the field describes, which is on unless it is given.
      const what =
        o.flag.startsWith('no-') && o.field.description
          ? `Turn off: ${o.field.description} (on by default)`
          : (o.field.description ?? '');
      return `  ${left.padEnd(width)}  ${what}${detail(o.field)}`.trimEnd();
    })
    .join('\n');
  const shape = schema.shape as Record<string, z.ZodType>;
  const read = (values: Record<string, unknown>): Partial<z.input<T>> => {
    const out: Record<string, unknown> = {};
    for (const o of list) {
      const raw = values[o.flag];
      if (raw === undefined) continue;
      let value: unknown = raw;
      if (o.field.type === 'boolean') value = !o.flag.startsWith('no-') || o.flag === o.key;
      else if (o.field.type === 'number' || o.field.type === 'integer') {
        value = String(raw).trim() === '' ? Number.NaN : Number(raw);
      }
      const parsed = shape[o.key].safeParse(value);
      if (!parsed.success) {
        const what = o.field.enum
          ? `one of ${o.field.enum.join(', ')}`
          : valueName(o.field) === 'N'
            ? 'a number'
            : 'a text';
        throw AppError.keyed('INVALID_INPUT', 'cli.mustGot', {
          flag: o.flag,
          what,
          p1: detail(o.field),
          raw: String(raw),
        });
      }
      out[o.key] = value;
    }
    return out as Partial<z.input<T>>;
  };
  return { options, synopsis, help, read };
}
