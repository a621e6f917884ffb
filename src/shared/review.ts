/** The review feature's channels: filled in by that feature. */
export const reviewContract = {} as const;
