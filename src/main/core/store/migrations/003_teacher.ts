/** Schema v3: owned by the teacher feature. Empty until that feature needs a change. */
export const migration003 = ``;
