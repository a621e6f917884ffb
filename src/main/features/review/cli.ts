import type { CliCommand } from '../../cli/types';

/** `distillery review ...` commands. */
export const reviewCommands: CliCommand[] = [];
