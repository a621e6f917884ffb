import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { estimateTokens } from '../../src/main/features/teacher/runPlan';
import type { TeacherModel } from '../../src/shared/teacher';
import { DEFAULT_PROMPT_TEMPLATE } from '../../src/shared/teacher';
import { makeProject, SENTENCES } from './fixtures';
import { tinyModelCoreForAll } from './tinyTeacher';

const LABELS = [{ name: 'fair' }, { name: 'unfair' }];
const local = { threads: 1, sequences: 1, contextSize: 512 } as const;

describe('the Teacher step’s draft, the run plan and truncation (real core, real tiny model)', () => {
  let core: Core;
  let model: TeacherModel;
  tinyModelCoreForAll((f) => ({ core, model } = f));

  it('keeps the draft per project, and forgets a model removed from the library', async () => {
    const a = makeProject(core, { labels: LABELS, examples: [{ text: 'one' }] });
    const b = makeProject(core, { labels: LABELS, examples: [{ text: 'two' }] });
    expect(await core.call('teacher.draft', { projectId: a.projectId })).toBeNull();
    const draft = {
      modelId: model.id,
      mode: 'reasoning' as const,
      fewShot: 3,
      reasoningBudget: 128,
      template: `Be careful.\n${DEFAULT_PROMPT_TEMPLATE}`,
      endpoints: [{ url: 'http://gpu:8080', model: 'm', concurrency: 2 }],
    };
    await core.call('teacher.saveDraft', { projectId: a.projectId, draft });
    await core.call('teacher.saveDraft', { projectId: b.projectId, draft: { ...draft, fewShot: 0 } });
    expect(await core.call('teacher.draft', { projectId: a.projectId })).toEqual(draft);
    expect((await core.call('teacher.draft', { projectId: b.projectId }))?.fewShot).toBe(0);
    await core.call('teacher.saveDraft', { projectId: a.projectId, draft: { ...draft, modelId: 99_999 } });
    expect((await core.call('teacher.draft', { projectId: a.projectId }))?.modelId).toBeNull();
  });

  it('estimates tokens from characters (CJK one each)', () => {
    expect(estimateTokens('abcdef')).toBe(2);
    expect(estimateTokens('病人发热')).toBe(4);
  });

  it('tells before a run how many examples are new and how many will not fit, and counts the cut ones per document and per run', async () => {
    const long = `${'The provider may change these terms at any time without notice. '.repeat(120)}End.`;
    const examples = [...SENTENCES.slice(0, 6).map((text) => ({ text })), { text: long }];
    const p = makeProject(core, { labels: LABELS, examples });
    const choice = { projectId: p.projectId, modelId: model.id, ...local };
    const before = await core.call('teacher.plan', choice);
    expect(before).toMatchObject({ targets: 7, carriedOver: 0, toLabel: 7, contextSize: 512, tooLong: 1 });
    // Seven prompts, the long one cut to what fits in the context.
    expect(before.tokens).toBeGreaterThan(6 * 40);
    expect(before.tokens).toBeLessThan(7 * 512);

    const { job } = await core.call('teacher.run', choice);
    const done = await core.jobs.wait(job.id);
    expect(done.state, done.error ?? '').toBe('completed');
    expect(done.result).toMatchObject({ labelled: 7, truncated: 1 });
    const [run] = await core.call('teacher.runs', { projectId: p.projectId });
    expect(run.truncatedCount).toBe(1);
    const outputs = await core.call('teacher.outputs', { runId: run.id, limit: 50 });
    expect(outputs.items.filter((o) => o.truncated).map((o) => o.exampleId)).toEqual([p.exampleIds[6]]);

    // The same teacher and prompt again: every example is carried over (with its truncation), none would be cut anew.
    expect(await core.call('teacher.plan', choice)).toMatchObject({
      targets: 7,
      carriedOver: 7,
      toLabel: 0,
      tokens: 0,
      contextSize: 512,
      tooLong: 0,
    });
    // Another prompt: everything would be labelled again, and the plan says so before the run.
    expect(
      await core.call('teacher.plan', { ...choice, template: `Think.\n${DEFAULT_PROMPT_TEMPLATE}` }),
    ).toMatchObject({
      carriedOver: 0,
      tooLong: 1,
    });
    const second = await core.call('teacher.run', choice);
    await core.jobs.wait(second.job.id);
    const [again] = await core.call('teacher.runs', { projectId: p.projectId });
    expect(again.id).toBe(second.run.id);
    expect(again.truncatedCount).toBe(1);
  }, 120_000);

  it('a run’s scope (only unlabelled, a split, a random sample) and its cost in minutes from timing a few documents', async () => {
    const examples = SENTENCES.map((text, i) => ({
      text,
      split: (i < 8 ? 'train' : 'validation') as 'train' | 'validation',
      label: i % 3 === 0 ? LABELS[i % 2].name : undefined,
    }));
    const p = makeProject(core, { labels: LABELS, examples });
    const choice = { projectId: p.projectId, modelId: model.id, ...local };
    expect((await core.call('teacher.plan', choice)).targets).toBe(12);
    // 4 of the 12 have a human label (positions 0, 3, 6, 9).
    expect((await core.call('teacher.plan', { ...choice, unlabelledOnly: true })).targets).toBe(8);
    expect((await core.call('teacher.plan', { ...choice, splits: ['validation'] })).targets).toBe(4);
    const sampled = await core.call('teacher.plan', { ...choice, sample: 5, sampleSeed: 7 });
    expect(sampled).toMatchObject({ targets: 5, toLabel: 5, timing: null, minutes: null });

    const timing = await core.call('teacher.time', { ...choice, sample: 5, sampleSeed: 7 });
    expect(timing.documents).toBeGreaterThanOrEqual(1);
    expect(timing.documents).toBeLessThanOrEqual(5);
    expect(timing.msPerDocument).toBeGreaterThan(0);
    const timed = await core.call('teacher.plan', { ...choice, sample: 5, sampleSeed: 7 });
    expect(timed.timing).toEqual(timing);
    // Minutes = documents x time per document, scaled by how long these prompts are against the timed ones.
    expect(timed.minutes).toBeCloseTo(
      (5 * timing.msPerDocument * (timed.tokens / 5 / timing.tokensPerDocument)) / 60_000,
      9,
    );

    // The run labels exactly the documents the plan counted: the same seeded sample.
    const { run, job } = await core.call('teacher.run', { ...choice, sample: 5, sampleSeed: 7 });
    await core.jobs.wait(job.id);
    expect(run.targetCount).toBe(5);
    const again = await core.call('teacher.plan', { ...choice, sample: 5, sampleSeed: 7 });
    expect(again).toMatchObject({ targets: 5, carriedOver: 5, toLabel: 0 });
    const unlabelled = await core.call('teacher.run', { ...choice, unlabelledOnly: true, splits: ['train'] });
    await core.jobs.wait(unlabelled.job.id);
    const ids = (await core.call('teacher.outputs', { runId: unlabelled.run.id, limit: 50 })).items.map(
      (o) => o.exampleId,
    );
    expect(ids).toEqual([1, 2, 4, 5, 7].map((i) => p.exampleIds[i]));
  }, 120_000);
});
