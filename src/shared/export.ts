/** The export feature's channels: filled in by that feature. */
export const exportContract = {} as const;
