import { z } from 'zod';
import { AppError } from '../core/errors';
import type { CliOption } from './types';

/** How one field of a request schema appears on the command line, when not just its kebab-cased name. */
export interface FieldFlag {
  /** The option's name without `--` (default: the field's name in kebab case). */
  readonly flag?: string;
  /** The help sentence when the schema's field has no `.describe()` text (the schema's text wins). */
  readonly help?: string;
  /** The placeholder in help (`--model ID`); default N for numbers, the choices for enums, TEXT otherwise. */
  readonly value?: string;
  /**
   * Turns the typed text into the field's value (`--template FILE` reads the file, `--delimiter tab` is a tab); the
   * result is still checked by the field's schema. An array field with `parse` takes one value, not a repeated flag.
   */
  readonly parse?: (raw: string) => unknown;
}

interface JsonField {
  readonly type?: 'number' | 'integer' | 'boolean' | 'string' | 'array' | readonly string[];
  readonly enum?: readonly string[];
  readonly items?: JsonField;
  readonly default?: unknown;
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
}

/** One derived option, as the help and the tests see it. */
export interface DerivedOption {
  /** The request field it sets. */
  readonly key: string;
  /** The flag a person types: `--<flag>`, or `--no-<flag>` for a boolean that is on by default. */
  readonly flag: string;
  /** The schema's default for the field (undefined when it has none). */
  readonly default: unknown;
  /** How help shows the option: `--seed N`. */
  readonly left: string;
  /** What it is, its range or choices and its default. */
  readonly line: string;
}

/** Command-line options derived from a zod request schema: parseArgs options, help lines and the request. */
export interface SchemaOptions<T extends z.ZodObject = z.ZodObject> {
  readonly schema: T;
  readonly options: Readonly<Record<string, CliOption>>;
  readonly derived: readonly DerivedOption[];
  /** `[--train N] [--no-stratify]`, for the usage line. */
  readonly synopsis: string;
  /** One line per option: what it is (the schema's description), its range or choices, its default. */
  readonly help: string;
  /** The request fields given on the command line, each checked by its own schema (an error names the option). */
  read(values: Readonly<Record<string, unknown>>): Partial<z.input<T>>;
}

type Kind = 'number' | 'integer' | 'boolean' | 'string';

interface Option {
  readonly key: string;
  readonly flag: string;
  readonly field: JsonField;
  readonly kind: Kind;
  readonly multiple: boolean;
  readonly spec: FieldFlag;
}

export const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A nullable field's JSON type is ['string', 'null']: the CLI gives the non-null one. */
function kindOf(f: JsonField | undefined): Kind {
  const t = Array.isArray(f?.type) ? f?.type.find((x) => x !== 'null') : f?.type;
  return t === 'number' || t === 'integer' || t === 'boolean' ? t : 'string';
}

function valueName(o: Option): string {
  if (o.spec.value) return o.spec.value;
  const f = o.multiple ? o.field.items : o.field;
  if (f?.enum) return f.enum.join('|');
  return o.kind === 'integer' || o.kind === 'number' ? 'N' : 'TEXT';
}

function fmt(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function detail(o: Option): string {
  const f = o.multiple ? (o.field.items ?? {}) : o.field;
  const parts: string[] = [];
  const safe = (n: number | undefined): n is number =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  const min =
    f.exclusiveMinimum !== undefined && kindOf(f) === 'integer' ? f.exclusiveMinimum + 1 : f.minimum;
  if (kindOf(f) === 'integer') parts.push('a whole number');
  if (safe(min) && safe(f.maximum)) parts.push(`${min} to ${f.maximum}`);
  else if (safe(min)) parts.push(`at least ${min}`);
  else if (safe(f.maximum)) parts.push(`at most ${f.maximum}`);
  else if (safe(f.exclusiveMinimum)) parts.push(`more than ${f.exclusiveMinimum}`);
  if (o.multiple) parts.push('repeat it for more');
  const d = o.field.default;
  if (d !== undefined && d !== '' && o.kind !== 'boolean' && !(Array.isArray(d) && d.length === 0))
    parts.push(`default ${fmt(d)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function left(o: Option): string {
  return `--${o.flag}${o.kind === 'boolean' ? '' : ` ${valueName(o)}`}`;
}

/** Text and number conversion of one typed value; the field's schema checks it afterwards. */
function convert(kind: Kind, raw: unknown): unknown {
  if (kind === 'number' || kind === 'integer') return String(raw).trim() === '' ? Number.NaN : Number(raw);
  return raw;
}

/**
 * Derives options from the fields `fields` of `schema` (in that order): a number or text field takes a value, an
 * enum lists its choices, an array field is a repeated flag, a boolean that defaults to true is turned off with
 * `--no-<name>` and one that defaults to false is turned on with `--<name>`. Defaults, ranges and help come from the
 * schema, so the CLI, its help and the UI form (which reads the same schema) cannot disagree. A field without a
 * description in the schema or a `help` here is refused at start: every option has a sentence of help.
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
    if (!field.description && !spec.help)
      throw new Error(`schemaOptions: the field "${key}" has no description: give it a help sentence.`);
    const multiple = field.type === 'array' && !spec.parse;
    const kind = kindOf(multiple ? field.items : field.type === 'array' ? undefined : field);
    const base = spec.flag ?? kebab(key);
    const flag = kind === 'boolean' && field.default === true ? `no-${base}` : base;
    return { key, flag, field, kind, multiple, spec };
  });
  const options: Record<string, CliOption> = {};
  for (const o of list)
    options[o.flag] = {
      type: o.kind === 'boolean' ? 'boolean' : 'string',
      ...(o.multiple ? { multiple: true } : {}),
    };
  const synopsis = list.map((o) => `[${left(o)}${o.multiple ? ' ...' : ''}]`).join(' ');
  const derived: DerivedOption[] = list.map((o) => {
    const description = o.field.description ?? o.spec.help ?? '';
    // A --no-<name> flag turns off what the field describes, which is on unless it is given.
    const what = o.flag.startsWith('no-') ? `Turn off: ${description} (on by default)` : description;
    return {
      key: o.key,
      flag: o.flag,
      default: o.field.default,
      left: left(o),
      line: `${what}${detail(o)}`.trimEnd(),
    };
  });
  const width = Math.max(0, ...list.map((o) => left(o).length));
  const help = list.map((o, i) => `  ${left(o).padEnd(width)}  ${derived[i].line}`.trimEnd()).join('\n');
  const shape = schema.shape as Record<string, z.ZodType>;
  const read = (values: Readonly<Record<string, unknown>>): Partial<z.input<T>> => {
    const out: Record<string, unknown> = {};
    for (const o of list) {
      const raw = values[o.flag];
      if (raw === undefined) continue;
      let value: unknown;
      if (o.kind === 'boolean') value = !o.flag.startsWith('no-') || o.flag === o.key;
      else if (o.spec.parse) {
        try {
          value = o.spec.parse(String(raw));
        } catch (e) {
          // A file option whose file cannot be read: named like a wrong value, not an internal error.
          const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
          throw AppError.keyed('INVALID_INPUT', 'cli.mustGot', {
            flag: o.flag,
            what: `a file that can be read (${why})`,
            p1: '',
            raw: String(raw),
          });
        }
      } else if (o.multiple) value = (raw as unknown[]).map((r) => convert(o.kind, r));
      else value = convert(o.kind, raw);
      const parsed = shape[o.key].safeParse(value);
      if (!parsed.success) {
        const f = o.multiple ? o.field.items : o.field;
        const what = f?.enum
          ? `one of ${f.enum.join(', ')}`
          : o.kind === 'number' || o.kind === 'integer'
            ? 'a number'
            : `valid: ${parsed.error.issues[0]?.message ?? 'a text'}`;
        throw AppError.keyed('INVALID_INPUT', 'cli.mustGot', {
          flag: o.flag,
          what,
          p1: detail(o),
          raw: Array.isArray(raw) ? raw.join(', ') : String(raw),
        });
      }
      out[o.key] = value;
    }
    return out as Partial<z.input<T>>;
  };
  return { schema, options, derived, synopsis, help, read };
}
