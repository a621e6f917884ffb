/** The dataset feature's channels: filled in by that feature. */
export const datasetContract = {} as const;
