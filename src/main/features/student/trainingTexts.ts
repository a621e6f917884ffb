/**
 * A run's texts, read by the training worker when the run first starts: the server's thread chose the documents and
 * their targets (`selection.json`, trainingSet.ts), and reading a million texts there would hold every request behind
 * it for seconds. The worker reads them through its own read-only connection, in one read transaction (one snapshot
 * of the database), and freezes the result in `data.json`, which a resumed run reads instead.
 */
import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AppError } from '../../core/errors';
import { BUSY_TIMEOUT_MS } from '../../core/store/db';
import { writeFileAtomic } from './modelFile';
import { readRunFile, readTrainData, SelectionFile } from './train.protocol';
import type { TrainData, Unread } from './training/data';

/** Where a run's data is and where its texts come from (part of the worker's TrainRequest). */
export interface RunDataSource {
  /** The frozen data (texts included); read as it is when it exists. */
  readonly dataPath: string;
  /** The chosen documents by id, written at run creation; replaced by `dataPath` once the texts are read. */
  readonly selectionPath: string;
  /** The data folder's database, opened read-only. */
  readonly dbPath: string;
  readonly runId: number;
  readonly projectId: number;
}

/** The selection with each id replaced by its text; refuses a selection whose documents are no longer there. */
export function withTexts<D extends TrainData>(
  selection: Unread<D>,
  textOf: (exampleId: number) => string | undefined,
  runId: number,
): D {
  let missing = 0;
  const read = <T extends { readonly id: number }>({ id, ...rest }: T): Omit<T, 'id'> & { text: string } => {
    const text = textOf(id);
    if (text === undefined) missing++;
    return { ...rest, text: text ?? '' };
  };
  const data = { ...selection, train: selection.train.map(read), validation: selection.validation.map(read) };
  if (missing > 0)
    throw AppError.keyed('CONFLICT', 'student.documentsGoneBeforeStart', { count: missing, runId });
  // `read` turns each Unread item back into its TrainData item (Unread<D> is D with `text` replaced by `id`).
  return data as unknown as D;
}

/** The texts of `selection`'s documents, from a read-only connection of this thread's own. */
export function readTexts<D extends TrainData>(
  dbPath: string,
  projectId: number,
  selection: Unread<D>,
  runId: number,
): D {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const text = db.prepare('SELECT text FROM examples WHERE id = ? AND project_id = ?').pluck();
    return db.transaction(() =>
      withTexts(selection, (id) => text.get(id, projectId) as string | undefined, runId),
    )();
  } finally {
    db.close();
  }
}

/** The run's data: `data.json` when it was frozen before, else the selection's texts, read and frozen now. */
export function loadRunData(source: RunDataSource): TrainData {
  if (existsSync(source.dataPath)) return readTrainData(source.dataPath, source.runId);
  const selection: Unread<TrainData> = readRunFile(SelectionFile, source.selectionPath, source.runId);
  const data = readTexts(source.dbPath, source.projectId, selection, source.runId);
  writeFileAtomic(source.dataPath, JSON.stringify(data));
  rmSync(source.selectionPath, { force: true });
  return data;
}
