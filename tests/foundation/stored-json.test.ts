import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/main/core/errors';
import { readStoredJson, storedColumn } from '../../src/main/core/store/storedJson';
import { loadExportFolder } from '../../src/main/features/export/exportStudent';
import { readModel, saveModel } from '../../src/main/features/student/modelFile';
import { readCheckpointFile, writeCheckpointFile } from '../../src/main/features/student/training/checkpoint';
import { DEFAULT_FEATURIZER } from '../../src/main/features/student/featurizer';
import { TINY_FASTTEXT } from '../student/fixtures';
import { errorMessage } from '../../src/shared/errorMessages';
import { NumberArray, parseStored } from '../../src/shared/storedJson';
import { coreForEachTest, tempDir } from '../helpers';
import { addTeacherRun, makeProject } from '../review/fixture';

/** What a call threw, as the UI gets it (code, key, message in English and Chinese). */
async function failure(p: Promise<unknown>): Promise<{ code: string; key?: string; en: string; zh: string }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    const info = { code: e.code, message: e.message, key: e.key, params: e.params };
    return { code: e.code, key: e.key, en: e.message, zh: errorMessage(info, 'zh-CN') };
  }
  throw new Error('expected a failure');
}

describe('parseStored', () => {
  it('reads a value of its shape, and names what is wrong with one that is not', () => {
    const shape = z.object({ labels: z.array(z.string()) });
    expect(parseStored(shape, '{"labels":["a"]}')).toEqual({ ok: true, value: { labels: ['a'] } });
    expect(parseStored(shape, '{"labels":["a",2]}')).toEqual({
      ok: false,
      problem: expect.stringMatching(/^"labels\.1": /) as unknown,
    });
    expect(parseStored(shape, '{"labels":["a"')).toEqual({
      ok: false,
      problem: expect.stringMatching(/^not JSON \(/) as unknown,
    });
  });

  it('checks number arrays by hand (the hot paths) with the same contract', () => {
    expect(parseStored(NumberArray, '[0.25, 0.75]')).toEqual({ ok: true, value: [0.25, 0.75] });
    expect(parseStored(NumberArray, '[0.25, "x"]')).toEqual({
      ok: false,
      problem: 'expected an array of numbers',
    });
    expect(parseStored(NumberArray, '{"0": 1}')).toEqual({
      ok: false,
      problem: 'expected an array of numbers',
    });
    expect(() => readStoredJson(NumberArray, 'null', storedColumn('t.c', { id: 3 }))).toThrow(
      'A value stored in the project database is damaged (t.c (id 3): expected an array of numbers).',
    );
  });
});

describe('a damaged value in a real project database', () => {
  const t = coreForEachTest();

  async function teacherRun(): Promise<{ runId: number; examples: number[]; projectId: number }> {
    const core = t.core;
    const fx = await makeProject(core, ['First clause.', 'Second clause.', 'Third clause.']);
    const runId = addTeacherRun(
      core,
      fx,
      fx.examples.map((exampleId, i) => ({ exampleId, pUnfair: 0.2 + 0.3 * i })),
    );
    return { runId, examples: fx.examples, projectId: fx.projectId };
  }

  it('a teacher output whose probabilities are not numbers fails naming the row, in English and Chinese', async () => {
    const { runId, examples } = await teacherRun();
    const core = t.core;
    const ok = await core.call('teacher.outputs', { runId, offset: 0, limit: 10 });
    expect(ok.items.map((i) => i.probs.length)).toEqual([2, 2, 2]);
    core.db
      .prepare('UPDATE teacher_outputs SET probs = ? WHERE run_id = ? AND example_id = ?')
      .run('[0.5, "half"]', runId, examples[1]);
    const f = await failure(core.call('teacher.outputs', { runId, offset: 0, limit: 10 }));
    expect(f.code).toBe('BAD_FILE');
    expect(f.key).toBe('core.storedValueDamaged');
    expect(f.en).toBe(
      `A value stored in the project database is damaged (teacher_outputs.probs (example_id ${examples[1]}): expected an array of numbers). Restore the project from a backup, or redo the step that wrote it.`,
    );
    expect(f.zh).toContain(`teacher_outputs.probs (example_id ${examples[1]})`);
    expect(f.zh).toContain('请从备份恢复该项目');
  });

  it('a truncated value (not JSON) says so, and so does a damaged label snapshot', async () => {
    const { runId, examples } = await teacherRun();
    const core = t.core;
    core.db
      .prepare('UPDATE teacher_outputs SET probs = ? WHERE run_id = ? AND example_id = ?')
      .run('[0.5, 0.', runId, examples[0]);
    const f = await failure(core.call('teacher.outputs', { runId, offset: 0, limit: 10 }));
    expect(f.en).toMatch(/teacher_outputs\.probs \(example_id \d+\): not JSON \(/);
    core.db.prepare('UPDATE teacher_runs SET labels_snapshot = ? WHERE id = ?').run('[{"id":1}]', runId);
    const g = await failure(core.call('teacher.outputs', { runId, offset: 0, limit: 10 }));
    expect(g.en).toContain('(teacher_runs.labels_snapshot: "0.name": ');
  });

  it("a run's damaged settings fail the run's page with the column named, not a TypeError", async () => {
    const { runId, projectId } = await teacherRun();
    const core = t.core;
    core.db.prepare('UPDATE teacher_runs SET settings = ? WHERE id = ?').run('{"fewShot":"three"}', runId);
    const f = await failure(core.call('teacher.runs', { projectId }));
    expect(f.code).toBe('BAD_FILE');
    expect(f.en).toContain(`(teacher_runs.settings (id ${runId}): "fewShot": `);
  });
});

describe('damaged files', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('distillery-stored-'));
  });
  afterEach(() => cleanup());

  it('a hand-edited model.json names the field; another format is refused as such', () => {
    saveModel(dir, TINY_FASTTEXT);
    const file = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...json, labels: 'a,b' }));
    expect(() => readModel(dir)).toThrow(
      `No usable student model in ${dir} (model.json: "labels": Invalid input: expected array, received string). Train a student first, or choose another run.`,
    );
    writeFileSync(file, JSON.stringify(json).slice(0, 40));
    expect(() => readModel(dir)).toThrow(/\(model\.json: not JSON \(/);
    writeFileSync(file, JSON.stringify({ ...json, version: 2 }));
    expect(() => readModel(dir)).toThrow(
      /not a student model this version of Distillery can read \(format distillery-student v2\)/,
    );
  });

  it('a truncated checkpoint header fails with the file named and what to do', () => {
    const file = join(dir, 'epoch-0001.ckpt');
    writeCheckpointFile(file, [['slotBucket', Uint32Array.from([1, 2, 3])]], {
      epoch: 1,
      step: 10,
      early: { bestEpoch: 1, bestMetric: 0.5, badEpochs: 0 },
      bestModelPath: '/runs/1/model-e0001',
      bestModelBytes: 100,
    });
    expect(readCheckpointFile(file).header.epoch).toBe(1);
    truncateSync(file, 30);
    let error: unknown;
    try {
      readCheckpointFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(
      new RegExp(
        `^The training checkpoint ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(not JSON \\(.*\\)\\)\\. Start a new run\\.$`,
      ),
    );
    expect(
      errorMessage({ code: e.code, message: e.message, key: e.key, params: e.params }, 'zh-CN'),
    ).toContain('已损坏');
    truncateSync(file, 2);
    expect(() => readCheckpointFile(file)).toThrow(/is damaged \(not JSON/);
  });

  it('a damaged deployment.json names the field and says to export again; a newer export is refused as such', () => {
    const file = join(dir, 'deployment.json');
    const deployment = {
      format: 'distillery-export',
      version: 1,
      name: 'contracts',
      labels: ['fair', 'unfair'],
      threshold: null,
      featurizer: DEFAULT_FEATURIZER,
      model: { json: 'model/model.json', weights: 'model/weights.bin' },
      report: null,
      source: {},
      exportedAt: '2026-12-02T00:00:00.000Z',
      files: {},
    };
    writeFileSync(file, JSON.stringify(deployment));
    expect(loadExportFolder(dir).deployment?.labels).toEqual(['fair', 'unfair']);
    writeFileSync(file, JSON.stringify({ ...deployment, labels: 'fair' }));
    expect(() => loadExportFolder(dir)).toThrow(
      `deployment.json in ${dir} is damaged ("labels": Invalid input: expected array, received string). Export the model again.`,
    );
    writeFileSync(file, JSON.stringify(deployment).slice(0, 30));
    expect(() => loadExportFolder(dir)).toThrow(/is damaged \(not JSON \(/);
    writeFileSync(file, JSON.stringify({ ...deployment, version: 9, labels: 'fair' }));
    expect(() => loadExportFolder(dir)).toThrow(
      /is not an exported model this version of Distillery can read/,
    );
  });
});
