import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { coreForEachTest, ROOT } from '../helpers';

const t = coreForEachTest();

const ROWS = [
  ['a1', 'The provider may terminate the account at any time.', 'unfair'],
  ['a2', 'You can contact support by email.', 'fair'],
  ['a3', 'Any dispute shall be settled by arbitration.', 'unfair'],
  ['a4', 'We publish our prices on the website.', 'fair'],
];

/** A project imported from a CSV with an id column, as a person would do it. */
async function project(core: Core, dir: string): Promise<number> {
  const csv = join(dir, 'clauses.csv');
  writeFileSync(csv, 'id,text,label\n' + ROWS.map((r) => r.map((c) => `"${c}"`).join(',')).join('\n') + '\n');
  const p = await core.call('projects.create', { name: 'Import teacher outputs' });
  const job = await core.call('dataset.import', {
    projectId: p.id,
    path: csv,
    textColumn: 'text',
    labelColumn: 'label',
    idColumn: 'id',
    onBadRow: 'abort',
  });
  const done = await core.jobs.wait(job.id);
  expect(done.state).toBe('completed');
  return p.id;
}

function jsonl(dir: string, lines: string[]): string {
  const file = join(dir, 'teacher.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('importing teacher outputs made elsewhere (JSONL)', () => {
  it('stores a run by id (probs) and by text (log-probs) that lists and pages like a local run', async () => {
    const projectId = await project(t.core, t.dataDir);
    const file = jsonl(t.dataDir, [
      JSON.stringify({ id: 'a1', probs: { unfair: 0.9, fair: 0.1 } }),
      JSON.stringify({ id: 'a2', probs: { fair: 0.8, unfair: 0.2 } }),
      '',
      JSON.stringify({ text: ROWS[2][1], logprobs: { unfair: Math.log(0.7), fair: Math.log(0.3) } }),
      // A label left out has probability 0.
      JSON.stringify({ id: 'a4', probs: { fair: 1 } }),
    ]);
    const r = await t.core.call('teacher.importRun', { projectId, path: file });
    expect(r.imported).toBe(4);
    expect(r.run).toMatchObject({ outputCount: 4, targetCount: 4, failedCount: 0, modelId: null });
    expect(r.run.promptTemplate).toBe('Imported from teacher.jsonl');
    const runs = await t.core.call('teacher.runs', { projectId });
    expect(runs.map((x) => x.id)).toEqual([r.run.id]);
    const out = await t.core.call('teacher.outputs', { runId: r.run.id, offset: 0, limit: 50 });
    const byText = new Map(out.items.map((o) => [o.text, o]));
    const order = r.run.labels.map((l) => l.name);
    const p = (text: string, label: string): number => byText.get(text)?.probs[order.indexOf(label)] ?? NaN;
    expect(p(ROWS[0][1], 'unfair')).toBeCloseTo(0.9, 12);
    expect(p(ROWS[2][1], 'unfair')).toBeCloseTo(0.7, 12);
    expect(p(ROWS[3][1], 'unfair')).toBe(0);
    expect(byText.get(ROWS[1][1])?.predictedLabel).toBe('fair');
    const audit = t.core.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'teacher.importRun'")
      .get();
    expect(audit).toEqual({ n: 1 });
  });

  it('reports every bad line by number and imports nothing', async () => {
    const projectId = await project(t.core, t.dataDir);
    const file = jsonl(t.dataDir, [
      JSON.stringify({ id: 'a1', probs: { unfair: 0.9, fair: 0.1 } }),
      JSON.stringify({ id: 'zz', probs: { unfair: 0.9, fair: 0.1 } }),
      JSON.stringify({ id: 'a2', probs: { unfair: 0.9, maybe: 0.1 } }),
      JSON.stringify({ id: 'a3', probs: { unfair: 0.6, fair: 0.6 } }),
      '{"id": "a4", "probs": {"unfair": NaN, "fair": 0.5}}',
      JSON.stringify({ id: 'a4', probs: { unfair: 'NaN', fair: 0.5 } }),
      JSON.stringify({ probs: { unfair: 1 } }),
    ]);
    const error = await t.core.call('teacher.importRun', { projectId, path: file }).then(
      () => null,
      (e: unknown) =>
        e as { code: string; message: string; details: { lineErrors: Array<{ line: number }> } },
    );
    expect(error?.code).toBe('INVALID_INPUT');
    expect(error?.details.lineErrors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(error?.message).toMatch(/Line 2: No example has the id "zz"/);
    expect(error?.message).toMatch(/Line 3: Unknown label "maybe"/);
    expect(error?.message).toMatch(/Line 4: The probabilities sum to 1\.2000, not 1/);
    expect(error?.message).toMatch(/Line 5: This line is not valid JSON/);
    expect(error?.message).toMatch(/Line 6: The value of "unfair" is not a finite number/);
    expect(error?.message).toMatch(/nothing was imported/);
    expect(t.core.db.prepare('SELECT COUNT(*) AS n FROM teacher_runs').get()).toEqual({ n: 0 });
    expect(t.core.db.prepare('SELECT COUNT(*) AS n FROM teacher_outputs').get()).toEqual({ n: 0 });
  });

  it('runs from the command line with --json', async () => {
    const projectId = await project(t.core, t.dataDir);
    const file = jsonl(t.dataDir, [JSON.stringify({ id: 'a1', probs: { unfair: 0.6, fair: 0.4 } })]);
    await t.core.dispose();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'bin/distillery.mjs',
        'teacher',
        'import-run',
        String(projectId),
        file,
        '--data-dir',
        t.dataDir,
        '--json',
      ],
      { cwd: ROOT },
    );
    expect(JSON.parse(stdout)).toMatchObject({ imported: 1, run: { outputCount: 1 } });
  });
});
