import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { CLAUDETTE_LABELS, claudettePerLabel } from '../tests/multilabel/fixture';
import { invoke, openApp, serveFolder, uploadFile, type AppSession } from './harness';
import { app } from './pages';
import { waitForJob } from './setup';

const UNLABELLED = 6;

/**
 * CLAUDETTE sentences with the corpus's own |-joined labels: the first 4 of each of the 8 labels and 12 with none
 * (a split column: every 5th validation, the next test), and UNLABELLED more for the teacher and the review.
 */
function writeFiles(dir: string): { labelled: string; unlabelled: string; rows: number } {
  const { labelled: kept, none } = claudettePerLabel(4, { minLength: 41, maxLength: 399 });
  const all = [...kept, ...none.slice(0, 12)];
  const split = (i: number): string => ['train', 'train', 'train', 'validation', 'test'][i % 5];
  const labelled = join(dir, 'claudette-labelled.tsv');
  writeFileSync(
    labelled,
    ['text\tlabels\tsplit', ...all.map((r, i) => `${r.text}\t${r.labels}\t${split(i)}`)].join('\n') + '\n',
  );
  const unlabelled = join(dir, 'claudette-unlabelled.tsv');
  writeFileSync(
    unlabelled,
    ['text\tsplit', ...none.slice(12, 12 + UNLABELLED).map((r) => `${r.text}\ttrain`)].join('\n') + '\n',
  );
  return { labelled, unlabelled, rows: all.length };
}

async function pick(page: Page, select: string, option: string): Promise<void> {
  await page.getByTestId(select).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The independent bars shown under `scope`: label, probability and threshold of each. */
async function bars(
  page: Page,
  scope: string,
): Promise<Array<{ label: string; p: number; threshold: number }>> {
  return page.locator(`[data-testid="${scope}"] [data-testid="${scope}-multi-bar"]`).evaluateAll((els) =>
    els.map((e) => ({
      label: e.getAttribute('data-label') ?? '',
      p: Number(e.getAttribute('data-prob')),
      threshold: Number(e.getAttribute('data-threshold')),
    })),
  );
}

let session: AppSession | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

it('a multi-label project through the six steps in Chromium: import, teacher, review, train, evaluate, export playground and batch', async () => {
  session = await openApp();
  const { page, server } = session;
  const files = writeFiles(server.dataDir);

  // Data: a multi-label project; the |-joined column read as label sets, with its split column.
  await app.waitForProjects(page);
  await app.createProject(page, 'ToS, six steps', { multiLabel: true });
  await page.getByTestId('data-step').waitFor();
  await page.getByTestId('data-tab-import').click();
  await page.getByTestId('data-file-input').setInputFiles(files.labelled);
  await page.getByTestId('import-preview').waitFor();
  await pick(page, 'map-text', 'text');
  await page.getByTestId('multilabel-import').waitFor();
  await pick(page, 'multilabel-format', 'One column: names separated by a delimiter');
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-done').waitFor({ timeout: 120_000 });
  // Sentences with no label yet (the teacher's and the reviewer's work), added through the contract.
  const projectId = (await invoke<Array<{ id: number; name: string }>>(server, 'projects.list', {})).find(
    (p) => p.name === 'ToS, six steps',
  )?.id as number;
  const job = await invoke<Job>(server, 'dataset.import', {
    projectId,
    path: await uploadFile(server, files.unlabelled),
    textColumn: 'text',
    splitColumn: 'split',
  });
  expect((await waitForJob(server, job.id)).state).toBe('completed');

  // Teacher: the tiny GGUF, only the documents without a human label, a yes/no question per label.
  await app.goToStep(page, 'teacher');
  await page.getByTestId('teacher-import-input').setInputFiles(tinyModelPath());
  await page.getByTestId('teacher-model').first().waitFor({ timeout: 60_000 });
  await page.getByTestId('teacher-scope-kind').getByText('Only without a human label').click();
  await expect
    .poll(() => page.getByTestId('teacher-plan').textContent(), { timeout: 30_000 })
    .toMatch(new RegExp(`covers ${UNLABELLED} examples: ${UNLABELLED} to label`));
  await page.getByTestId('teacher-run').click();
  await page
    .locator('[data-testid="teacher-job"] [data-testid="job-row"][data-job-state="completed"]')
    .waitFor({ timeout: 200_000 });
  await expect.poll(() => page.getByTestId('teacher-output').count(), { timeout: 30_000 }).toBe(UNLABELLED);

  // Review: the unreviewed queue holds the teacher's documents; two label keys and Enter, then Enter for none.
  await app.goToStep(page, 'review');
  await page.getByTestId('review-step').waitFor();
  const first = Number(await page.getByTestId('review-doc').getAttribute('data-example-id'));
  for (const label of ['Arbitration', 'Jurisdiction']) {
    const key = await page.getByTestId(`label-${label}`).getByTestId('label-keys').getAttribute('data-keys');
    await page.keyboard.press(key ?? '');
  }
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="review-doc"]:not([data-example-id="${first}"])`).waitFor();
  await page.getByTestId('draft-none').waitFor();
  await page.keyboard.press('Enter');
  await page
    .getByTestId('saved-count')
    .getByText(/^2 saved$/)
    .waitFor();

  // Train: the sparse student by hand (Auto off, a few epochs); a threshold per label is shown.
  await app.goToStep(page, 'train');
  await page.getByTestId('train-toggle-settings').click();
  await page.getByTestId('train-auto').click();
  const epochs = page.getByTestId('train-field-maxEpochs');
  await epochs.fill('6');
  await epochs.blur();
  await page.getByTestId('train-start').click();
  await page
    .locator('[data-testid="train-run-panel"][data-run-state="completed"]')
    .waitFor({ timeout: 120_000 });
  await page.getByTestId('train-thresholds').waitFor();

  // Evaluate: the student on the gold test split, a row per label; one label's threshold typed in and saved.
  const runId = (await invoke<Array<{ id: number }>>(server, 'student.runs', { projectId }))[0].id;
  const labelled: readonly string[] = CLAUDETTE_LABELS;
  await app.goToStep(page, 'evaluate');
  await page.locator('[data-testid="evaluate-step"][data-kind="multi"]').waitFor();
  await page.getByTestId('eval-evaluate').click();
  await page
    .locator(`[data-testid="eval-detail"][data-model="student-${runId}"]`)
    .waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId('per-label-row').count()).toBe(labelled.length);
  await page.getByTestId('eval-tab-thresholds').click();
  const choiceOfLaw = page.locator('[data-testid="threshold-row"][data-label="Choice of law"]');
  await choiceOfLaw.getByTestId('threshold-input').fill('0.01');
  await choiceOfLaw.getByTestId('threshold-input').blur();
  await page.getByTestId('threshold-save').click();
  const detail = await invoke<{ labels: string[]; thresholds: number[] }>(server, 'student.run', { runId });
  expect(detail.labels).toEqual(labelled);
  await expect
    .poll(
      async () => (await invoke<{ thresholds: number[] }>(server, 'student.run', { runId })).thresholds[1],
    )
    .toBe(0.01);
  const saved = (await invoke<{ thresholds: number[] }>(server, 'student.run', { runId })).thresholds;

  // Export: the playground shows every label at or above its threshold with its probability, the others folded.
  await app.goToStep(page, 'export');
  await page.getByTestId('export-step').waitFor();
  await expect(page.getByTestId('export-threshold-info').textContent()).resolves.toMatch(
    /Multi-label model.*saved in Evaluate/,
  );
  const text =
    'Any dispute shall be resolved by binding arbitration under the laws of the State of California.';
  await page.getByTestId('playground-text').fill(text);
  await page.getByTestId('playground-predict').click();
  await page.getByTestId('playground-student').waitFor();
  const expected = await invoke<{ probs: number[][] }>(server, 'student.predict', { runId, texts: [text] });
  const shown = await bars(page, 'playground-student');
  const above = detail.labels
    .map((label, k) => ({ label, p: expected.probs[0][k], threshold: saved[k] }))
    .filter((x) => x.p >= x.threshold)
    .sort((a, b) => b.p - a.p);
  expect(above.map((x) => x.label)).toContain('Choice of law');
  expect(shown.map((x) => x.label)).toEqual(above.map((x) => x.label));
  shown.forEach((x, i) => {
    expect(x.p).toBeCloseTo(above[i].p, 9);
    expect(x.threshold).toBeCloseTo(above[i].threshold, 12);
  });
  await expect(page.getByTestId('playground-student-label').textContent()).resolves.toBe(
    `Labels predicted: ${above.map((x) => x.label).join(', ')}`,
  );
  // Independent bars: the probabilities of one text need not add up to 1.
  expect(Math.abs(expected.probs[0].reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(0.01);
  // The labels below their thresholds are folded, and unfold.
  await page.getByTestId('playground-student-multi-fold').click();
  expect((await bars(page, 'playground-student')).map((x) => x.label).sort()).toEqual([...labelled].sort());

  // The teacher beside it: its own yes/no per label, independent bars at 50%.
  await page.getByText('Also ask the teacher (slower)').click();
  await page.getByTestId('playground-predict').click();
  await page.getByTestId('playground-teacher').waitFor({ timeout: 60_000 });
  await page.getByTestId('playground-teacher-multi-probabilities').waitFor();
  for (const x of await bars(page, 'playground-teacher')) {
    expect(x.threshold).toBe(0.5);
    expect(x.p).toBeGreaterThanOrEqual(0.5);
  }
  const teacherFold = page.getByTestId('playground-teacher-multi-fold');
  if (await teacherFold.count()) await teacherFold.click();
  const teacher = await bars(page, 'playground-teacher');
  expect(teacher.map((x) => x.label).sort()).toEqual([...labelled].sort());
  // Its answers need not add up to 1 either: each is P(yes) / (P(yes) + P(no)) of its own question.
  for (const x of teacher) expect(x.p > 0 && x.p < 1).toBe(true);

  // Batch prediction of a file: label sets and every label's probability, per row, as CSV.
  const batchFile = join(server.dataDir, 'to-predict.csv');
  const batchTexts = [
    text,
    'You can contact our support team by email.',
    'We may terminate your account at any time.',
  ];
  writeFileSync(batchFile, ['text', ...batchTexts.map((x) => `"${x}"`)].join('\n') + '\n');
  await page.getByTestId('batch-multi-hint').waitFor();
  await page.getByTestId('batch-file-input').setInputFiles(batchFile);
  await page.getByTestId('batch-text-column').waitFor();
  await page.getByTestId('batch-start').click();
  await page.getByTestId('batch-result').waitFor({ timeout: 60_000 });
  const predictions = readdirSync(join(server.dataDir, 'exports', 'predictions')).filter((f) =>
    f.endsWith('.csv'),
  );
  expect(predictions).toHaveLength(1);
  const [header, ...csvRows] = readFileSync(
    join(server.dataDir, 'exports', 'predictions', predictions[0]),
    'utf8',
  )
    .trim()
    .split('\n');
  expect(header).toBe(['row', 'id', 'text', 'label', ...labelled.map((l) => `p_${l}`)].join(','));
  expect(csvRows).toHaveLength(batchTexts.length);
  const batchExpected = await invoke<{ probs: number[][] }>(server, 'student.predict', {
    runId,
    texts: batchTexts,
  });
  const counts: Record<string, number> = {};
  let none = 0;
  csvRows.forEach((row, i) => {
    const cells = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '')) ?? [];
    const probs = cells.slice(4, 12).map(Number);
    probs.forEach((p, k) => expect(p).toBeCloseTo(batchExpected.probs[i][k], 9));
    const set = labelled
      .map((label, k) => ({ label, p: probs[k] }))
      .filter((x, k) => x.p >= saved[k])
      .sort((a, b) => b.p - a.p)
      .map((x) => x.label);
    expect(cells[3]).toBe(set.join('|'));
    for (const l of set) counts[l] = (counts[l] ?? 0) + 1;
    if (!set.length) none++;
  });
  const summary = await page.getByTestId('batch-label-counts').textContent();
  for (const [label, n] of Object.entries(counts)) expect(summary).toContain(`${label}: ${n}`);
  expect(summary).toContain(`None of these: ${none}`);

  // The exported folder's sample page, served with nothing of Distillery behind it, decides the same sets.
  await page.getByTestId('export-student').click();
  await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
  const dir = (await page.getByTestId('export-result').getAttribute('data-dir')) as string;
  const served = await serveFolder(dir);
  try {
    const browser = page.context().browser();
    if (!browser) throw new Error('No browser behind the page.');
    const sampleContext = await browser.newContext();
    const sample = await sampleContext.newPage();
    await sample.goto(served.url);
    await sample.waitForFunction(() => 'studentModel' in globalThis);
    await expect(sample.locator('#status').textContent()).resolves.toMatch(/^Multi-label model/);
    const sets = await sample.evaluate(
      (texts) =>
        (
          globalThis as unknown as {
            studentModel: { predict(t: string[]): Array<{ labelSet: Array<{ label: string }> }> };
          }
        ).studentModel
          .predict(texts)
          .map((p) => p.labelSet.map((l) => l.label)),
      batchTexts,
    );
    const fromCsv = csvRows.map((row) =>
      (row.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? [])[3].replace(/,$/, ''),
    );
    expect(sets.map((x) => x.join('|'))).toEqual(fromCsv);
    await sample.locator('#text').fill(batchTexts[0]);
    await sample.locator('#predict').click();
    await expect(sample.locator('#decided').textContent()).resolves.toBe(
      '→ ' + (sets[0].length ? sets[0].join(', ') : 'none of these'),
    );
    await sampleContext.close();
  } finally {
    await new Promise<void>((r) => served.server.close(() => r()));
  }

  // The same screen in Chinese.
  await app.setLanguage(page, '简体中文');
  await expect(page.getByTestId('export-threshold-info').textContent()).resolves.toMatch(/多标签模型/);
  await page.getByTestId('playground-predict').click();
  await expect
    .poll(() => page.getByTestId('playground-student-label').textContent())
    .toMatch(/^预测标签：|^预测结果：都不适用$/);
}, 600_000);
