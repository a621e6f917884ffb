import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { BackupResult } from '../../src/shared/backup';
import { testCore, tempDir } from '../helpers';
import { addRunArtifacts } from '../export/fixtures';

interface ForgedFile {
  path: string;
  size: number;
  sha256: string;
}

/** Everything in a folder, links not followed: name → kind and size (or link target). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const rel = relative(root, p);
      if (st.isSymbolicLink()) out[rel] = `link → ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = 'dir';
        walk(p);
      } else if (!/distillery\.db(-wal|-shm)?$/.test(name)) out[rel] = `file ${st.size}`;
    }
  };
  walk(root);
  return out;
}

/**
 * Copies a real backup and rewrites what an attacker controls: the stored files and the manifest. Checksums are
 * recomputed (an attacker can do that too) unless `lie` is set, so that each test reaches the check it is about.
 */
function forge(
  source: string,
  dir: string,
  name: string,
  edit: (files: ForgedFile[], db: Database.Database) => ForgedFile[],
  opts: { lie?: boolean } = {},
): string {
  const file = join(dir, `${name}.distillery-backup`);
  copyFileSync(source, file);
  const db = new Database(file);
  const manifest = JSON.parse(
    db.prepare('SELECT json FROM distillery_backup_manifest').pluck().get() as string,
  ) as { files: ForgedFile[] };
  const files = edit(manifest.files, db);
  if (!opts.lie) {
    for (const f of files) {
      const chunks = db
        .prepare('SELECT data FROM distillery_backup_files WHERE path = ? ORDER BY chunk')
        .pluck()
        .all(f.path) as Buffer[];
      if (!chunks.length) continue;
      const hash = createHash('sha256');
      for (const c of chunks) hash.update(c);
      f.sha256 = hash.digest('hex');
    }
  }
  db.prepare('UPDATE distillery_backup_manifest SET json = ?').run(JSON.stringify({ ...manifest, files }));
  db.close();
  return file;
}

/** Moves the stored file `from` to `to` (rows and manifest entry). */
function rename(from: string, to: string) {
  return (files: ForgedFile[], db: Database.Database): ForgedFile[] => {
    db.prepare('UPDATE distillery_backup_files SET path = ? WHERE path = ?').run(to, from);
    return files.map((f) => (f.path === from ? { ...f, path: to } : f));
  };
}

describe('restoring hostile backups', () => {
  let src: { core: Core; close: () => Promise<void> };
  let dst: { core: Core; dataDir: string; close: () => Promise<void> };
  let work: { dir: string; cleanup: () => void };
  let outside: string;
  let backup: string;
  let victim: string;
  beforeAll(async () => {
    src = await testCore({ seedDemo: true });
    const projectId = src.core.db
      .prepare('SELECT id FROM projects WHERE is_demo = 1')
      .pluck()
      .get() as number;
    addRunArtifacts(src.core, projectId);
    const job = await src.core.call('backup.create', { projectId });
    backup = ((await src.core.jobs.wait(job.id)).result as BackupResult).path;
    victim = (
      JSON.parse(
        new Database(backup, { readonly: true })
          .prepare('SELECT json FROM distillery_backup_manifest')
          .pluck()
          .get() as string,
      ) as { files: ForgedFile[] }
    ).files[0].path;
    dst = await testCore();
    work = tempDir('distillery-hostile-');
    outside = join(work.dir, 'outside');
    mkdirSync(outside);
  });
  afterAll(async () => {
    await src.close();
    await dst.close();
    work.cleanup();
  });

  const refusals: Record<string, string> = {};
  const expectRefused = async (name: string, file: string, message: RegExp): Promise<void> => {
    const before = snapshot(dst.dataDir);
    const outsideBefore = snapshot(work.dir);
    const rows = dst.core.db.prepare('SELECT COUNT(*) FROM examples').pluck().get();
    for (const channel of ['backup.inspect', 'backup.restore'] as const) {
      const r = await dst.core.invoke(channel, { path: file });
      expect(r.ok, `${name}: ${channel} must refuse`).toBe(false);
      if (!r.ok) {
        expect(r.error.code).not.toBe('INTERNAL');
        expect(r.error.message).toMatch(message);
        refusals[name] = r.error.message;
      }
    }
    expect(snapshot(dst.dataDir)).toEqual(before);
    expect(snapshot(work.dir)).toEqual(outsideBefore);
    expect(dst.core.db.prepare('SELECT COUNT(*) FROM examples').pluck().get()).toBe(rows);
    expect(dst.core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  };

  it('refuses a path with .. that climbs out of the data folder', async () => {
    const escape = `runs/../../${relative(dst.dataDir, outside)}/pwned.txt`;
    await expectRefused(
      'dotdot',
      forge(backup, work.dir, 'dotdot', rename(victim, escape)),
      /not a plain|outside/,
    );
    await expectRefused(
      'dotdot-inner',
      forge(backup, work.dir, 'dotdot-inner', rename(victim, 'runs/student-1/../../../pwned')),
      /not a plain|outside/,
    );
    expect(existsSync(join(outside, 'pwned.txt'))).toBe(false);
  });

  it('refuses absolute paths, unknown areas, backslashes and empty names', async () => {
    const cases: Record<string, string> = {
      absolute: join(outside, 'pwned.txt'),
      area: 'distillery.db/x',
      unknownArea: 'tmp/pwned',
      backslash: 'runs\\..\\..\\pwned',
      empty: 'runs//pwned',
      drive: 'runs/C:/pwned',
      nul: 'runs/a\u0000b',
      areaOnly: 'runs',
    };
    for (const [name, path] of Object.entries(cases)) {
      await expectRefused(name, forge(backup, work.dir, name, rename(victim, path)), /manifest/);
    }
  });

  it('refuses a file listed twice, and a name that is both a file and a folder', async () => {
    const dup = forge(backup, work.dir, 'duplicate', (files) => [...files, files[0]]);
    await expectRefused('duplicate', dup, /twice/);
    const overlap = forge(backup, work.dir, 'overlap', (files, db) => {
      const folder = files.find((f) => f.path.split('/').length > 3)!;
      const asFile = folder.path.split('/').slice(0, 3).join('/');
      db.prepare('INSERT INTO distillery_backup_files (path, chunk, data) VALUES (?, 0, ?)').run(
        asFile,
        Buffer.from('x'),
      );
      return [...files, { path: asFile, size: 1, sha256: '' }];
    });
    await expectRefused('overlap', overlap, /both as a file and as a folder/);
  });

  it('refuses a huge declared size before reading or allocating anything', async () => {
    const huge = forge(backup, work.dir, 'huge', (files) =>
      files.map((f, i) => (i === 0 ? { ...f, size: 2 ** 52 } : f)),
    );
    await expectRefused('huge', huge, /declares 4503599627370496 bytes/);
    const absurd = forge(backup, work.dir, 'absurd', (files) =>
      files.map((f, i) => (i === 0 ? { ...f, size: 1e300 } : f)),
    );
    await expectRefused('absurd', absurd, /manifest/);
  });

  it('refuses a manifest whose checksums lie', async () => {
    const lying = forge(
      backup,
      work.dir,
      'lying',
      (files) => files.map((f, i) => (i === 0 ? { ...f, sha256: 'a'.repeat(64) } : f)),
      { lie: true },
    );
    await expectRefused('lying', lying, /checksum/);
  });

  it('never writes through a symbolic link planted in the data folder', async () => {
    // runs/<name> as a dangling link to a folder outside: existsSync says "free", a naive restore writes there.
    const runName = victim.split('/')[1];
    const link = join(dst.core.paths.runs, runName);
    symlinkSync(join(outside, 'planted'), link);
    const r = await dst.core.call('backup.restore', { path: backup });
    expect(readdirSync(outside)).toEqual([]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dst.core.paths.runs)).toContain(`${runName}-restored-1`);
    expect(r.files).toBeGreaterThan(0);
    expect(readdirSync(dst.core.paths.tmp)).toEqual([]);
    expect(dst.core.db.pragma('integrity_check', { simple: true })).toBe('ok');
    console.log(`[hostile-backup] ${Object.keys(refusals).length} hostile backups refused:`);
    for (const [name, message] of Object.entries(refusals)) console.log(`  ${name}: ${message}`);
  });
});
