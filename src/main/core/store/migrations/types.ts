import type Database from 'better-sqlite3';

/** SQL, or a function for a change that must read the schema it finds. */
export type Migration = string | ((db: Database.Database) => void);
