import type { Core } from '../core/core';
import type { SchemaOptions } from './schemaOptions';

export interface CliIo {
  readonly json: boolean;
  readonly dataDir: string;
  /** Opens the core on the data directory (once); closed by the CLI when the command ends. */
  core(): Promise<Core>;
  /** Human output (stdout); suppressed under --json. */
  print(line: string): void;
  /** Progress and notes (stderr), so that stdout stays machine-readable. */
  note(line: string): void;
}

/** One option in node:util parseArgs form. */
export interface CliOption {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean;
}

export interface CliCommand {
  /** e.g. "projects list", "data import". */
  readonly name: string;
  readonly summary: string;
  /** Shown by --help: arguments and options of this command. */
  readonly usage: string;
  /** The whole of `--help` (usage, summary, every option); without it, usage and summary. */
  readonly help?: string;
  /** Options in node:util parseArgs form (besides the global --data-dir, --json, --help). */
  readonly options?: Readonly<Record<string, CliOption>>;
  /** The request schemas its options are derived from (tests compare their defaults with the help). */
  readonly derived?: readonly SchemaOptions[];
  /** Hand-written flags that decide a request field by a rule of their own (see ExtraOption.decides). */
  readonly decides?: readonly string[];
  /** Runs the command; what it returns is printed as JSON under --json. Throw AppError for an actionable failure. */
  run(args: { positionals: string[]; values: Record<string, unknown> }, io: CliIo): Promise<unknown>;
}
