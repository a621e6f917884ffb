import type { CliCommand } from '../../cli/types';

/** `distillery export ...` commands. */
export const exportCommands: CliCommand[] = [];
