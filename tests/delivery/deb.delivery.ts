import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/main/core/store/migrations';
import {
  analyseTrace,
  EXPECTED_PROGRAMS,
  missingPrerequisite,
  preparePipelineInput,
  ROOT,
  runPipelineOffline,
} from './harness';

const bundle = inject('bundle');
const installed = spawnSync('dpkg-query', ['-W', '-f', '${Status}', 'distillery'], { encoding: 'utf8' });
const skip =
  'skip' in bundle
    ? bundle.skip
    : (missingPrerequisite(['dpkg', 'dpkg-deb', 'runuser', 'systemd-analyze', 'useradd']) ??
      (installed.status === 0 && installed.stdout.includes('installed')
        ? 'a distillery package is installed on this machine: the test would replace and purge it'
        : null));

const CURRENT = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let currentDeb: string | null = null;
const work = mkdtempSync(join(tmpdir(), 'distillery-deb-'));
const DATA = '/var/lib/distillery';
afterAll(() => {
  // Leave the machine as found: whatever a failed step left installed is purged.
  if (!skip) spawnSync('dpkg', ['--purge', 'distillery'], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

function sh(cmd: string, args: readonly string[]): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(r.status, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

function buildDeb(version: string): string {
  if ('skip' in bundle) throw new Error(bundle.skip);
  const r = sh(process.execPath, [
    join(ROOT, 'scripts', 'package-deb.mjs'),
    '--bundle',
    bundle.file,
    '--version',
    version,
  ]);
  return join(ROOT, (JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { file: string }).file);
}

/** The CLI as the service user, on the service's data folder. */
function asService(...args: string[]): unknown {
  const r = sh('runuser', [
    '-u',
    'distillery',
    '--',
    '/usr/bin/distillery',
    ...args,
    '--data-dir',
    DATA,
    '--json',
  ]);
  return JSON.parse(r.stdout);
}

function version(): string {
  return sh('dpkg-query', ['-W', '-f', '${Version}', 'distillery']).stdout;
}

describe.skipIf(skip !== null)(
  `the Debian package, with the real dpkg${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('installs, upgrades over an older version keeping the data, runs its unit as the service user, removes, purges', async () => {
      const older = buildDeb('0.0.1');
      const current = buildDeb(CURRENT);
      currentDeb = current;

      // Install the older version: user, private data folder, command.
      sh('dpkg', ['-i', older]);
      expect(version()).toBe('0.0.1');
      expect(sh('getent', ['passwd', 'distillery']).stdout).toContain(`:${DATA}:/usr/sbin/nologin`);
      const dataStat = statSync(DATA);
      expect(dataStat.mode & 0o777).toBe(0o700);
      expect(dataStat.uid).toBe(Number(sh('id', ['-u', 'distillery']).stdout.trim()));
      expect(lstatSync('/usr/bin/distillery').isSymbolicLink()).toBe(true);
      expect(readlinkSync('/usr/bin/distillery')).toBe('/opt/distillery/bin/distillery');

      // Data made by the older version, as the service user.
      const project = asService('projects', 'create', 'Kept across upgrades') as { id: number };

      // Upgrade: the data stays, and the new version opens (and migrates) it.
      sh('dpkg', ['-i', current]);
      expect(version()).toBe(CURRENT);
      const list = asService('projects', 'list') as Array<{ id: number; name: string }>;
      expect(list).toContainEqual(expect.objectContaining({ id: project.id, name: 'Kept across upgrades' }));
      const db = new Database(join(DATA, 'distillery.db'), { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      db.close();

      // The unit: systemd-analyze verify, then its ExecStart line as its user, and the first page.
      const unit = '/lib/systemd/system/distillery.service';
      const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stderr.split('\n').filter((l) => l.includes('distillery.service'))).toEqual([]);
      const text = readFileSync(unit, 'utf8');
      expect(text).toMatch(/^User=distillery$/m);
      for (const hardening of [
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
        `ReadWritePaths=${DATA}`,
        'PrivateTmp=yes',
      ]) {
        expect(text).toContain(hardening);
      }
      const execStart = /^ExecStart=(.+)$/m.exec(text)?.[1].split(/\s+/) ?? [];
      expect(execStart.slice(0, 3)).toEqual(['/opt/distillery/bin/distillery-server', '--data-dir', DATA]);
      const server = spawn('runuser', ['-u', 'distillery', '--', ...execStart], {
        cwd: DATA,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const openUrl = await new Promise<string>((resolve, reject) => {
          let out = '';
          server.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
            if (m) resolve(m[1]);
          });
          server.on('exit', (code) =>
            reject(new Error(`the service's ExecStart exited with ${code}: ${out}`)),
          );
        });
        const url = new URL(openUrl);
        const page = await fetch(new URL('/', url));
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<div id="root">');
        const token = new URLSearchParams(url.hash.slice(1)).get('token');
        const api = await fetch(new URL('/api/invoke/projects.list', url), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        const body = (await api.json()) as { ok: boolean; value: Array<{ name: string }> };
        expect(body.value.map((p) => p.name)).toContain('Kept across upgrades');
      } finally {
        server.kill('SIGTERM');
        await new Promise((resolve) =>
          server.exitCode === null ? server.on('exit', resolve) : resolve(null),
        );
      }

      // Removal keeps the data and the user; purge removes both.
      sh('dpkg', ['--remove', 'distillery']);
      expect(existsSync('/opt/distillery')).toBe(false);
      expect(existsSync('/usr/bin/distillery')).toBe(false);
      expect(existsSync(join(DATA, 'distillery.db'))).toBe(true);
      sh('dpkg', ['--purge', 'distillery']);
      expect(existsSync(DATA)).toBe(false);
      expect(spawnSync('getent', ['passwd', 'distillery']).status).not.toBe(0);
    });

    it('runs every step from the installed package inside unshare -n: no socket but loopback, no write outside', () => {
      if ('skip' in bundle) return;
      sh('dpkg', ['-i', currentDeb ?? buildDeb(CURRENT)]);
      const dir = mkdtempSync(join(work, 'pipeline-'));
      const input = preparePipelineInput(join(dir, 'input'));
      const node = '/opt/distillery/node/bin/node';
      const r = runPipelineOffline({
        node,
        cli: '/usr/bin/distillery',
        server: '/opt/distillery/bin/distillery-server',
        work: dir,
        dataDir: join(dir, 'data'),
        input,
      });
      const failed = r.steps.filter((s) => !s.ok);
      console.log(
        `[delivery] .deb pipeline: ${r.steps.length - failed.length} passed, ${failed.length} failed` +
          (failed.length ? `: ${failed.map((s) => `${s.name}: ${s.problem}`).join('; ')}` : ''),
      );
      expect(failed).toEqual([]);
      const trace = analyseTrace(r.traceDir, [dir]);
      console.log(
        `[delivery] .deb trace: ${trace.processes} processes/threads, socket calls ${JSON.stringify(trace.socketCalls)}, ` +
          `${trace.writes} writes, ${trace.badSockets.length} non-loopback sockets, ${trace.badWrites.length} writes outside ` +
          `the temporary folder; executed: ${trace.executed.join(', ')}`,
      );
      expect(trace.badSockets).toEqual([]);
      expect(trace.badWrites).toEqual([]);
      expect(trace.chdirs).toEqual([]);
      expect(trace.executed.filter((p) => basename(p) === 'node')).toEqual([node]);
      expect(trace.executed.filter((p) => !EXPECTED_PROGRAMS.has(basename(p)))).toEqual([]);
      sh('dpkg', ['--purge', 'distillery']);
    });
  },
);
