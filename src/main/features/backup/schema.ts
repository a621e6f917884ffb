import type { Db } from '../../core/store/db';

/**
 * What backup and restore need to know of the schema, read from SQLite itself so that tables added by any
 * feature's migration are carried without this code knowing them.
 */
export interface ForeignKey {
  readonly from: string;
  readonly table: string;
  /** The referenced column; null means the referenced table's primary key. */
  readonly to: string | null;
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
}

export interface TableInfo {
  readonly name: string;
  readonly columns: readonly ColumnInfo[];
  /** The INTEGER PRIMARY KEY column (an alias of rowid), if the table has one. */
  readonly intPk: string | null;
  readonly foreignKeys: readonly ForeignKey[];
  /** Single-column UNIQUE constraints besides the primary key: how a shared row is matched in another database. */
  readonly uniqueColumns: readonly string[];
}

export const BACKUP_TABLES = ['distillery_backup_manifest', 'distillery_backup_files'] as const;

export function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function readSchema(db: Db): Map<string, TableInfo> {
  // Ordinary tables only: virtual tables (full-text indexes) and their shadow tables are derived data.
  const names = (db.prepare('PRAGMA main.table_list').all() as Array<{ name: string; type: string }>)
    .filter((r) => r.type === 'table' && !r.name.startsWith('sqlite_'))
    .map((r) => r.name)
    .filter((n) => !(BACKUP_TABLES as readonly string[]).includes(n))
    .sort();
  const out = new Map<string, TableInfo>();
  for (const name of names) {
    const cols = db.prepare(`PRAGMA table_info(${quoteId(name)})`).all() as Array<{
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }>;
    const pkCols = cols.filter((c) => c.pk > 0);
    const intPk = pkCols.length === 1 && pkCols[0].type.toUpperCase() === 'INTEGER' ? pkCols[0].name : null;
    const fks = (
      db.prepare(`PRAGMA foreign_key_list(${quoteId(name)})`).all() as Array<{
        table: string;
        from: string;
        to: string | null;
      }>
    ).map((f) => ({ from: f.from, table: f.table, to: f.to }));
    const uniqueColumns: string[] = [];
    const indexes = db.prepare(`PRAGMA index_list(${quoteId(name)})`).all() as Array<{
      name: string;
      unique: number;
      origin: string;
    }>;
    for (const idx of indexes) {
      if (!idx.unique || idx.origin === 'pk') continue;
      const idxCols = db.prepare(`PRAGMA index_info(${quoteId(idx.name)})`).all() as Array<{ name: string }>;
      if (idxCols.length === 1) uniqueColumns.push(idxCols[0].name);
    }
    out.set(name, {
      name,
      columns: cols.map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1 || c.pk > 0 })),
      intPk,
      foreignKeys: fks,
      uniqueColumns,
    });
  }
  return out;
}

/** The column a foreign key points at: its explicit target, else the target table's primary key (or rowid). */
export function targetColumn(schema: Map<string, TableInfo>, fk: ForeignKey): string {
  return fk.to ?? schema.get(fk.table)?.intPk ?? 'rowid';
}

/**
 * The tables whose rows belong to a project: `projects` and every table that references one of them,
 * directly or through others (labels, examples, runs, outputs, checkpoints, jobs, audit log...).
 */
export function projectScopedTables(schema: Map<string, TableInfo>): Set<string> {
  const scoped = new Set<string>(['projects']);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of schema.values()) {
      if (scoped.has(t.name)) continue;
      if (t.foreignKeys.some((f) => scoped.has(f.table))) {
        scoped.add(t.name);
        grew = true;
      }
    }
  }
  return scoped;
}

/** Virtual tables (full-text indexes): rebuilt from the rows, never carried. */
export function virtualTables(db: Db): string[] {
  return (db.prepare('PRAGMA main.table_list').all() as Array<{ name: string; type: string }>)
    .filter((r) => r.type === 'virtual')
    .map((r) => r.name);
}
