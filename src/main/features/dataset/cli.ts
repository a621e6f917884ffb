import type { CliCommand } from '../../cli/types';

/** `distillery data ...` commands. */
export const datasetCommands: CliCommand[] = [];
