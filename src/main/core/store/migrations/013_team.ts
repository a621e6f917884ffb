/**
 * Team mode (`distillery serve --team`): accounts, their sessions, and who labels which document.
 * - team_users: one account per person; the username is what annotations and the audit log name. Passwords are
 *   scrypt hashes (`scrypt$N$r$p$salt$hash`), never the password.
 * - team_sessions: a logged-in browser. Only the SHA-256 of the cookie's value is stored (a copy of the database
 *   gives no session); the CSRF token is per session. Logging out or disabling the user deletes the rows.
 * - team_assignments: documents given to an annotator (two rows for a document in the overlap).
 * - team_leases: the one document each person has open per project, so that two people are never shown the same
 *   unassigned document at the same time. A lease ends when it expires or the person moves on.
 * - team_adjudications: a lead's decision on a conflict; the conflict is closed while it is the newest label.
 */
export const migration013Team = `
CREATE TABLE team_users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'lead', 'annotator')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_login_at TEXT
) STRICT;

CREATE TABLE team_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES team_users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX team_sessions_user ON team_sessions (user_id);

CREATE TABLE team_assignments (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
  username TEXT NOT NULL COLLATE NOCASE,
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (example_id, username)
) STRICT;
CREATE INDEX team_assignments_user ON team_assignments (project_id, username, example_id);

CREATE TABLE team_leases (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  username TEXT NOT NULL COLLATE NOCASE,
  example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, username)
) STRICT;
CREATE INDEX team_leases_example ON team_leases (example_id, expires_at);

CREATE TABLE team_adjudications (
  example_id INTEGER PRIMARY KEY REFERENCES examples(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  annotation_id INTEGER NOT NULL,
  label_id INTEGER NOT NULL,
  adjudicator TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
`;
