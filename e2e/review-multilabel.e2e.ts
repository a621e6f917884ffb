import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { invoke, openApp, ROOT, uploadFile, type AppSession } from './harness';
import { app } from './pages';

const CLAUDETTE = join(ROOT, '..', 'shared', 'datasets', 'unfair_tos', 'claudette50_sentences.tsv');

let session: AppSession | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

/** A project whose documents are the first `rows` sentences of CLAUDETTE (text only: people label them here). */
async function projectWithSentences(
  s: AppSession,
  name: string,
  kind: 'single' | 'multi',
  labels: readonly string[],
  rows: number,
): Promise<Project> {
  const lines = readFileSync(CLAUDETTE, 'utf8').split('\n');
  const file = join(s.server.dataDir, `${name}.tsv`);
  writeFileSync(file, lines.slice(0, rows + 1).join('\n') + '\n');
  const project = await invoke<Project>(s.server, 'projects.create', { name, kind });
  await invoke(s.server, 'dataset.saveLabels', {
    projectId: project.id,
    labels: labels.map((n) => ({ name: n })),
  });
  const job = await invoke<Job>(s.server, 'dataset.import', {
    projectId: project.id,
    path: await uploadFile(s.server, file),
    textColumn: 'text',
  });
  for (;;) {
    const j = await invoke<Job>(s.server, 'jobs.get', { jobId: job.id });
    if (j.state === 'completed') break;
    if (j.state === 'failed' || j.state === 'cancelled') throw new Error(`import ${j.state}: ${j.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return project;
}

/** Teacher outputs as the teacher feature writes them (no LLM runs in this test): `probsOf(i)` per document. */
function insertTeacherRun(
  dataDir: string,
  projectId: number,
  multi: boolean,
  probsOf: (i: number) => number[],
): void {
  const db = new Database(join(dataDir, 'distillery.db'));
  try {
    const labels = db
      .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position, id')
      .all(projectId) as Array<{ id: number; name: string }>;
    const now = new Date().toISOString();
    const runId = Number(
      db
        .prepare(
          `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
           VALUES (?, 'e2e', 'direct', 'prompt', ?, ?)`,
        )
        .run(projectId, JSON.stringify(labels), now).lastInsertRowid,
    );
    const ids = db
      .prepare('SELECT id FROM examples WHERE project_id = ? ORDER BY id')
      .pluck()
      .all(projectId) as number[];
    const insert = db.prepare(
      `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    ids.forEach((id, i) => {
      const p = probsOf(i);
      const best = p.indexOf(Math.max(...p));
      insert.run(
        runId,
        id,
        JSON.stringify(p),
        JSON.stringify(p.map((x) => Math.log(Math.max(x, 1e-12)))),
        multi ? null : labels[best].id,
        0.5,
        multi ? Math.min(...p.map((x) => Math.abs(2 * x - 1))) : 0.2,
        now,
      );
    });
  } finally {
    db.close();
  }
}

function answers(
  dataDir: string,
  projectId: number,
): Array<{ exampleId: number; labelId: number | null; labelSet: string | null; source: string }> {
  const db = new Database(join(dataDir, 'distillery.db'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT example_id AS exampleId, label_id AS labelId, label_set AS labelSet, source FROM annotations
         WHERE project_id = ? AND retracted_at IS NULL ORDER BY id`,
      )
      .all(projectId) as Array<{
      exampleId: number;
      labelId: number | null;
      labelSet: string | null;
      source: string;
    }>;
  } finally {
    db.close();
  }
}

function labelIds(dataDir: string, projectId: number): Map<string, number> {
  const db = new Database(join(dataDir, 'distillery.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT id, name FROM labels WHERE project_id = ?').all(projectId) as Array<{
      id: number;
      name: string;
    }>;
    return new Map(rows.map((r) => [r.name, r.id]));
  } finally {
    db.close();
  }
}

async function openReview(page: Page, name: string): Promise<void> {
  await page.reload();
  await app.waitForProjects(page);
  await app.openProject(page, name);
  await app.goToStep(page, 'review');
  await page.getByTestId('review-step').waitFor();
}

async function shownId(page: Page): Promise<number> {
  const doc = page.getByTestId('review-doc');
  await doc.waitFor();
  return Number(await doc.getAttribute('data-example-id'));
}

/** Waits until the saved counter reads `n` (every answer given so far is in the database). */
async function savedCount(page: Page, n: number): Promise<void> {
  await page
    .getByTestId('saved-count')
    .getByText(new RegExp(`^${n} saved$`))
    .waitFor();
}

async function keyOf(page: Page, label: string): Promise<string> {
  return (await page.getByTestId(`label-${label}`).getByTestId('label-keys').getAttribute('data-keys')) ?? '';
}

const UNFAIR = [
  'Arbitration',
  'Choice of law',
  'Content removal',
  'Contract by using',
  'Jurisdiction',
  'Limitation of liability',
  'Unilateral change',
  'Unilateral termination',
];

it('multi-label review of CLAUDETTE sentences from the keyboard: keys toggle, Enter saves the set, an empty set is "none of these"', async () => {
  session = await openApp();
  const { page, server } = session;
  await app.waitForProjects(page);
  const project = await projectWithSentences(session, 'ToS sentences', 'multi', UNFAIR, 30);
  // Teacher: document 0 gets "Contract by using" and "Unilateral change" above 0.5, the others nothing.
  insertTeacherRun(server.dataDir, project.id, true, (i) =>
    UNFAIR.map((n) => (i === 0 && (n === 'Contract by using' || n === 'Unilateral change') ? 0.8 : 0.1)),
  );
  const ids = labelIds(server.dataDir, project.id);
  await openReview(page, 'ToS sentences');
  // Nothing chosen yet: the set reads "None of these"; the teacher's bars are independent.
  await page.getByTestId('draft-none').waitFor();
  await page.getByTestId('teacher-view').waitFor();
  await expect(page.getByTestId('teacher-bar').count()).resolves.toBe(5);
  const first = await shownId(page);
  const use = await keyOf(page, 'Contract by using');
  const ltd = await keyOf(page, 'Limitation of liability');
  const ch = await keyOf(page, 'Unilateral change');
  expect(use).toMatch(/^[1-9]$/);
  // Toggle three labels on, one off again: the set shown follows the keys.
  await page.keyboard.press(use);
  await page.keyboard.press(ltd);
  await page.keyboard.press(ch);
  await page.keyboard.press(ltd);
  const expected = [ids.get('Contract by using'), ids.get('Unilateral change')]
    .map(Number)
    .sort((a, b) => a - b);
  await page.locator(`[data-testid="draft-set"][data-labels="${expected.join(',')}"]`).waitFor();
  await expect(page.getByTestId('label-Unilateral change').getAttribute('aria-pressed')).resolves.toBe(
    'true',
  );
  await expect(page.getByTestId('label-Limitation of liability').getAttribute('aria-pressed')).resolves.toBe(
    'false',
  );
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="review-doc"]:not([data-example-id="${first}"])`).waitFor();
  const second = await shownId(page);
  // The next document starts empty: Enter saves "none of these".
  await page.getByTestId('draft-none').waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="review-doc"]:not([data-example-id="${second}"])`).waitFor();
  await savedCount(page, 2);
  expect(answers(server.dataDir, project.id)).toEqual([
    { exampleId: first, labelId: null, labelSet: JSON.stringify(expected), source: 'human' },
    { exampleId: second, labelId: null, labelSet: '[]', source: 'human' },
  ]);
  // Z undoes: the empty set's document comes back, shown with its set ("None of these") gone.
  await page.keyboard.press('z');
  await page.locator(`[data-testid="review-doc"][data-example-id="${second}"]`).waitFor();
  expect(answers(server.dataDir, project.id)).toHaveLength(1);
  // The "all" queue shows the first document with its saved set, and the document's history names it.
  await page.getByTestId('queue-select').click();
  await page.getByRole('option', { name: /^All documents/ }).click();
  // Back to the document (the queue list had the keyboard).
  await page.getByTestId('review-doc').click();
  await page.locator(`[data-testid="review-doc"][data-example-id="${first}"]`).waitFor();
  await expect(page.getByTestId('current-label').textContent()).resolves.toBe(
    'Contract by usingUnilateral change',
  );
  await expect(page.getByTestId('doc-history').textContent()).resolves.toContain(
    'Contract by using, Unilateral change',
  );
  // Shift+Enter accepts the teacher's set here (it is the same set): saved as an accepted teacher label.
  await page.keyboard.press('Shift+Enter');
  await savedCount(page, 3);
  expect(answers(server.dataDir, project.id).at(-1)).toEqual({
    exampleId: first,
    labelId: null,
    labelSet: JSON.stringify(expected),
    source: 'teacher_accept',
  });
}, 180_000);

it('a single-label project with 30 labels: letter keys beyond 9, the filter box, the teacher top 5 folded, labels beside the text', async () => {
  session = await openApp();
  const { page, server } = session;
  await app.waitForProjects(page);
  const names = Array.from({ length: 30 }, (_, i) => `Topic ${String(i + 1).padStart(2, '0')}`);
  const project = await projectWithSentences(session, 'Thirty topics', 'single', names, 20);
  insertTeacherRun(server.dataDir, project.id, false, () => names.map((_, k) => (k === 12 ? 0.42 : 0.02)));
  const ids = labelIds(server.dataDir, project.id);
  await openReview(page, 'Thirty topics');
  const first = await shownId(page);
  // The column of labels is beside the text, not below it, and scrolls on its own.
  const doc = await page.getByTestId('review-doc').boundingBox();
  const column = await page.getByTestId('label-column').boundingBox();
  expect(doc && column).toBeTruthy();
  expect(column!.x).toBeGreaterThan(doc!.x + doc!.width - 1);
  expect(column!.y).toBeLessThan(doc!.y + doc!.height);
  // Every label has its own default colour (the shared palette: no repeat below 20 labels).
  const colours = await page
    .getByTestId('label-buttons')
    .getByRole('button')
    .evaluateAll((els) =>
      // Runs in the page: its window computes the style.
      els.slice(0, 20).map(
        (el) =>
          (
            el.ownerDocument.defaultView as unknown as {
              getComputedStyle: (e: typeof el) => { backgroundColor: string };
            }
          ).getComputedStyle(el).backgroundColor,
      ),
    );
  expect(new Set(colours).size).toBe(20);
  // Keys: 1-9, then letters (no S, no Z); the hint on the button is the key that works.
  await expect(keyOf(page, 'Topic 09')).resolves.toBe('9');
  await expect(keyOf(page, 'Topic 10')).resolves.toBe('a');
  await expect(keyOf(page, 'Topic 19')).resolves.toBe('j');
  await expect(keyOf(page, 'Topic 28')).resolves.toBe('t');
  await page.keyboard.press('t');
  await page.locator(`[data-testid="review-doc"]:not([data-example-id="${first}"])`).waitFor();
  const second = await shownId(page);
  // The filter box: / reaches it, typing narrows the labels, Enter chooses the first match.
  await page.keyboard.press('/');
  await page.keyboard.type('topic 27');
  await expect(page.getByTestId('label-buttons').getByRole('button').count()).resolves.toBe(1);
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="review-doc"]:not([data-example-id="${second}"])`).waitFor();
  await savedCount(page, 2);
  expect(answers(server.dataDir, project.id).map((a) => [a.exampleId, a.labelId])).toEqual([
    [first, ids.get('Topic 28')],
    [second, ids.get('Topic 27')],
  ]);
  // The teacher panel: the top 5 labels, the other 25 folded.
  await expect(page.getByTestId('teacher-bar').count()).resolves.toBe(5);
  await expect(page.getByTestId('teacher-bar').first().getAttribute('data-label')).resolves.toBe('Topic 13');
  await page.getByTestId('teacher-more').click();
  await expect(page.getByTestId('teacher-bar').count()).resolves.toBe(30);
}, 180_000);
