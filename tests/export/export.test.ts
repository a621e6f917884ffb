import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import type { BatchPredictResult } from '../../src/shared/export';
import type { StudentArchitectureName } from '../../src/shared/student';
import { loadExportFolder } from '../../src/main/features/export/exportStudent';
import { loadStudent } from '../../src/main/features/student/predictor';
import { ROOT, testCore, tempDir } from '../helpers';
import { addStudentModel } from './fixtures';

const EXTRA_TEXTS = [
  '',
  'We may terminate your account at any time without notice.',
  '患者主诉头痛三天，伴有恶心。',
  'Emoji 🙂 and accents: café, naïve — “quotes”.',
  'x'.repeat(3000),
];

interface Setup {
  core: Core;
  projectId: number;
  runId: number;
  modelDir: string;
  labels: string[];
  texts: string[];
}

function expectClose(a: number[][], b: number[][]): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j])))));
  expect(worst).toBeLessThan(1e-6);
}

function runNode(
  args: string[],
  opts: { cwd: string; input?: string },
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('student export, playground and batch prediction', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function setup(architecture: StudentArchitectureName = 'fasttext'): Promise<Setup> {
    const t = await testCore({ seedDemo: true });
    closers.push(() => t.close());
    const projectId = t.core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    const m = addStudentModel(t.core, projectId, { architecture });
    const demo = t.core.db
      .prepare('SELECT text FROM examples WHERE project_id = ? ORDER BY id LIMIT 60')
      .pluck()
      .all(projectId) as string[];
    return { core: t.core, projectId, ...m, texts: [...demo, ...EXTRA_TEXTS] };
  }

  it('exports a folder whose runtime, run in a fresh Node process without Distillery, predicts what the app predicts', async () => {
    const s = await setup();
    const overview = await s.core.call('export.overview', { projectId: s.projectId });
    expect(overview.models.map((m) => m.runId)).toEqual([s.runId]);
    expect(overview.models[0].threshold).toEqual({ label: s.labels[1], threshold: 0.35 });

    // Evaluated on the gold test split first, so that the export carries the model report.
    await s.core.call('evaluation.evaluate', {
      projectId: s.projectId,
      model: { kind: 'student', runId: s.runId },
      iterations: 20,
    });
    const r = await s.core.call('export.student', { projectId: s.projectId });
    expect(r.hasReport).toBe(true);
    expect(readFileSync(join(r.dir, 'report.html'), 'utf8')).toContain('<html');
    expect(r.files).toEqual(
      expect.arrayContaining([
        'model/model.json',
        'model/weights.bin',
        'deployment.json',
        'distillery-student.js',
        'distillery-student.mjs',
        'predict.mjs',
        'index.html',
        'README.md',
        'README.zh-CN.md',
      ]),
    );
    // The README in both languages, each with the threshold that decides, in its own words.
    const readmeEn = readFileSync(join(r.dir, 'README.md'), 'utf8');
    const readmeZh = readFileSync(join(r.dir, 'README.zh-CN.md'), 'utf8');
    expect(readmeEn).toContain(`predict "${s.labels[1]}" when its probability is at least 0.3500`);
    expect(readmeZh).toContain(`当“${s.labels[1]}”的概率不低于 0.3500 时预测为“${s.labels[1]}”`);
    expect(readmeZh).toContain('[English](README.md)');
    for (const text of [readmeEn, readmeZh]) expect(text).not.toMatch(/\{\{\w+\}\}/);
    expect(r.zipPath && existsSync(r.zipPath)).toBeTruthy();
    const zip = readFileSync(r.zipPath as string);
    expect(zip.readUInt16LE(zip.length - 22 + 10)).toBe(r.files.length);

    // A copy far from the data folder: nothing of Distillery next to it.
    const away = tempDir('distillery-exported-');
    closers.push(away.cleanup);
    const dir = join(away.dir, 'model');
    cpSync(r.dir, dir, { recursive: true });

    const app = await loadStudent(s.modelDir);
    const expected = await app.predict(s.texts);
    app.dispose();

    const input = s.texts.map((text, i) => JSON.stringify({ id: `doc-${i}`, text })).join('\n') + '\n';
    const out = runNode(['predict.mjs', '--batch', '7'], { cwd: dir, input });
    expect(out.stderr).toContain(`${s.texts.length} predicted, 0 malformed`);
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; label: string; probabilities: Record<string, number> });
    expect(lines.map((l) => l.id)).toEqual(s.texts.map((_t, i) => `doc-${i}`));
    expectClose(
      lines.map((l) => s.labels.map((name) => l.probabilities[name])),
      expected,
    );
    // The operating threshold decides the label, not the arg-max.
    lines.forEach((l, i) => expect(l.label).toBe(expected[i][1] >= 0.35 ? s.labels[1] : s.labels[0]));

    // The same runtime from a program, through the ES module API.
    const script = `import { loadFromFolder } from './predict.mjs';
      const m = loadFromFolder();
      process.stdout.write(JSON.stringify(m.predictProba(JSON.parse(process.argv[2]))));`;
    writeFileSync(join(dir, 'check.mjs'), script);
    const api = runNode(['check.mjs', JSON.stringify(s.texts)], { cwd: dir });
    expect(api.stderr).toBe('');
    expectClose(JSON.parse(api.stdout) as number[][], expected);

    // And as a classic script loaded with require(), the way older Node programs would.
    const cjs = `const fs = require('node:fs');
      const S = require('./distillery-student.js');
      const m = S.loadStudentRuntime(fs.readFileSync('model/model.json', 'utf8'), fs.readFileSync('model/weights.bin'));
      process.stdout.write(JSON.stringify(m.predictProba(JSON.parse(process.argv[2]))));`;
    writeFileSync(join(dir, 'check.cjs'), cjs);
    const required = runNode(['check.cjs', JSON.stringify(s.texts)], { cwd: dir });
    expect(required.stderr).toBe('');
    expectClose(JSON.parse(required.stdout) as number[][], expected);
  });

  it.each(['cnn', 'transformer'] as const)(
    'exports a %s student whose runtime, in a fresh Node process, predicts what the app predicts',
    async (architecture) => {
      const s = await setup(architecture);
      const r = await s.core.call('export.student', { projectId: s.projectId });
      const model = JSON.parse(readFileSync(join(r.dir, 'model', 'model.json'), 'utf8')) as {
        architecture: string;
      };
      expect(model.architecture).toBe(architecture);
      const away = tempDir('distillery-exported-');
      closers.push(away.cleanup);
      cpSync(r.dir, away.dir, { recursive: true });

      const app = await loadStudent(s.modelDir);
      const expected = await app.predict(s.texts);
      app.dispose();
      // The app's distributions differ between texts (a model that ignored its input would pass trivially).
      expect(new Set(expected.map((p) => p[0].toFixed(6))).size).toBeGreaterThan(10);

      const input = s.texts.map((text) => JSON.stringify({ text })).join('\n') + '\n';
      const out = runNode(['predict.mjs'], { cwd: away.dir, input });
      expect(out.code).toBe(0);
      const lines = out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { probabilities: Record<string, number> });
      expectClose(
        lines.map((l) => s.labels.map((name) => l.probabilities[name])),
        expected,
      );
    },
  );

  it('reports malformed JSONL lines by number and continues or stops as asked; refuses a damaged folder', async () => {
    const s = await setup();
    const r = await s.core.call('export.student', { projectId: s.projectId });
    const input = [
      '{"text": "first"}',
      '{"text": ',
      '"a bare string"',
      '{"body": "no text field"}',
      '{"text": "last"}',
    ].join('\n');
    const cont = runNode(['predict.mjs'], { cwd: r.dir, input });
    expect(cont.code).toBe(0);
    expect(cont.stderr).toContain('line 2: not valid JSON');
    expect(cont.stderr).toContain('line 4: no "text" field');
    expect(
      cont.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { line: number }).line),
    ).toEqual([1, 3, 5]);

    const stop = runNode(['predict.mjs', '--on-error', 'stop'], { cwd: r.dir, input });
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain('Stopped at line 2');
    expect(stop.stdout.trim().split('\n')).toHaveLength(1);

    // The app's own command line reads the same folder and says the same.
    const inFile = join(r.dir, '..', 'in.jsonl');
    writeFileSync(inFile, input);
    const cli = runNode(
      [
        'bin/distillery.mjs',
        'predict',
        '--model',
        r.dir,
        '--input',
        inFile,
        '--output',
        join(r.dir, '..', 'out.jsonl'),
        '--json',
      ],
      { cwd: ROOT },
    );
    expect(cli.code).toBe(0);
    const summary = JSON.parse(cli.stdout) as { predicted: number; malformed: Array<{ line: number }> };
    expect(summary.predicted).toBe(3);
    expect(summary.malformed.map((m) => m.line)).toEqual([2, 4]);
    // An existing --output is not replaced (nor a crash): a message, and --force to replace it.
    const outFile = join(r.dir, '..', 'out.jsonl');
    const before = readFileSync(outFile, 'utf8');
    const again = runNode(
      ['bin/distillery.mjs', 'predict', '--model', r.dir, '--input', inFile, '--output', outFile, '--json'],
      { cwd: ROOT },
    );
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr)).toMatchObject({
      error: { code: 'CONFLICT', message: expect.stringMatching(/already exists.*--force/) },
    });
    expect(readFileSync(outFile, 'utf8')).toBe(before);
    writeFileSync(outFile, 'old');
    const forced = runNode(
      ['bin/distillery.mjs', 'predict', '--model', r.dir, '--input', inFile, '--output', outFile, '--force'],
      { cwd: ROOT },
    );
    expect(forced.code).toBe(0);
    expect(readFileSync(outFile, 'utf8')).toBe(before);
    const cliStop = runNode(
      ['bin/distillery.mjs', 'predict', '--model', r.dir, '--input', inFile, '--on-error', 'stop'],
      { cwd: ROOT },
    );
    expect(cliStop.code).toBe(1);
    expect(cliStop.stderr).toMatch(/Line 2 is malformed/);
    const expected = readFileSync(join(r.dir, '..', 'out.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(expected.map((l) => JSON.parse(l) as { label: string }).map((l) => typeof l.label)).toEqual([
      'string',
      'string',
      'string',
    ]);

    const weights = join(r.dir, 'model', 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[100] ^= 0xff;
    writeFileSync(weights, bytes);
    const damaged = runNode(['predict.mjs'], { cwd: r.dir, input });
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('damaged: model/weights.bin was changed');
    expect(() => loadExportFolder(r.dir)).toThrow(/model\/weights.bin was changed/);
  }, 300_000);

  it('answers the playground with the app model and says why the teacher cannot answer when there is none', async () => {
    const s = await setup();
    const app = await loadStudent(s.modelDir);
    const [expected] = await app.predict([s.texts[3]]);
    app.dispose();
    const r = await s.core.call('export.playground', {
      projectId: s.projectId,
      text: s.texts[3],
      withTeacher: true,
    });
    expect(r.student.probs).toEqual(expected);
    expect(r.student.labels).toEqual(s.labels);
    expect(r.student.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.teacher && 'error' in r.teacher && r.teacher.error.length > 10).toBe(true);
    await expect(s.core.call('export.playground', { projectId: s.projectId, text: '' })).rejects.toThrow(
      /Type or paste/,
    );
    // With two models imported and none chosen in the Teacher step, the newest answers; a chosen one answers too.
    const { tinyModelPath } = await import('../fixtures/gguf/generate');
    const imported: number[] = [];
    for (const seed of [42, 7]) {
      const job = await s.core.call('teacher.importModel', { path: tinyModelPath(seed) });
      imported.push(((await s.core.jobs.wait(job.id)).result as { id: number }).id);
    }
    for (const teacherModelId of [undefined, imported[0]]) {
      const withTeacher = await s.core.call('export.playground', {
        projectId: s.projectId,
        runId: r.runId,
        text: s.texts[3],
        withTeacher: true,
        teacherModelId,
      });
      expect(
        withTeacher.teacher && 'probs' in withTeacher.teacher ? withTeacher.teacher.probs.length : 0,
      ).toBe(s.labels.length);
    }
  }, 120_000);

  it('predicts every row of a CSV file as a job, skipping unreadable rows, into a CSV with the distributions', async () => {
    const s = await setup();
    const dir = tempDir('distillery-batch-');
    closers.push(dir.cleanup);
    // Named as browser mode stores an upload: the job and the output carry the person's name for it.
    const file = join(dir.dir, '964951a6-1c2b-4d3e-8f90-a1b2c3d4e5f6-new letters.csv');
    const rows = s.texts.slice(0, 40);
    const csv = ['ref,content', ...rows.map((t, i) => `r${i},"${t.replace(/"/g, '""')}"`)];
    csv.splice(5, 0, 'broken,"row,with,too,many"",columns",x');
    writeFileSync(file, csv.join('\n') + '\n');
    const job = await s.core.call('export.batchPredict', {
      projectId: s.projectId,
      path: file,
      textColumn: 'content',
      idColumn: 'ref',
    });
    const done = await s.core.jobs.wait(job.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    const result = done.result as BatchPredictResult;
    const project = await s.core.call('projects.get', { projectId: s.projectId });
    expect(done.title).toBe(`Predict new letters.csv · ${project.name}`);
    expect(basename(result.outputPath)).toMatch(/^new letters-predictions-run\d+-\d+\.csv$/);
    expect(result.predicted).toBe(rows.length);
    expect(result.badRows).toBe(1);
    const app = await loadStudent(s.modelDir);
    const expected = await app.predict(rows);
    app.dispose();
    const text = readFileSync(result.outputPath, 'utf8');
    // Re-read the CSV the way a spreadsheet would: quoted cells may hold commas, quotes and new lines.
    const parsed: string[][] = [];
    let cell = '';
    let row: string[] = [];
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        row.push(cell);
        cell = '';
      } else if (c === '\n') {
        row.push(cell);
        parsed.push(row);
        row = [];
        cell = '';
      } else cell += c;
    }
    expect(parsed[0]).toEqual(['row', 'id', 'text', 'label', ...s.labels.map((l) => `p_${l}`)]);
    const body = parsed.slice(1);
    expect(body.map((r) => r[1])).toEqual(rows.map((_t, i) => `r${i}`));
    expect(body.map((r) => r[2])).toEqual(rows);
    expectClose(
      body.map((r) => r.slice(4).map(Number)),
      expected,
    );
    const counts = result.labelCounts;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(rows.length);
  });

  it('resumes an interrupted batch prediction after the app restarts, with every row once', async () => {
    const t = await testCore({ seedDemo: true });
    const projectId = t.core.db.prepare('SELECT id FROM projects WHERE is_demo = 1').pluck().get() as number;
    const m = addStudentModel(t.core, projectId);
    const texts = t.core.db
      .prepare('SELECT text FROM examples WHERE project_id = ? ORDER BY id')
      .pluck()
      .all(projectId) as string[];
    const file = join(t.dataDir, 'uploads', 'many.jsonl');
    writeFileSync(file, texts.map((text, i) => JSON.stringify({ n: String(i), text })).join('\n') + '\n');
    const job = await t.core.call('export.batchPredict', {
      projectId,
      path: file,
      textColumn: 'text',
      idColumn: 'n',
      outputFormat: 'jsonl',
    });
    // Pause at the first batch, then close the app: the job is interrupted with a checkpoint.
    await new Promise<void>((resolve) => {
      const off = t.core.events.subscribe((env) => {
        const j = env.payload as { id?: number; state?: string; progress?: { done: number } };
        if (env.name !== 'job.updated' || j.id !== job.id) return;
        if (j.state === 'running' && (j.progress?.done ?? 0) > 0) t.core.jobs.pause(job.id);
        if (j.state === 'paused') {
          off();
          resolve();
        }
      });
    });
    await t.close({ keep: true });
    const again = await testCore({ dataDir: t.dataDir });
    closers.push(() => again.close());
    closers.push(() => rmSync(t.dataDir, { recursive: true, force: true }));
    const interrupted = await again.core.call('jobs.get', { jobId: job.id });
    expect(interrupted.state).toBe('interrupted');
    expect(interrupted.progress.phase).toBe('256 predicted');
    // A crash in the middle of a write leaves half a line after the last checkpoint: it must not survive.
    const partial = readdirSync(join(t.dataDir, 'exports', 'predictions')).find((f) =>
      f.endsWith('.partial'),
    );
    expect(partial).toBeDefined();
    appendFileSync(
      join(t.dataDir, 'exports', 'predictions', partial as string),
      '{"row": 99999, "id": "half',
    );
    await again.core.call('jobs.resume', { jobId: job.id });
    const done = await again.core.jobs.wait(job.id);
    expect(done.state).toBe('completed');
    const result = done.result as BatchPredictResult;
    expect(result.predicted).toBe(texts.length);
    const rows = readFileSync(result.outputPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; probabilities: Record<string, number> });
    expect(rows.map((r) => r.id)).toEqual(texts.map((_t, i) => String(i)));
    const app = await loadStudent(m.modelDir);
    const expected = await app.predict(texts);
    app.dispose();
    expectClose(
      rows.map((r) => m.labels.map((l) => r.probabilities[l])),
      expected,
    );
  });
});
