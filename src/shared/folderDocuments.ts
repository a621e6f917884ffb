// Without zod (unlike shared/dataset.ts, which re-exports these): the import's reader thread loads them.

/** The files a folder import reads (one document each; hidden files and other types are left out). */
export const FOLDER_DOCUMENT_EXTENSIONS = ['.txt', '.md', '.markdown'] as const;
/** A folder's document larger than this is reported as a bad row, not read. */
export const FOLDER_DOCUMENT_MAX_BYTES = 16 * 1024 * 1024;
