import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { latestTeacherRun, teacherDistributions } from '../../src/main/core/labels';
import { teacherService } from '../../src/main/features/teacher/service';
import type { Job } from '../../src/shared/jobs';
import type { TeacherModel } from '../../src/shared/teacher';
import { importTinyModel, makeProject, SENTENCES } from './fixtures';
import { tinyModelCoreForAll } from './tinyTeacher';

const LABELS = [
  { name: 'fair', description: 'An ordinary clause.' },
  { name: 'unfair', description: 'A clause that puts the consumer at a disadvantage.' },
];
const local = { threads: 1, sequences: 2, contextSize: 512 } as const;

function waitFor(core: Core, jobId: number, pred: (j: Job) => boolean): Promise<Job> {
  return new Promise((resolve) => {
    const off = core.events.subscribe((e) => {
      if (e.name !== 'job.updated') return;
      const j = e.payload as Job;
      if (j.id === jobId && pred(j)) {
        off();
        resolve(j);
      }
    });
  });
}

describe('teacher runs on a real core (SQLite file, job manager, teacher process)', () => {
  let core: Core;
  let model: TeacherModel;
  tinyModelCoreForAll((f) => ({ core, model } = f));

  it('imports a model: copied into the model folder with its SHA-256 and metadata; a second import is the same model', async () => {
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.metadata.architecture).toBe('qwen2');
    const models = await core.call('teacher.models', {});
    expect(models.map((m) => m.sha256)).toEqual([model.sha256]);
    const again = await importTinyModel(core);
    expect(again.id).toBe(model.id);
    expect((await core.call('teacher.models', {})).length).toBe(1);
  });

  it('refuses a malformed file at import with the reason, and imports nothing', async () => {
    const { writeMalformedCorpus } = await import('../fixtures/gguf/generate');
    const job = await core.call('teacher.importModel', {
      path: writeMalformedCorpus().get('truncated-tensors')!,
    });
    const done = await core.jobs.wait(job.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/truncated/);
    expect((await core.call('teacher.models', {})).length).toBe(1);
  });

  it('downloads a model only when asked, from the given address (a real HTTP server on 127.0.0.1)', async () => {
    const { createServer } = await import('node:http');
    const { readFileSync } = await import('node:fs');
    const { tinyModelPath } = await import('../fixtures/gguf/generate');
    const bytes = readFileSync(tinyModelPath(7));
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(bytes.length) });
      res.end(bytes);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const job = await core.call('teacher.downloadModel', {
        url: `http://127.0.0.1:${port}/tiny.gguf`,
        name: 'Downloaded',
      });
      const done = await core.jobs.wait(job.id);
      expect(done.state, done.error ?? '').toBe('completed');
      const downloaded = done.result as TeacherModel;
      expect(downloaded.name).toBe('Downloaded');
      expect(downloaded.sha256).not.toBe(model.sha256);
      await core.call('teacher.removeModel', { modelId: downloaded.id });
      expect((await core.call('teacher.models', {})).map((m) => m.id)).toEqual([model.id]);
    } finally {
      server.close();
    }
  });

  it('refuses a single label, duplicate labels and empty texts with reasons', async () => {
    const one = makeProject(core, { labels: [LABELS[0]], examples: [{ text: 'a' }] });
    await expect(
      core.call('teacher.preview', { projectId: one.projectId, modelId: model.id }),
    ).rejects.toThrow(/at least two labels/);
    const dup = makeProject(core, {
      labels: [{ name: 'Fair' }, { name: 'fair ' }],
      examples: [{ text: 'a' }],
    });
    await expect(core.call('teacher.run', { projectId: dup.projectId, modelId: model.id })).rejects.toThrow(
      /are the same to the teacher/,
    );
    const ok = makeProject(core, { labels: LABELS, examples: [{ text: 'a' }] });
    await expect(
      core.call('teacher.preview', { projectId: ok.projectId, modelId: model.id, texts: ['  '], ...local }),
    ).rejects.toThrow(/empty/);
  });

  it('previews distributions, runs as a job, stores what other features read, calibrates, and reruns without relabelling', async () => {
    const examples = SENTENCES.map((text, i) => ({
      text,
      split: (['train', 'validation', 'test'] as const)[i % 3],
      label: i % 3 === 0 ? undefined : LABELS[i % 2].name,
    }));
    examples.push({ text: '', split: 'train', label: undefined });
    const p = makeProject(core, { labels: LABELS, examples });
    const preview = await core.call('teacher.preview', {
      projectId: p.projectId,
      modelId: model.id,
      count: 3,
      ...local,
    });
    expect(preview).toHaveLength(3);
    for (const item of preview) {
      expect(item.distribution!.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(item.distribution!.labels.map((l) => l.name)).toEqual(['fair', 'unfair']);
    }

    // The wizard's Teacher step is done when a run completed, not before.
    expect((await core.call('projects.progress', { projectId: p.projectId })).teacher).toBe(false);
    const { run, job } = await core.call('teacher.run', {
      projectId: p.projectId,
      modelId: model.id,
      ...local,
    });
    expect(run.targetCount).toBe(examples.length);
    const final = await core.jobs.wait(job.id);
    expect(final.state).toBe('completed');
    expect(await core.call('projects.progress', { projectId: p.projectId })).toMatchObject({
      data: true,
      teacher: true,
      review: true,
      train: false,
    });
    expect(final.result).toMatchObject({ labelled: SENTENCES.length, skipped: 1, failed: 0 });

    const latest = latestTeacherRun(core.db, p.projectId)!;
    expect(latest.runId).toBe(run.id);
    expect(latest.labels.map((l) => l.name)).toEqual(['fair', 'unfair']);
    const dists = teacherDistributions(core.db, run.id);
    expect(dists.size).toBe(SENTENCES.length);
    for (const probs of dists.values()) {
      expect(probs.every(Number.isFinite)).toBe(true);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
    // The exact prompt, model hash and settings are stored with the run.
    const stored = (await core.call('teacher.runs', { projectId: p.projectId }))[0];
    expect(stored.modelSha256).toBe(model.sha256);
    expect(stored.promptTemplate).toContain('{{text}}');
    expect(stored.promptTemplate).toContain('unfair: A clause that puts the consumer');
    expect(stored.settings).toMatchObject({ mode: 'direct', threads: 1, sequences: 2 });
    // 4 validation examples are labelled: calibration needs 5, so it asks for more rather than overfitting.
    // The run says how many it has, so that the UI's hint gives the real count.
    expect(stored.validationLabelled).toBe(4);
    expect(stored.calibrationReady).toBe(4);
    await expect(core.call('teacher.calibrate', { runId: run.id })).rejects.toThrow(/at least 5/);

    const outputs = await core.call('teacher.outputs', { runId: run.id, limit: 100 });
    expect(outputs.total).toBe(SENTENCES.length);
    expect(outputs.items[0].predictedLabel).toMatch(/^(fair|unfair)$/);

    // Same teacher and prompt again: carried over, identical, nothing labelled twice.
    const second = await core.call('teacher.run', { projectId: p.projectId, modelId: model.id, ...local });
    const secondFinal = await core.jobs.wait(second.job.id);
    expect(secondFinal.state).toBe('completed');
    const again = teacherDistributions(core.db, second.run.id);
    expect([...again.entries()].sort((a, b) => a[0] - b[0])).toEqual(
      [...dists.entries()].sort((a, b) => a[0] - b[0]),
    );
  }, 120_000);

  it('calibrates a temperature on human-labelled validation examples with the reliability before and after', async () => {
    const examples = [...SENTENCES, ...SENTENCES.map((s) => `${s} Really.`)].map((text, i) => ({
      text,
      split: 'validation' as const,
      label: LABELS[i % 2].name,
    }));
    const p = makeProject(core, { labels: LABELS, examples });
    const { run, job } = await core.call('teacher.run', {
      projectId: p.projectId,
      modelId: model.id,
      ...local,
    });
    const final = await core.jobs.wait(job.id);
    expect(final.state).toBe('completed');
    const report = await core.call('teacher.calibrate', { runId: run.id });
    expect(report.examples).toBe(examples.length);
    expect(report.temperature).toBeGreaterThan(0);
    expect(report.after.nll).toBeLessThanOrEqual(report.before.nll + 1e-9);
    const stored = (await core.call('teacher.runs', { projectId: p.projectId }))[0];
    expect(stored.calibrationTemperature).toBeCloseTo(report.temperature, 9);
    expect(stored.calibration?.before.bins).toHaveLength(10);
    expect(stored.calibrationReady).toBe(examples.length);
    expect(stored.validationLabelled).toBe(examples.length);
  }, 120_000);

  it('resumes after the teacher process is killed mid-run and labels every example exactly once', async () => {
    const examples = Array.from({ length: 60 }, (_, i) => ({
      text: `${SENTENCES[i % SENTENCES.length]} (${i})`,
    }));
    const p = makeProject(core, { labels: LABELS, examples });
    const { run, job } = await core.call('teacher.run', {
      projectId: p.projectId,
      modelId: model.id,
      ...local,
    });
    await waitFor(core, job.id, (j) => j.progress.done >= 2 && j.progress.phase === 'Labelling');
    const pid = teacherService(core.ctx).pid!;
    process.kill(pid, 'SIGKILL');
    const failed = await core.jobs.wait(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/teacher process was stopped by SIGKILL/);
    const partial = teacherDistributions(core.db, run.id).size;
    expect(partial).toBeLessThan(60);

    core.jobs.resume(job.id);
    const resumed = await core.jobs.wait(job.id);
    expect(resumed.state).toBe('completed');
    const rows = core.db
      .prepare('SELECT example_id, COUNT(*) AS n FROM teacher_outputs WHERE run_id = ? GROUP BY example_id')
      .all(run.id) as Array<{ example_id: number; n: number }>;
    expect(rows.map((r) => r.example_id).sort((a, b) => a - b)).toEqual(p.exampleIds);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const pending = core.db
      .prepare("SELECT COUNT(*) AS n FROM teacher_run_targets WHERE run_id = ? AND status != 'done'")
      .get(run.id) as { n: number };
    expect(pending.n).toBe(0);
  }, 120_000);

  it('survives an abort of the teacher process (SIGABRT sent by the test, as llama.cpp would raise) and loads again', async () => {
    const p = makeProject(core, { labels: LABELS, examples: [{ text: SENTENCES[0] }] });
    await core.call('teacher.preview', { projectId: p.projectId, modelId: model.id, ...local });
    const service = teacherService(core.ctx);
    process.kill(service.pid!, 'SIGABRT');
    while (service.pid !== undefined) await new Promise((r) => setTimeout(r, 50));
    const again = await core.call('teacher.preview', { projectId: p.projectId, modelId: model.id, ...local });
    expect(again[0].distribution).not.toBeNull();
  }, 120_000);
});
