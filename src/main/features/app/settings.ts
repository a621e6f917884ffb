import type { Settings } from '../../../shared/app';
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
  const stored: Record<string, unknown> = {};
  for (const r of rows) stored[r.key] = JSON.parse(r.value);
  return { ...DEFAULT_SETTINGS, ...stored } as Settings;
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
