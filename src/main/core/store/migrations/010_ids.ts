import type Database from 'better-sqlite3';

/** Tables whose ids name folders or files, or that a person reads ids of: an id is never given twice. */
const NEVER_REUSED = ['projects', 'jobs', 'student_runs', 'teacher_runs', 'teacher_models', 'datasets'];

/**
 * Schema v10: ids are never reused. With a plain INTEGER PRIMARY KEY, SQLite gives the next row max(id) + 1, so after
 * deleting the newest project a new one got its id, and a new run wrote into the deleted run's folder.
 * AUTOINCREMENT remembers the highest id ever given (sqlite_sequence). A table cannot be altered into it: each one
 * is rebuilt from its own current definition (whatever columns other migrations added), rows, indexes and
 * triggers kept. Runs with foreign keys off (db.ts), as SQLite's procedure for table changes requires.
 */
export function migration010Ids(db: Database.Database): void {
  for (const table of NEVER_REUSED) {
    const def = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
      .pluck()
      .get(table) as string | undefined;
    if (!def || /AUTOINCREMENT/i.test(def)) continue;
    const rebuilt = def.replace(/\bid\s+INTEGER\s+PRIMARY\s+KEY\b/i, 'id INTEGER PRIMARY KEY AUTOINCREMENT');
    if (rebuilt === def) throw new Error(`Cannot find the id column of ${table}.`);
    const extras = db
      .prepare(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
      )
      .pluck()
      .all(table) as string[];
    const tmp = `${table}_v10`;
    db.exec(rebuilt.replace(/^CREATE TABLE\s+("?)\w+\1/i, `CREATE TABLE ${tmp}`));
    db.exec(`INSERT INTO ${tmp} SELECT * FROM ${table}`);
    db.exec(`DROP TABLE ${table}`);
    db.exec(`ALTER TABLE ${tmp} RENAME TO ${table}`);
    for (const sql of extras) db.exec(sql);
  }
}
