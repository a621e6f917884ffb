#!/usr/bin/env node
// `npm run package:deb`: dist/distillery_<version>_amd64.deb from the offline bundle (packaging/deb/ holds the
// control file, the maintainer scripts and the systemd unit). Installs the bundle under /opt/distillery, links
// /usr/bin/distillery, and ships distillery.service (browser mode as the distillery user, data in /var/lib/distillery).
//
// Options: --bundle FILE (an already built bundle tarball; default: build one), --version V (the package version;
// default package.json's; the tests build an older one to test upgrades), --skip-build (passed to the bundle build).
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DIST, ROOT, appVersion, buildBundle, run } from './package-bundle.mjs';

const DEB_DIR = join(ROOT, 'packaging', 'deb');

/** Builds the .deb; returns its path relative to the project. */
export function buildDeb({ bundle, version = appVersion(), skipBuild = false } = {}) {
  if (!/^[0-9][A-Za-z0-9.+~-]*$/.test(version)) throw new Error(`"${version}" is not a Debian version.`);
  const tarball = bundle ? resolve(bundle) : join(ROOT, buildBundle({ skipBuild }).file);
  const stage = join(DIST, `.deb-${version}`);
  rmSync(stage, { recursive: true, force: true });
  const opt = join(stage, 'opt', 'distillery');
  mkdirSync(opt, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', opt, '--strip-components=1', '--no-same-owner']);

  mkdirSync(join(stage, 'usr', 'bin'), { recursive: true });
  symlinkSync('/opt/distillery/bin/distillery', join(stage, 'usr', 'bin', 'distillery'));
  const units = join(stage, 'lib', 'systemd', 'system');
  mkdirSync(units, { recursive: true });
  cpSync(join(DEB_DIR, 'distillery.service'), join(units, 'distillery.service'));
  const docs = join(stage, 'usr', 'share', 'doc', 'distillery');
  mkdirSync(docs, { recursive: true });
  cpSync(join(ROOT, 'README.md'), join(opt, 'README.md'));
  cpSync(join(opt, 'node', 'LICENSE'), join(docs, 'copyright.nodejs'));

  const control = join(stage, 'DEBIAN');
  mkdirSync(control);
  const installedKb = Number(run('du', ['-sk', '--exclude=DEBIAN', stage]).split('\t')[0]);
  writeFileSync(
    join(control, 'control'),
    readFileSync(join(DEB_DIR, 'control.in'), 'utf8')
      .replace('@VERSION@', version)
      .replace('@INSTALLED_SIZE@', String(installedKb)),
  );
  for (const script of ['postinst', 'prerm', 'postrm']) {
    cpSync(join(DEB_DIR, script), join(control, script));
    chmodSync(join(control, script), 0o755);
  }

  const file = join(DIST, `distillery_${version}_amd64.deb`);
  // gzip rather than dpkg's default xz: several times faster to build, and every dpkg reads it.
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', stage, file]);
  rmSync(stage, { recursive: true, force: true });
  return relative(ROOT, file);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { values } = parseArgs({
      options: { bundle: { type: 'string' }, version: { type: 'string' }, 'skip-build': { type: 'boolean' } },
    });
    const file = buildDeb({
      bundle: values.bundle,
      version: values.version,
      skipBuild: values['skip-build'],
    });
    process.stdout.write(`${JSON.stringify({ file })}\n`);
  } catch (e) {
    process.stderr.write(`[package-deb] failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
