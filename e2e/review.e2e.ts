import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '../src/shared/projects';
import type { ReviewItem } from '../src/shared/review';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

/** Review-step helpers: what a person does, not selectors. */
const review = {
  async open(page: Page): Promise<void> {
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'review');
    await page.getByTestId('review-step').waitFor();
  },
  async shownId(page: Page): Promise<number> {
    const doc = page.getByTestId('review-doc');
    await doc.waitFor();
    return Number(await doc.getAttribute('data-example-id'));
  },
  /** Presses a key and waits until another document is shown. */
  async pressAndWaitForNext(page: Page, key: string, before: number): Promise<number> {
    await page.keyboard.press(key);
    await page.locator(`[data-testid="review-doc"]:not([data-example-id="${before}"])`).waitFor();
    return review.shownId(page);
  },
  async switchAnnotator(page: Page, name: string): Promise<void> {
    await page.getByTestId('annotator-input').fill(name);
    await page.getByTestId('annotator-switch').click();
    await page.getByTestId('current-annotator').getByText(name, { exact: true }).waitFor();
    await page.getByTestId('review-doc').waitFor();
  },
};

async function demoProject(session: AppSession): Promise<Project> {
  const projects = await invoke<Project[]>(session.server, 'projects.list');
  const demo = projects.find((p) => p.name === DEMO);
  if (!demo) throw new Error('demo project missing');
  return demo;
}

/** The teacher's outputs, written as the teacher feature writes them: no LLM can run in this test. */
function insertTeacherRun(dataDir: string, projectId: number): number {
  const db = new Database(join(dataDir, 'distillery.db'));
  try {
    const labels = db
      .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position')
      .all(projectId) as Array<{ id: number; name: string }>;
    const now = new Date().toISOString();
    const run = db
      .prepare(
        `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
         VALUES (?, 'e2e', 'direct', 'prompt', ?, ?)`,
      )
      .run(projectId, JSON.stringify(labels), now);
    const runId = Number(run.lastInsertRowid);
    const examples = db
      .prepare("SELECT id FROM examples WHERE project_id = ? AND split = 'train' ORDER BY id")
      .all(projectId) as Array<{ id: number }>;
    const insert = db.prepare(
      `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      examples.forEach((e, i) => {
        // A spread of confidences: every fifth document at 0.95, the rest between 0.55 and 0.85.
        const top = i % 5 === 0 ? 0.95 : 0.55 + (i % 4) * 0.1;
        const probs = i % 2 === 0 ? [top, 1 - top] : [1 - top, top];
        const entropy = -probs.reduce((s, p) => s + p * Math.log(p), 0);
        insert.run(
          runId,
          e.id,
          JSON.stringify(probs),
          JSON.stringify(probs.map(Math.log)),
          labels[i % 2 === 0 ? 0 : 1].id,
          entropy,
          Math.abs(probs[0] - probs[1]),
          now,
        );
      });
    })();
    return runId;
  } finally {
    db.close();
  }
}

function insertExample(dataDir: string, projectId: number, text: string): number {
  const db = new Database(join(dataDir, 'distillery.db'));
  try {
    return Number(
      db
        .prepare(
          `INSERT INTO examples (project_id, text, length, split, created_at) VALUES (?, ?, ?, 'train', ?)`,
        )
        .run(projectId, text, text.length, new Date().toISOString()).lastInsertRowid,
    );
  } finally {
    db.close();
  }
}

function addLabels(dataDir: string, projectId: number, n: number): Map<string, number> {
  const db = new Database(join(dataDir, 'distillery.db'));
  try {
    const insert = db.prepare(
      'INSERT INTO labels (project_id, name, position, created_at) VALUES (?, ?, ?, ?)',
    );
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const name = `extra ${i}`;
      ids.set(name, Number(insert.run(projectId, name, 10 + i, new Date().toISOString()).lastInsertRowid));
    }
    return ids;
  } finally {
    db.close();
  }
}

describe('review step (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('labels 30 documents with the keyboard only, undoes, switches annotator, and keeps every label across a reload and a kill', async () => {
    session = await openApp();
    const { page, server } = session;
    const project = await demoProject(session);
    await review.open(page);

    const given = new Map<number, string>();
    let id = await review.shownId(page);
    for (let i = 0; i < 30; i++) {
      const key = i % 3 === 0 ? 'u' : i % 3 === 1 ? '1' : 'f';
      given.set(id, key === 'u' ? 'unfair' : 'fair');
      id = await review.pressAndWaitForNext(page, key, id);
    }
    // Undo brings the last document back with its label retracted; label it again, differently.
    const last = [...given.keys()].at(-1) ?? 0;
    id = await review.pressAndWaitForNext(page, 'z', id);
    expect(id).toBe(last);
    id = await review.pressAndWaitForNext(page, 'u', id);
    given.set(last, 'unfair');
    // Skip and arrows move without labelling.
    const skipped = id;
    id = await review.pressAndWaitForNext(page, 's', id);
    id = await review.pressAndWaitForNext(page, 'ArrowLeft', id);
    expect(id).toBe(skipped);

    await review.switchAnnotator(page, 'bob');
    const bobFirst = await review.shownId(page);
    // The demo has no teacher outputs: Enter has nothing to accept, and the document stays.
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('accept-teacher').isDisabled()).resolves.toBe(true);
    expect(await review.shownId(page)).toBe(bobFirst);
    const bobShown = await review.pressAndWaitForNext(page, '2', bobFirst);
    // The next document shows at once and the label is saved behind it: "saving…" is gone once it is in.
    await page.getByTestId('unsaved-count').waitFor({ state: 'detached' });

    await page.reload();
    await page.getByTestId('review-step').waitFor();
    await expect(page.getByTestId('current-annotator').textContent()).resolves.toBe('bob');
    expect(await review.shownId(page)).toBe(bobShown);

    // A kill of the app (no clean shutdown) loses nothing: every label was saved at its key press.
    const dataDir = server.dataDir;
    const exited = new Promise((r) => server.process.once('exit', r));
    server.process.kill('SIGKILL');
    await exited;
    await session.browser.close();
    session = await openApp({ dataDir });
    const again = session;
    await again.page.getByTestId('review-step').waitFor();
    await expect(again.page.getByTestId('current-annotator').textContent()).resolves.toBe('bob');
    expect(await review.shownId(again.page)).toBe(bobShown);

    const labels = new Map(
      (
        await invoke<{ labels: Array<{ id: number; name: string }> }>(again.server, 'review.state', {
          projectId: project.id,
        })
      ).labels.map((l) => [l.id, l.name]),
    );
    for (const [exampleId, name] of given) {
      const item = await invoke<ReviewItem>(again.server, 'review.item', {
        projectId: project.id,
        exampleId,
        annotator: 'me',
      });
      expect(labels.get(item.myLabelId ?? -1)).toBe(name);
    }
    const bobItem = await invoke<ReviewItem>(again.server, 'review.item', {
      projectId: project.id,
      exampleId: bobFirst,
      annotator: 'bob',
    });
    expect(labels.get(bobItem.myLabelId ?? -1)).toBe('unfair');
  });

  it('bulk-accepts with a preview and undoes it, and shows an HTML-laden document as inert text (teacher outputs inserted directly: no LLM here)', async () => {
    session = await openApp();
    const { page, server } = session;
    const project = await demoProject(session);
    insertTeacherRun(server.dataDir, project.id);
    const evil =
      'Terms xyzzy <img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b> XYZZY clause';
    const evilId = insertExample(server.dataDir, project.id, evil);
    await review.open(page);

    await page.getByTestId('review-tab-bulk').click();
    const count = page.getByTestId('bulk-count');
    await count.waitFor();
    const n = Number(await count.getAttribute('data-count'));
    expect(n).toBeGreaterThan(0);
    await page.getByTestId('bulk-accept').click();
    await page.getByTestId('bulk-confirm').click();
    await page.locator('[data-testid="bulk-count"][data-count="0"]').waitFor();
    const rows = await invoke<Array<{ action: string; source: string | null }>>(server, 'review.history', {
      projectId: project.id,
      limit: 1000,
    });
    expect(rows.filter((r) => r.action === 'label' && r.source === 'bulk')).toHaveLength(n);

    await page.getByTestId('review-tab-label').click();
    const before = await review.shownId(page);
    await page.keyboard.press('z');
    await page.getByTestId('review-tab-audit').click();
    await page.locator('[data-testid="audit-row"][data-action="undo_bulk_accept"]').waitFor();
    await page.getByTestId('review-tab-bulk').click();
    await page.locator(`[data-testid="bulk-count"][data-count="${n}"]`).waitFor();
    expect(before).toBeGreaterThan(0);

    await page.getByTestId('review-tab-label').click();
    await page.getByTestId('review-search').fill('xyzzy');
    await page.getByTestId('review-search').press('Enter');
    await page.locator(`[data-testid="review-doc"][data-example-id="${evilId}"]`).waitFor();
    const doc = page.getByTestId('review-doc');
    await expect(doc.textContent()).resolves.toBe(evil);
    await expect(doc.locator('img, script, b').count()).resolves.toBe(0);
    await expect(doc.getByTestId('search-hit').allTextContents()).resolves.toEqual(['xyzzy', 'XYZZY']);
    await expect(
      page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss),
    ).resolves.toBeUndefined();

    // More than ten labels: a type-to-filter picker, still without the mouse.
    const extra = addLabels(server.dataDir, project.id, 10);
    await page.reload();
    await page.locator(`[data-testid="review-doc"][data-example-id="${evilId}"]`).waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('extra 7');
    await page.keyboard.press('Enter');
    await page.getByTestId('queue-empty').waitFor();
    const labelled = await invoke<ReviewItem>(server, 'review.item', {
      projectId: project.id,
      exampleId: evilId,
    });
    expect(labelled.myLabelId).toBe(extra.get('extra 7'));
  });
});
