import type { CliCommand } from '../../cli/types';

/** `distillery eval ...` commands. */
export const evaluationCommands: CliCommand[] = [];
