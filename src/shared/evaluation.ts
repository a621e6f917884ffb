/** The evaluation feature's channels: filled in by that feature. */
export const evaluationContract = {} as const;
