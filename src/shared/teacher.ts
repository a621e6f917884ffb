/** The teacher feature's channels: filled in by that feature. */
export const teacherContract = {} as const;
