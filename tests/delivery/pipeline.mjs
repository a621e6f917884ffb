// The whole Distillery pipeline through an installed copy's own launchers, as an IT officer's smoke test would run
// it. Runs under the *installed* Node.js (the bundle's node/bin/node), inside a network namespace with only
// loopback, so it must be plain JavaScript with no dependency.
//
//   node pipeline.mjs <work dir> [first-page]   (reads <work dir>/pipeline.json: { cli, server, dataDir, csv, gguf })
//
// With `first-page`, only the server is started on a fresh data folder and the time from its start to its first
// page is recorded (the cold start of a just-unpacked copy).
//
// Each step is one CLI command with --json and --data-dir; then the browser-mode server is started and its first
// page and one API call are fetched on 127.0.0.1. Writes <work dir>/pipeline-result.json: every step's name, exit
// status, a short reason when it failed, and what later steps need. Exits 0 even when a step fails: the test reads
// the result and says which step it was.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const work = process.argv[2];
const cfg = JSON.parse(readFileSync(join(work, 'pipeline.json'), 'utf8'));
const steps = [];

function cli(name, args, check = () => null) {
  const r = spawnSync(cfg.cli, [...args, '--data-dir', cfg.dataDir, '--json'], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let value = null;
  let problem = null;
  if (r.status !== 0) problem = `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().slice(-600)}`;
  else {
    try {
      value = JSON.parse(r.stdout);
      problem = check(value);
    } catch (e) {
      problem = `not JSON on stdout (${e.message}): ${r.stdout.slice(0, 300)}`;
    }
  }
  steps.push({ name, ok: problem === null, problem });
  if (problem !== null) throw new Error(`${name}: ${problem}`);
  return value;
}

function sha(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

async function server(expectProject) {
  const started = performance.now();
  const child = spawn(cfg.server, ['--data-dir', cfg.dataDir, '--port', '0', '--json'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const info = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line && out.includes('\n')) resolve(JSON.parse(line));
      });
      child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr.slice(-600)}`)));
    });
    const page = await fetch(info.url);
    const html = await page.text();
    const first = page.ok && html.includes('<div id="root">') ? null : `GET / gave ${page.status}`;
    steps.push({
      name: 'server: first page',
      ok: first === null,
      problem: first,
      ms: performance.now() - started,
    });
    const token = new URL(info.openUrl.replace('#', '?')).searchParams.get('token');
    const res = await fetch(`${info.url}api/invoke/projects.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = await res.json();
    const names = body.ok ? body.value.map((p) => p.name) : null;
    const api =
      names && (!expectProject || names.includes(expectProject))
        ? null
        : `projects.list answered ${JSON.stringify(body).slice(0, 300)}`;
    steps.push({ name: 'server: projects.list', ok: api === null, problem: api });
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.on('exit', resolve) : resolve()));
  }
}

async function main() {
  const project = cli('projects create', ['projects', 'create', 'Delivery proof']);
  const pid = String(project.id);
  cli(
    'data import (latin-1 CSV)',
    ['data', 'import', pid, cfg.csv, '--text', 'content', '--label', 'label', '--id', 'id'],
    (r) => (r.imported === cfg.rows ? null : `imported ${r.imported} of ${cfg.rows}`),
  );
  cli('data split', ['data', 'split', pid, '--seed', '7']);
  const model = cli('teacher import (GGUF)', ['teacher', 'import', cfg.gguf, '--name', 'tiny'], (m) =>
    /^[0-9a-f]{64}$/.test(m.sha256) ? null : 'no SHA-256',
  );
  cli(
    'teacher run',
    [
      'teacher',
      'run',
      pid,
      '--model',
      String(model.id),
      '--threads',
      '1',
      '--sequences',
      '1',
      '--context-size',
      '512',
      '--split',
      'train',
      '--limit',
      '12',
    ],
    (r) => (r.outputCount === 12 ? null : `${r.outputCount} outputs`),
  );
  // Review: a reviewer relabels three documents (the JSONL exchange format, matched by text hash and id).
  const lines = cfg.review.map((d) =>
    JSON.stringify({
      textHash: sha(d.text),
      externalId: d.id,
      label: d.label,
      annotator: 'reviewer',
      createdAt: new Date().toISOString(),
    }),
  );
  writeFileSync(join(work, 'review.jsonl'), lines.join('\n') + '\n');
  cli('review import', ['review', 'import', pid, join(work, 'review.jsonl'), '--take-theirs'], (r) =>
    r.imported === lines.length ? null : `imported ${r.imported} of ${lines.length}`,
  );
  cli('review gold', ['review', 'gold', pid]);
  const run = cli('train', ['train', pid, '--epochs', '3', '--seed', '1'], (r) =>
    r.state === 'completed' && Number.isInteger(r.bestEpoch)
      ? null
      : `state ${r.state}, best epoch ${r.bestEpoch}`,
  );
  const rid = String(run.id);
  cli('eval run', ['eval', 'run', '--project', pid, '--student', rid]);
  const pdf = join(work, 'report.pdf');
  cli(
    'eval report (PDF)',
    ['eval', 'report', '--project', pid, '--student', rid, '--format', 'pdf', '--out', pdf],
    () =>
      existsSync(pdf) && readFileSync(pdf).subarray(0, 5).toString() === '%PDF-' ? null : 'no PDF written',
  );
  const exported = join(work, 'exported-model');
  cli('export', ['export', pid, '--run', rid, '--out', exported], () =>
    existsSync(exported) ? null : 'no export folder',
  );
  writeFileSync(
    join(work, 'predict-in.jsonl'),
    cfg.review.map((d) => JSON.stringify({ text: d.text })).join('\n') + '\n',
  );
  const predicted = join(work, 'predict-out.jsonl');
  cli(
    'predict',
    ['predict', '--model', exported, '--input', join(work, 'predict-in.jsonl'), '--output', predicted],
    () =>
      existsSync(predicted) && readFileSync(predicted, 'utf8').trim().split('\n').length === cfg.review.length
        ? null
        : 'not one prediction per line',
  );
  const backup = join(work, 'project.backup');
  cli('backup', ['backup', pid, '--out', backup], () =>
    existsSync(backup) && statSync(backup).size > 0 ? null : 'no backup file',
  );
  cli('restore', ['restore', backup, '--name', 'Delivery proof (restored)']);
  cli('projects list', ['projects', 'list'], (list) =>
    list.some((p) => p.name === 'Delivery proof (restored)') ? null : 'the restored project is missing',
  );
  await server('Delivery proof');
}

try {
  if (process.argv[3] === 'first-page') await server(null);
  else await main();
} catch (e) {
  if (!steps.some((s) => !s.ok)) steps.push({ name: 'driver', ok: false, problem: e.message });
}
writeFileSync(join(work, 'pipeline-result.json'), JSON.stringify({ steps }, null, 2));
