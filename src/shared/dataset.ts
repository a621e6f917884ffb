import { z } from 'zod';
import { channel } from './channel';
import { pickedFile } from './files';
import { JobAnswer } from './jobAnswer';
import { curationContract, LeakageReport } from './datasetCuration';
import { maskingContract } from './masking';
import { FOLDER_DOCUMENT_EXTENSIONS } from './folderDocuments';

export * from './datasetCuration';

export const IMPORT_FORMATS = ['csv', 'json', 'jsonl', 'xlsx', 'folder'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export { FOLDER_DOCUMENT_EXTENSIONS, FOLDER_DOCUMENT_MAX_BYTES } from './folderDocuments';

/** True when a file of a folder is one a folder import reads (by its name: "notes.TXT" yes, ".x.txt" no). */
export function isFolderDocument(name: string): boolean {
  const lower = name.toLowerCase();
  return !name.startsWith('.') && FOLDER_DOCUMENT_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Encodings a person can pick; detection proposes one of them. */
export const ENCODINGS = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'gb18030',
  'gbk',
  'big5',
  'latin1',
  'windows-1252',
  'shift_jis',
] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** The name an import's messages give the encoding a UTF-8 file's other lines were read in (absent: Windows-1252). */
export function recodedName(encoding: Encoding | undefined): string {
  switch (encoding ?? 'windows-1252') {
    case 'windows-1252':
      return 'Windows-1252 (latin-1)';
    case 'gb18030':
      return 'GB18030';
    case 'big5':
      return 'Big5';
    case 'shift_jis':
      return 'Shift_JIS';
    default:
      return encoding ?? '';
  }
}

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

const projectId = z.number().int().positive();

/**
 * How a multi-label file gives each document's labels: `list` one cell of names joined by `delimiter`, `json` one
 * cell holding a JSON array of names, `auto` either (JSON when the cell starts with "["), `columns` one 0/1 column
 * per label (the column's name is the label's). A blank cell, [] or all zeros is "none of these".
 */
export const MULTI_LABEL_FORMATS = ['auto', 'list', 'json', 'columns'] as const;
export type MultiLabelFormat = (typeof MULTI_LABEL_FORMATS)[number];

export const MultiLabelOptions = z.object({
  format: z.enum(MULTI_LABEL_FORMATS).default('auto'),
  delimiter: z.string().min(1).max(10).default('|'),
  /** For `columns`: the 0/1 columns, one per label. */
  columns: z.array(z.string().min(1)).max(500).optional(),
});
export type MultiLabelOptionsInput = z.input<typeof MultiLabelOptions>;

const ParseOptions = z.object({
  path: pickedFile(z.string().min(1, 'Choose a file or folder to import.')),
  format: z.enum(IMPORT_FORMATS).optional(),
  encoding: z.enum(ENCODINGS).optional(),
  /** A single character; "\t" for tab. */
  delimiter: z.string().min(1).max(1).optional(),
  hasHeader: z.boolean().optional(),
});
const PreviewOptions = ParseOptions.extend({
  /** With `multiLabel`: the previewed rows' label sets are read as the import would read them. */
  labelColumn: z.string().nullable().optional(),
  multiLabel: MultiLabelOptions.optional(),
});
export type PreviewOptionsInput = z.input<typeof PreviewOptions>;
export type ParseOptionsInput = z.input<typeof ParseOptions>;

export const BadRow = z.object({ file: z.string(), line: z.number(), message: z.string() }).readonly();
export type BadRow = z.output<typeof BadRow>;

const strings = z.array(z.string()).readonly();

/** SourceReading's fields (also the import job's params, src/shared/jobParams.ts). */
export const sourceReading = {
  path: z.string(),
  name: z.string(),
  size: z.number(),
  format: z.enum(IMPORT_FORMATS),
  encoding: z.enum(ENCODINGS),
  /** What detection found (the chosen encoding may be an override). */
  detectedEncoding: z.enum(ENCODINGS),
  /**
   * A UTF-8 file's lines that are not UTF-8 are read in this encoding: GB18030, Big5 or Shift_JIS when detection found
   * one in them (two exports put together), Windows-1252 otherwise (absent: Windows-1252).
   */
  recodeFrom: z.enum(ENCODINGS).optional(),
  /** True when the file starts with a byte-order mark. */
  bom: z.boolean(),
  delimiter: z.string().nullable(),
  hasHeader: z.boolean(),
  /** True when hasHeader was not given but worked out from the rows (the first row looks like data, or not). */
  headerDetected: z.boolean().optional(),
};
/** How a source file is read: what the preview shows and what the import job keeps to read it again the same way. */
export const SourceReading = z.object(sourceReading).readonly();
export type SourceReading = z.output<typeof SourceReading>;

export const ImportPreview = z
  .object({
    ...sourceReading,
    /** True for a tab-separated file whose fields are quoted the way Python/pandas writes them (doubled quotes). */
    quoted: z.boolean().optional(),
    columns: strings,
    rows: z.array(strings).readonly(),
    suggested: z
      .object({
        text: z.string().nullable(),
        label: z.string().nullable(),
        id: z.string().nullable(),
        split: z.string().nullable(),
      })
      .readonly(),
    /** Malformed rows among the previewed ones. */
    badRows: z.array(BadRow).readonly(),
    /** Columns whose previewed values are all 0/1: the likely one-column-per-label layout of a multi-label file. */
    binaryColumns: strings,
    /**
     * With `multiLabel` in the request: each previewed row's label set as the import reads it ([] is "none of
     * these"), or the reason it cannot be read.
     */
    labelSets: z
      .array(z.union([z.object({ names: strings }).readonly(), z.object({ error: z.string() }).readonly()]))
      .readonly()
      .optional(),
  })
  .readonly();
export type ImportPreview = z.output<typeof ImportPreview>;

export const ImportRequest = ParseOptions.extend({
  projectId,
  textColumn: z.string().min(1, 'Choose the column that holds the text.'),
  labelColumn: z.string().nullable().optional(),
  /** Multi-label projects only: how the labels are written (default: `auto` on labelColumn, "|" between names). */
  multiLabel: MultiLabelOptions.optional(),
  idColumn: z.string().nullable().optional(),
  /** A column whose values put each row in a split: train, validation (val, valid, dev) or test, any case. */
  splitColumn: z.string().nullable().optional(),
  /**
   * What to do with rows whose id (idColumn) is already in the project: leave them (skip), replace their text and
   * fields (update), or add them as new examples (add). Required once the project has examples with ids.
   */
  onExisting: z.enum(['skip', 'update', 'add']).optional(),
  /** Keep the other columns as metadata. */
  keepExtras: z.boolean().optional(),
  onBadRow: z.enum(['skip', 'abort']).default('abort'),
  name: z.string().max(200).optional(),
});
export type ImportRequestInput = z.input<typeof ImportRequest>;

/** The result of a `dataset.import` job. */
export const ImportResult = z
  .object({
    datasetId: z.number(),
    imported: z.number(),
    skipped: z.number(),
    labelsCreated: z.array(z.string()).readonly(),
    /** The first malformed rows (at most 200). */
    badRows: z.array(BadRow).readonly(),
    /** Rows whose id was already in the project, and what was done with them. */
    existing: z
      .object({ matched: z.number(), action: z.enum(['skip', 'update', 'add']) })
      .readonly()
      .optional(),
    /** Rows put in each split by the split column. */
    splits: z.object({ train: z.number(), validation: z.number(), test: z.number() }).readonly().optional(),
    /**
     * Lines of a UTF-8 file that were not valid UTF-8 and were read in `encoding` instead (Windows-1252 when absent):
     * the count and the first line numbers (physical lines), for the person to check.
     */
    recoded: z
      .object({
        count: z.number(),
        lines: z.array(z.number()).readonly(),
        encoding: z.enum(ENCODINGS).optional(),
      })
      .readonly()
      .optional(),
    /**
     * Where the time went: reading the file and writing its rows (into the project, or into the staging file of a
     * re-import of ids), then the final transaction (for a re-import, moving the staged rows into the project).
     */
    timings: z
      .object({
        readMs: z.number(),
        /** Of readMs, the time spent in the batches' write transactions (an import written straight in). */
        writeMs: z.number().optional(),
        commitMs: z.number(),
      })
      .readonly()
      .optional(),
    /** The background job that adds the rows to the search index (searches scan the texts until it ends). */
    searchIndexJobId: z.number().optional(),
  })
  .readonly();
export type ImportResult = z.output<typeof ImportResult>;

/** The result of a `dataset.searchIndex` job: how many rows it added to the search index. */
export const SearchIndexResult = z.object({ indexed: z.number() }).readonly();
export type SearchIndexResult = z.output<typeof SearchIndexResult>;

const projectLabel = {
  id: z.number(),
  name: z.string(),
  description: z.string(),
  color: z.string().nullable(),
  hotkey: z.string().nullable(),
  position: z.number(),
};
/** A project's label as stored (its row of `labels`). */
export const ProjectLabel = z.object(projectLabel).readonly();
export type ProjectLabel = z.output<typeof ProjectLabel>;

export const LabelInfo = z
  .object({
    ...projectLabel,
    /** Examples whose human label is this one. */
    count: z.number(),
  })
  .readonly();
export type LabelInfo = z.output<typeof LabelInfo>;
const LabelInfos = z.array(LabelInfo).readonly();

/**
 * Keys the Review step keeps for itself: a label cannot take one, or it would silently replace the built-in
 * (S skips, Z undoes, / filters, 1–9 choose a label by its position).
 */
export const REVIEW_RESERVED_KEYS: Readonly<Record<string, 'skip' | 'undo' | 'filter' | 'number'>> = {
  s: 'skip',
  z: 'undo',
  '/': 'filter',
  ...Object.fromEntries(['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => [d, 'number' as const])),
};

/** Why a label's key cannot be used, in words a person reads; null when it can. */
export function reservedKeyReason(key: string): string | null {
  const use = REVIEW_RESERVED_KEYS[key.toLowerCase()];
  if (!use) return null;
  const what = {
    skip: 'skips to the next document',
    undo: 'undoes the last label',
    filter: 'filters the label list',
    number: 'chooses a label by its number',
  }[use];
  return `The key "${key}" is taken: in Review it ${what}. Choose another key for this label.`;
}

const LabelInput = z.object({
  id: z.number().int().positive().optional(),
  name: z.string().trim().min(1, 'A label needs a name.').max(100),
  description: z.string().max(500).default(''),
  color: z.string().max(30).nullable().optional(),
  hotkey: z.string().max(1).nullable().optional(),
});

/** The descriptions are the CLI's help (`distillery data split --help`, derived by cli/schemaOptions.ts). */
export const SplitRequest = z.object({
  projectId,
  train: z.number().min(0).max(1).default(0.8).describe('Share of the examples for training'),
  validation: z.number().min(0).max(1).default(0.1).describe('Share for validation (early stopping)'),
  test: z.number().min(0).max(1).default(0.1).describe('Share for the test split (the gold set)'),
  seed: z.number().int().default(42).describe('Seed of the shuffle: the same seed gives the same split'),
  stratify: z.boolean().default(true).describe('Keep each label in the same proportion in every split'),
});
export type SplitRequestInput = z.input<typeof SplitRequest>;

export const SplitCounts = z
  .object({ train: z.number(), validation: z.number(), test: z.number(), none: z.number() })
  .readonly();
export type SplitCounts = z.output<typeof SplitCounts>;

export const DatasetSource = z
  .object({
    id: z.number(),
    name: z.string(),
    format: z.string(),
    encoding: z.string().nullable(),
    rowCount: z.number(),
    skippedCount: z.number(),
    createdAt: z.string(),
  })
  .readonly();
export type DatasetSource = z.output<typeof DatasetSource>;

export const DatasetStats = z
  .object({
    projectId: z.number(),
    total: z.number(),
    included: z.number(),
    excluded: z.number(),
    excludedByReason: z.record(z.string(), z.number()).readonly(),
    splits: SplitCounts,
    testLocked: z.boolean(),
    labelled: z.number(),
    /** Per label (and `null` for unlabelled): counts by split, excluded examples left out. */
    perLabel: z
      .array(
        z
          .object({ labelId: z.number().nullable(), name: z.string().nullable(), counts: SplitCounts })
          .readonly(),
      )
      .readonly(),
    lengthHistogram: z.array(z.object({ bin: z.string(), count: z.number() }).readonly()).readonly(),
    /** Groups of exactly equal included texts; null unless the request asked (`duplicates`): it reads every hash. */
    duplicateGroups: z.number().nullable(),
    sources: z.array(DatasetSource).readonly(),
  })
  .readonly();
export type DatasetStats = z.output<typeof DatasetStats>;

export const BrowseFilters = z.object({
  split: z.enum([...SPLITS, 'none']).optional(),
  /**
   * A label id, or 0 for unlabelled (no human answer). In a multi-label project: documents whose human label set
   * holds this label.
   */
  labelId: z.number().int().min(0).optional(),
  /** Multi-label projects: documents whose human label set holds none of these labels (a set without them, [] too). */
  withoutLabelIds: z.array(z.number().int().positive()).max(500).optional(),
  /** Multi-label projects: documents a person answered "none of these" (the empty set). */
  noneOfThese: z.boolean().optional(),
  datasetId: z.number().int().positive().optional(),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().min(0).optional(),
  search: z.string().max(500).optional(),
  excluded: z.enum(['hide', 'only', 'all']).default('hide'),
});
export type BrowseFiltersInput = z.input<typeof BrowseFilters>;

/** A teacher run's soft label of one example. */
export const BrowseTeacher = z
  .object({
    /** The teacher's top label (as named in the run's label snapshot). */
    labelId: z.number(),
    label: z.string(),
    /** Its probability, 0..1. */
    prob: z.number(),
    /** Entropy of the distribution, in nats. */
    entropy: z.number(),
    /** The full distribution, in the order of `BrowsePage.teacherRun.labels`. */
    probs: z.array(z.number()).readonly(),
  })
  .readonly();
export type BrowseTeacher = z.output<typeof BrowseTeacher>;

export const BrowseRow = z
  .object({
    id: z.number(),
    text: z.string(),
    length: z.number(),
    split: z.enum(SPLITS).nullable(),
    labelId: z.number().nullable(),
    label: z.string().nullable(),
    /** Multi-label projects: the human label set's names ([] is "none of these"; null: no answer yet). */
    labelSet: z.array(z.string()).readonly().nullable(),
    datasetId: z.number().nullable(),
    source: z.string().nullable(),
    sourceRow: z.number().nullable(),
    excluded: z.boolean(),
    excludeReason: z.string().nullable(),
    /** The latest teacher run's soft label for this example; null when that run has no output for it. */
    teacher: BrowseTeacher.nullable(),
  })
  .readonly();
export type BrowseRow = z.output<typeof BrowseRow>;

export const BrowsePage = z
  .object({
    rows: z.array(BrowseRow).readonly(),
    /** The project's latest teacher run, whose outputs the rows carry; null when the teacher has not run. */
    teacherRun: z
      .object({
        runId: z.number(),
        labels: z.array(z.object({ id: z.number(), name: z.string() }).readonly()).readonly(),
      })
      .readonly()
      .nullable(),
    /** Pass as `after` to get the next page; null at the end. */
    nextAfter: z.number().nullable(),
    /** True when the search scanned the texts because the search index is still being built after an import. */
    searchIndexBuilding: z.boolean().optional(),
  })
  .readonly();
export type BrowsePage = z.output<typeof BrowsePage>;

export const ExportResult = z.object({ path: z.string(), fileName: z.string(), rows: z.number() }).readonly();
export type ExportResult = z.output<typeof ExportResult>;

export const datasetContract = {
  /** Detects format, encoding and delimiter; returns the columns and the first rows. */
  'dataset.preview': channel(ImportPreview)(PreviewOptions),
  /** Starts a streamed, staged import job: the project changes only when the whole file is in. */
  'dataset.import': channel(JobAnswer)(ImportRequest),
  'dataset.stats': channel(DatasetStats)(
    z.object({
      projectId,
      /** Also count the groups of exact duplicates (a pass over every document's hash: seconds at a million). */
      duplicates: z.boolean().default(false),
    }),
  ),
  'dataset.browse': channel(BrowsePage)(
    z.object({
      projectId,
      after: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000).default(100),
      filters: BrowseFilters.default({ excluded: 'hide' }),
    }),
  ),
  /** Counts the rows matching the filters (separate from paging: at a million rows it takes a moment). */
  'dataset.count': channel(z.object({ count: z.number() }).readonly())(
    z.object({ projectId, filters: BrowseFilters.default({ excluded: 'hide' }) }),
  ),
  'dataset.labels': channel(LabelInfos)(z.object({ projectId })),
  /** Creates, updates and reorders labels (the given order); labels not listed are kept. */
  'dataset.saveLabels': channel(LabelInfos)(z.object({ projectId, labels: z.array(LabelInput).max(500) })),
  /** Deletes a label nobody has used yet. */
  'dataset.deleteLabel': channel(LabelInfos)(z.object({ projectId, labelId: z.number().int().positive() })),
  ...maskingContract,
  ...curationContract,
  'dataset.split': channel(DatasetStats)(SplitRequest),
  /**
   * Test documents that also appear in the training or validation data (exactly, or nearly by MinHash): each one
   * inflates the test score, because the model is graded on what it learned from.
   */
  'dataset.leakage': channel(LeakageReport)(
    z.object({ projectId, nearThreshold: z.number().min(0.5).max(1).default(0.85) }),
  ),
  /** Locks (or, with confirm, unlocks) the test split. */
  'dataset.lockTest': channel(DatasetStats)(
    z.object({ projectId, locked: z.boolean(), confirm: z.boolean().optional() }),
  ),
  'dataset.export': channel(ExportResult)(
    z.object({
      projectId,
      format: z.enum(['csv', 'jsonl']).default('csv'),
      includeExcluded: z.boolean().default(false),
    }),
  ),
} as const;
