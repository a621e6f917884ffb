/**
 * Masking rules per project. A built-in rule has a row only once someone switches it on or off (a project without
 * rows keeps the defaults masking always had); a rule the user adds ('names': `body` is the list, one name a line;
 * 'regex': `body` is the expression) always has one. `position` orders the user's rules after the built-ins.
 */
export const migration014Masking = `
CREATE TABLE mask_rules (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL COLLATE NOCASE,
  kind TEXT NOT NULL CHECK (kind IN ('builtin', 'names', 'regex')),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  body TEXT NOT NULL DEFAULT '',
  case_insensitive INTEGER NOT NULL DEFAULT 0 CHECK (case_insensitive IN (0, 1)),
  replacement TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, name)
) STRICT;
`;
