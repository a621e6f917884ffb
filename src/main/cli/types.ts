import type { Core } from '../core/core';

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

export interface CliCommand {
  /** e.g. "projects list", "data import". */
  readonly name: string;
  readonly summary: string;
  /** Shown by --help: arguments and options of this command. */
  readonly usage: string;
  /** Options in node:util parseArgs form (besides the global --data-dir, --json, --help). */
  readonly options?: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }
  >;
  /** Runs the command; what it returns is printed as JSON under --json. Throw AppError for an actionable failure. */
  run(args: { positionals: string[]; values: Record<string, unknown> }, io: CliIo): Promise<unknown>;
}
