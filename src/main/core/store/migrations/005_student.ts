/** Schema v5: owned by the student feature. Empty until that feature needs a change. */
export const migration005 = ``;
