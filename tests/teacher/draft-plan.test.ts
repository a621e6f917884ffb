import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { estimateTokens } from '../../src/main/features/teacher/runs';
import type { TeacherModel } from '../../src/shared/teacher';
import { DEFAULT_PROMPT_TEMPLATE } from '../../src/shared/teacher';
import { testCore } from '../helpers';
import { importTinyModel, makeProject, SENTENCES } from './fixtures';

const LABELS = [{ name: 'fair' }, { name: 'unfair' }];
const local = { threads: 1, sequences: 1, contextSize: 512 } as const;

describe('the Teacher step’s draft, the run plan and truncation (real core, real tiny model)', () => {
  let core: Core;
  let close: () => Promise<void>;
  let model: TeacherModel;
  beforeAll(async () => {
    ({ core, close } = await testCore());
    model = await importTinyModel(core);
  }, 120_000);
  afterAll(async () => close());

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
    expect(before).toEqual({ targets: 7, carriedOver: 0, contextSize: 512, tooLong: 1 });

    const { job } = await core.call('teacher.run', choice);
    const done = await core.jobs.wait(job.id);
    expect(done.state, done.error ?? '').toBe('completed');
    expect(done.result).toMatchObject({ labelled: 7, truncated: 1 });
    const [run] = await core.call('teacher.runs', { projectId: p.projectId });
    expect(run.truncatedCount).toBe(1);
    const outputs = await core.call('teacher.outputs', { runId: run.id, limit: 50 });
    expect(outputs.items.filter((o) => o.truncated).map((o) => o.exampleId)).toEqual([p.exampleIds[6]]);

    // The same teacher and prompt again: every example is carried over (with its truncation), none would be cut anew.
    expect(await core.call('teacher.plan', choice)).toEqual({
      targets: 7,
      carriedOver: 7,
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
});
