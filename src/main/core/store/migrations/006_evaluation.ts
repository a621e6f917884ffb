/** Schema v6: owned by the evaluation feature. Empty until that feature needs a change. */
export const migration006 = ``;
