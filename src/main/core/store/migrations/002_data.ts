/** Schema v2: owned by the data feature. Empty until that feature needs a change. */
export const migration002 = ``;
