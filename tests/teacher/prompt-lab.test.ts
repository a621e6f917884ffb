import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { runAs } from '../../src/main/core/actor';
import { lineDiff } from '../../src/main/features/teacher/lineDiff';
import { trialAccuracy } from '../../src/main/features/teacher/trial';
import { jobResult } from '../../src/shared/jobs';
import { DEFAULT_PROMPT_TEMPLATE, type PromptTrialItem, type TeacherModel } from '../../src/shared/teacher';
import { testCore } from '../helpers';
import { importTinyModel, makeProject, SENTENCES, type ExampleSpec } from './fixtures';

const LABELS = [{ name: 'fair' }, { name: 'unfair' }];
const local = { threads: 1, sequences: 1, contextSize: 512 } as const;

/** Rebuilds the older and the newer text from a diff: every line is there once, in order. */
function sides(diff: ReturnType<typeof lineDiff>): { older: string; newer: string } {
  return {
    older: diff
      .filter((l) => l.kind !== 'added')
      .map((l) => l.text)
      .join('\n'),
    newer: diff
      .filter((l) => l.kind !== 'removed')
      .map((l) => l.text)
      .join('\n'),
  };
}

describe('lineDiff (LCS line diff)', () => {
  it('marks a changed line as removed then added, keeping the lines around it with both line numbers', () => {
    const d = lineDiff('a\nb\nc\nd', 'a\nB\nc\nd\ne');
    expect(d.map((l) => `${l.kind[0]}${l.oldLine ?? '-'}/${l.newLine ?? '-'} ${l.text}`)).toEqual([
      's1/1 a',
      'r2/- b',
      'a-/2 B',
      's3/3 c',
      's4/4 d',
      'a-/5 e',
    ]);
  });

  it('finds the longest common run of lines, not just the common ends', () => {
    const d = lineDiff('x\na\nb\nc\ny', 'p\na\nb\nc\nq');
    expect(d.filter((l) => l.kind === 'same').map((l) => l.text)).toEqual(['a', 'b', 'c']);
    expect(d.filter((l) => l.kind !== 'same')).toHaveLength(4);
  });

  it('rebuilds both texts from any diff (identical, empty, reordered, \\r\\n line ends)', () => {
    const cases: Array<[string, string]> = [
      ['same\ntext', 'same\ntext'],
      ['', 'one\ntwo'],
      ['one\ntwo', ''],
      ['a\nb\nc\nd\ne', 'e\nd\nc\nb\na'],
      ['{{task}}\r\nLabels:\r\n{{labels}}', '{{task}}\nLabels (pick one):\n{{labels}}\n{{examples}}'],
    ];
    for (const [older, newer] of cases) {
      const d = lineDiff(older, newer);
      expect(sides(d)).toEqual({ older: older.replace(/\r\n/g, '\n'), newer });
    }
    expect(lineDiff('same\ntext', 'same\ntext').every((l) => l.kind === 'same')).toBe(true);
    // Five reversed lines share one line at most in order: 4 removed, 4 added.
    expect(lineDiff('a\nb\nc\nd\ne', 'e\nd\nc\nb\na').filter((l) => l.kind === 'same')).toHaveLength(1);
  });
});

describe('trialAccuracy (Wilson interval)', () => {
  const item = (correct: boolean | null): PromptTrialItem => ({
    exampleId: 1,
    text: '',
    gold: correct === null ? null : 'a',
    predicted: 'a',
    confidence: 0.9,
    correct,
    error: null,
  });

  it('8 right of 10 is 80% with the Wilson 95% interval 49.0%-94.3%; unlabelled documents do not count', () => {
    const a = trialAccuracy([
      ...Array.from({ length: 8 }, () => item(true)),
      ...Array.from({ length: 2 }, () => item(false)),
      item(null),
    ]);
    expect(a.scored).toBe(10);
    expect(a.correct).toBe(8);
    expect(a.value).toBeCloseTo(0.8, 10);
    // statsmodels proportion_confint(8, 10, method='wilson') = (0.4901624, 0.9433178)
    expect(a.low).toBeCloseTo(0.4901624, 6);
    expect(a.high).toBeCloseTo(0.9433178, 6);
  });

  it('with nothing to compare, there is no accuracy (not 0%)', () => {
    expect(trialAccuracy([item(null)])).toEqual({
      scored: 0,
      correct: 0,
      value: null,
      low: null,
      high: null,
    });
  });
});

describe('prompt lab on a real core (SQLite file, job manager, the tiny GGUF in its own process)', () => {
  let core: Core;
  let close: () => Promise<void>;
  let model: TeacherModel;
  let projectId: number;
  let exampleIds: number[];
  beforeAll(async () => {
    ({ core, close } = await testCore());
    model = await importTinyModel(core);
    const examples: ExampleSpec[] = [
      ...SENTENCES.slice(0, 8).map((text, i) => ({
        text,
        split: 'validation' as const,
        label: LABELS[i % 2].name,
      })),
      ...SENTENCES.slice(8).map((text, i) => ({ text, split: 'train' as const, label: LABELS[i % 2].name })),
      { text: 'A document nobody labelled.', split: 'train' as const },
    ];
    ({ projectId, exampleIds } = makeProject(core, { labels: LABELS, examples }));
  }, 120_000);
  afterAll(async () => close());

  it('saves numbered versions with who saved them and what changed, and diffs two of them', async () => {
    const v1 = await core.call('teacher.savePromptVersion', {
      projectId,
      name: 'Default',
      template: DEFAULT_PROMPT_TEMPLATE,
      task: 'Decide whether a clause is unfair.',
    });
    expect(v1).toMatchObject({ number: 1, name: 'Default', createdBy: 'me', mode: 'direct', fewShot: 0 });
    expect(v1.changed).toEqual(['template', 'task', 'mode', 'fewShot']);
    const template2 = DEFAULT_PROMPT_TEMPLATE.replace(
      'Classify the text',
      'Think of consumer law.\nClassify the text',
    );
    // In team mode the logged-in person is recorded, whatever the local profile says.
    const v2 = await runAs({ username: 'dana', role: 'lead' }, () =>
      core.call('teacher.savePromptVersion', {
        projectId,
        name: 'Consumer law hint',
        template: template2,
        task: 'Decide whether a clause is unfair.',
      }),
    );
    expect(v2).toMatchObject({ number: 2, createdBy: 'dana', changed: ['template'] });
    const list = await core.call('teacher.promptVersions', { projectId });
    expect(list.map((v) => v.name)).toEqual(['Default', 'Consumer law hint']);

    const diff = await core.call('teacher.promptDiff', { fromId: v2.id, toId: v1.id });
    expect(diff.from.id).toBe(v1.id);
    expect(diff.changed).toEqual(['template']);
    expect(diff.template.filter((l) => l.kind === 'added').map((l) => l.text)).toEqual([
      'Think of consumer law.',
    ]);
    expect(diff.template.filter((l) => l.kind === 'removed')).toEqual([]);
    expect(diff.task.every((l) => l.kind === 'same')).toBe(true);

    const log = core.db
      .prepare("SELECT actor, entity_id FROM audit_log WHERE action = 'prompt_version' ORDER BY id")
      .all() as Array<{ actor: string; entity_id: number }>;
    expect(log).toEqual([
      { actor: 'me', entity_id: v1.id },
      { actor: 'dana', entity_id: v2.id },
    ]);
  });

  it('refuses a version without {{text}} or without a name, and saves nothing', async () => {
    const before = (await core.call('teacher.promptVersions', { projectId })).length;
    await expect(
      core.call('teacher.savePromptVersion', {
        projectId,
        name: 'Broken',
        template: 'No text here',
        task: '',
      }),
    ).rejects.toThrow(/\{\{text\}\}/);
    await expect(
      core.call('teacher.savePromptVersion', {
        projectId,
        name: '  ',
        template: DEFAULT_PROMPT_TEMPLATE,
        task: '',
      }),
    ).rejects.toThrow(/name/);
    expect((await core.call('teacher.promptVersions', { projectId })).length).toBe(before);
  });

  it('shows the exact text the model reads: task, labels, few-shot examples, the document and the chat template', async () => {
    await core.call('teacher.setTask', { projectId, task: 'Spot unfair clauses in terms of service.' });
    const doc = exampleIds[2];
    const text = await core.call('teacher.promptText', {
      projectId,
      modelId: model.id,
      exampleId: doc,
      fewShot: 2,
      ...local,
    });
    expect(text.userTurn).toContain('Spot unfair clauses in terms of service.');
    expect(text.userTurn).toContain('- fair\n- unfair');
    expect(text.userTurn).toContain('Examples:');
    expect(text.userTurn).toContain(SENTENCES[2]);
    expect(text.modelText).not.toBeNull();
    // The chat template wraps the user turn: the model reads more than the user turn, and all of it.
    expect(text.modelText).toContain(SENTENCES[2]);
    expect(text.modelText).toContain('Spot unfair clauses in terms of service.');
    expect(text.modelText!.length).toBeGreaterThan(text.userTurn.length);
    expect(text.tokens).toBeGreaterThan(10);
    // A saved version's own task replaces the project's.
    const [v1] = await core.call('teacher.promptVersions', { projectId });
    const fromVersion = await core.call('teacher.promptText', {
      projectId,
      modelId: model.id,
      exampleId: doc,
      versionId: v1.id,
      ...local,
    });
    expect(fromVersion.userTurn).toContain('Decide whether a clause is unfair.');
    expect(fromVersion.userTurn).not.toContain('Examples:');
  });

  it('previews a version on a seeded sample of labelled validation documents as a job, with accuracy', async () => {
    const [v1, v2] = await core.call('teacher.promptVersions', { projectId });
    const request = { projectId, modelId: model.id, versionId: v1.id, sample: 6, ...local };
    const job = await core.call('teacher.trial', request);
    // A second click while it runs gets the same job.
    const again = await core.call('teacher.trial', request);
    expect(again.id).toBe(job.id);
    const done = await core.jobs.wait(job.id);
    expect(done.state, done.error ?? '').toBe('completed');
    const r = jobResult(done, 'teacher.trial')!;
    expect(r.source).toBe('validation-sample');
    expect(r.versionNumber).toBe(1);
    expect(r.items).toHaveLength(6);
    const validation = new Set(exampleIds.slice(0, 8));
    for (const item of r.items) {
      expect(validation.has(item.exampleId)).toBe(true);
      expect(item.gold).toMatch(/^(fair|unfair)$/);
      expect(item.predicted).toMatch(/^(fair|unfair)$/);
      expect(item.correct).toBe(item.gold === item.predicted);
    }
    expect(r.scored).toBe(6);
    expect(r.correct).toBe(r.items.filter((i) => i.correct).length);
    expect(r.accuracy.value).toBeCloseTo(r.correct / 6, 10);
    expect(r.accuracy.low!).toBeLessThanOrEqual(r.accuracy.value!);
    expect(r.accuracy.high!).toBeGreaterThanOrEqual(r.accuracy.value!);

    // The other version on the same seed reads the same documents: a fair side-by-side comparison.
    const other = await core.jobs.wait(
      (await core.call('teacher.trial', { ...request, versionId: v2.id })).id,
    );
    const r2 = jobResult(other, 'teacher.trial')!;
    expect(r2.items.map((i) => i.exampleId)).toEqual(r.items.map((i) => i.exampleId));
    expect(r2.versionName).toBe('Consumer law hint');
  }, 120_000);

  it('previews documents the person picked (an unlabelled one has no verdict), and refuses unknown ones', async () => {
    const picked = [exampleIds[0], exampleIds[exampleIds.length - 1]];
    const job = await core.call('teacher.trial', {
      projectId,
      modelId: model.id,
      exampleIds: picked,
      ...local,
    });
    const r = jobResult(await core.jobs.wait(job.id), 'teacher.trial')!;
    expect(r.source).toBe('picked');
    expect(r.items.map((i) => i.exampleId)).toEqual(picked);
    expect(r.items[1]).toMatchObject({ gold: null, correct: null });
    expect(r.scored).toBe(1);
    await expect(
      core.call('teacher.trial', { projectId, modelId: model.id, exampleIds: [999_999], ...local }),
    ).rejects.toThrow(/Not in this project \(or removed by cleaning\): document 999999\./);
  }, 120_000);

  it('refuses a preview in a multi-label project with what to do instead (it scores one label per document)', async () => {
    const multi = await core.call('projects.create', { name: 'multi-label preview', kind: 'multi' });
    await expect(
      core.call('teacher.trial', { projectId: multi.id, modelId: model.id, sample: 6, ...local }),
    ).rejects.toThrow(/single-label projects only.*random sample/);
    expect(core.jobs.list({ projectId: multi.id }).filter((j) => j.kind === 'teacher.trial')).toHaveLength(0);
  });

  it('a preview can be cancelled', async () => {
    const job = await core.call('teacher.trial', {
      projectId,
      modelId: model.id,
      sample: 8,
      sampleSeed: 9,
      ...local,
    });
    await core.call('jobs.cancel', { jobId: job.id });
    const done = await core.jobs.wait(job.id);
    expect(done.state).toBe('cancelled');
  }, 120_000);

  it('a teacher run records the prompt version it used (named, or matched by its exact prompt)', async () => {
    const [v1, v2] = await core.call('teacher.promptVersions', { projectId });
    const named = await core.call('teacher.run', {
      projectId,
      modelId: model.id,
      promptVersionId: v2.id,
      exampleIds: exampleIds.slice(0, 2),
      ...local,
    });
    expect(named.run.promptVersion).toEqual({ id: v2.id, number: 2, name: 'Consumer law hint' });
    expect(named.run.promptTemplate).toContain('Think of consumer law.');
    await core.jobs.wait(named.job.id);
    // Same template, task, mode and few-shot count as version 1: matched without naming it.
    await core.call('teacher.setTask', { projectId, task: v1.task });
    const matched = await core.call('teacher.run', {
      projectId,
      modelId: model.id,
      template: v1.template,
      exampleIds: exampleIds.slice(0, 2),
      ...local,
    });
    expect(matched.run.promptVersion?.id).toBe(v1.id);
    await core.jobs.wait(matched.job.id);
    const unsaved = await core.call('teacher.run', {
      projectId,
      modelId: model.id,
      template: `${v1.template}\n`,
      exampleIds: exampleIds.slice(0, 1),
      ...local,
    });
    expect(unsaved.run.promptVersion).toBeNull();
    await core.jobs.wait(unsaved.job.id);
  }, 120_000);
});
