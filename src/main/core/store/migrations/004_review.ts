/** Schema v4: owned by the review feature. Empty until that feature needs a change. */
export const migration004 = ``;
