/** The student feature's channels: filled in by that feature. */
export const studentContract = {} as const;
