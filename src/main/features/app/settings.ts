import { Settings } from '../../../shared/app';
import type { Db } from '../../core/store/db';

export const DEFAULT_SETTINGS: Settings = {
  language: 'en',
  theme: 'auto',
  annotator: 'me',
  lastProjectId: null,
  lastStep: null,
};

export function getSettings(db: Db): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>;
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  // Only the person's settings: the table also holds the core's own keys (the data folder, the demo's seeding), and
  // a value of another shape falls back to its default rather than reaching a client as a wrong type.
  const fields = Settings.unwrap().shape;
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(fields) as Array<keyof typeof fields>) {
    const text = stored.get(key);
    if (text === undefined) continue;
    const value = fields[key].safeParse(JSON.parse(text));
    if (value.success) out[key] = value.data;
  }
  return Settings.parse(out);
}

export function updateSettings(db: Db, patch: Partial<Settings>): Settings {
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const [k, v] of Object.entries(patch)) {
      if (v !== undefined) put.run(k, JSON.stringify(v));
    }
  })();
  return getSettings(db);
}
