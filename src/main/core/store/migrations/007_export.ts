/** Schema v7: owned by the export feature. Empty until that feature needs a change. */
export const migration007 = ``;
