/**
 * Schema v1. Every table STRICT; JSON kept as TEXT; times as ISO-8601 TEXT in UTC.
 * Never edit a migration that has shipped: add the next number instead.
 */
export const migration001 = `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  task_description TEXT NOT NULL DEFAULT '',
  is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- The project's label set, in display order. Teacher and student runs keep a snapshot of it.
CREATE TABLE labels (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  color TEXT,
  hotkey TEXT,
  position INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (project_id, name)
) STRICT;

-- One row per import (source file or folder).
CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  source_path TEXT,
  format TEXT NOT NULL,
  encoding TEXT,
  options TEXT NOT NULL DEFAULT '{}',
  row_count INTEGER NOT NULL DEFAULT 0,
  skipped_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE examples (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  dataset_id INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
  source_row INTEGER,
  external_id TEXT,
  text TEXT NOT NULL,
  -- The text as imported, kept when cleaning changed it, so that cleaning is reversible.
  original_text TEXT,
  text_hash TEXT,
  length INTEGER NOT NULL,
  split TEXT CHECK (split IN ('train', 'validation', 'test')),
  excluded INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
  exclude_reason TEXT,
  imported_label TEXT,
  metadata TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX examples_project ON examples (project_id, id);
CREATE INDEX examples_project_split ON examples (project_id, split);
CREATE INDEX examples_hash ON examples (project_id, text_hash);

-- Append-only: a change of mind is a new row; retracted_at marks an undone one.
CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
  label_id INTEGER REFERENCES labels(id) ON DELETE CASCADE,
  annotator TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('import', 'human', 'teacher_accept', 'bulk', 'merge')),
  accepted_teacher INTEGER CHECK (accepted_teacher IN (0, 1)),
  time_spent_ms INTEGER,
  created_at TEXT NOT NULL,
  retracted_at TEXT
) STRICT;
CREATE INDEX annotations_example ON annotations (example_id, created_at);
CREATE INDEX annotations_project ON annotations (project_id, created_at);

-- The model library (shared by all projects).
CREATE TABLE teacher_models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  file_path TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  size_bytes INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE teacher_runs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  model_id INTEGER REFERENCES teacher_models(id) ON DELETE SET NULL,
  model_sha256 TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('direct', 'reasoning')),
  prompt_template TEXT NOT NULL,
  labels_snapshot TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  calibration_temperature REAL,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE teacher_outputs (
  run_id INTEGER NOT NULL REFERENCES teacher_runs(id) ON DELETE CASCADE,
  example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
  probs TEXT NOT NULL,
  logprobs TEXT NOT NULL,
  predicted_label_id INTEGER REFERENCES labels(id) ON DELETE SET NULL,
  entropy REAL NOT NULL,
  margin REAL NOT NULL,
  reasoning TEXT,
  tokens INTEGER NOT NULL DEFAULT 0,
  time_ms REAL NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, example_id)
) STRICT;
CREATE INDEX teacher_outputs_example ON teacher_outputs (example_id);

CREATE TABLE student_runs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  teacher_run_id INTEGER REFERENCES teacher_runs(id) ON DELETE SET NULL,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  architecture TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  labels_snapshot TEXT NOT NULL,
  data_snapshot TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'created',
  best_epoch INTEGER,
  best_metric REAL,
  model_path TEXT,
  model_bytes INTEGER,
  backend TEXT,
  threshold TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
) STRICT;

CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES student_runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  path TEXT NOT NULL,
  metric REAL,
  is_best INTEGER NOT NULL DEFAULT 0 CHECK (is_best IN (0, 1)),
  created_at TEXT NOT NULL,
  UNIQUE (run_id, epoch)
) STRICT;

-- Per-epoch curves and evaluation results of student and teacher runs.
CREATE TABLE metrics (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  student_run_id INTEGER REFERENCES student_runs(id) ON DELETE CASCADE,
  teacher_run_id INTEGER REFERENCES teacher_runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  epoch INTEGER,
  split TEXT,
  name TEXT NOT NULL,
  value REAL,
  payload TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX metrics_student ON metrics (student_run_id, kind);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'interrupted', 'completed', 'failed', 'cancelled')),
  params TEXT NOT NULL DEFAULT '{}',
  checkpoint TEXT,
  result TEXT,
  progress_done INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL DEFAULT 0,
  rate REAL,
  eta_seconds REAL,
  phase TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT
) STRICT;
CREATE INDEX jobs_state ON jobs (state);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER,
  details TEXT
) STRICT;
CREATE INDEX audit_project ON audit_log (project_id, at);
`;
