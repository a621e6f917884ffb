import type { CliCommand } from '../../cli/types';

/** `distillery teacher ...` commands. */
export const teacherCommands: CliCommand[] = [];
