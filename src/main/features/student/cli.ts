import type { CliCommand } from '../../cli/types';

/** `distillery train ...` commands. */
export const studentCommands: CliCommand[] = [];
