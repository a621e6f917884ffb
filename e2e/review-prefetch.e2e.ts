import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '../src/shared/projects';
import type { ReviewItem, ReviewState } from '../src/shared/review';
import { invoke, openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

async function openReview(session: AppSession): Promise<Project> {
  const { page } = session;
  await app.waitForProjects(page);
  await app.openProject(page, DEMO);
  await app.goToStep(page, 'review');
  await page.getByTestId('review-step').waitFor();
  const projects = await invoke<Project[]>(session.server, 'projects.list');
  const demo = projects.find((p) => p.name === DEMO);
  if (!demo) throw new Error('demo project missing');
  return demo;
}

async function shownId(page: Page): Promise<number> {
  const doc = page.getByTestId('review-doc');
  await doc.waitFor();
  return Number(await doc.getAttribute('data-example-id'));
}

async function pressAndWaitForNext(page: Page, key: string, before: number): Promise<number> {
  await page.keyboard.press(key);
  await page.locator(`[data-testid="review-doc"]:not([data-example-id="${before}"])`).waitFor();
  return shownId(page);
}

/** The documents the page fetches ahead, as their answers arrive. */
function upcomingAnswer(page: Page): Promise<unknown> {
  return page.waitForResponse((r) => r.url().includes('/api/invoke/review.upcoming'));
}

async function labelOf(
  session: AppSession,
  projectId: number,
  exampleId: number,
  annotator: string,
): Promise<string | null> {
  const state = await invoke<{ labels: Array<{ id: number; name: string }> }>(
    session.server,
    'review.state',
    {
      projectId,
    },
  );
  const item = await invoke<ReviewItem>(session.server, 'review.item', { projectId, exampleId, annotator });
  return state.labels.find((l) => l.id === item.myLabelId)?.name ?? null;
}

describe('review: documents fetched ahead and saves behind the display (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
  });

  it('shows the queue’s next document after each save, and skips the ones someone else labelled meanwhile', async () => {
    session = await openApp();
    const { page, server } = session;
    const fetches = { started: 0, finished: 0 };
    const isAhead = (url: string): boolean => url.includes('/api/invoke/review.upcoming');
    page.on('request', (r) => isAhead(r.url()) && fetches.started++);
    page.on('requestfinished', (r) => isAhead(r.url()) && fetches.finished++);
    page.on('requestfailed', (r) => isAhead(r.url()) && fetches.finished++);
    const prefetched = upcomingAnswer(page);
    const project = await openReview(session);
    const first = await shownId(page);
    await prefetched;
    // The queue as it stands, asked by another client: what the key presses must walk through.
    const order = (
      await invoke<ReviewItem[]>(server, 'review.upcoming', {
        projectId: project.id,
        queue: { kind: 'unreviewed' },
        exampleId: first,
        count: 8,
      })
    ).map((i) => i.exampleId);
    expect(order).toHaveLength(8);

    // Saves go behind the display: each key press shows the next one of the queue, in order.
    let id = await pressAndWaitForNext(page, 'f', first);
    expect(id).toBe(order[0]);
    id = await pressAndWaitForNext(page, 'u', id);
    expect(id).toBe(order[1]);
    await page.getByTestId('unsaved-count').waitFor({ state: 'detached' });
    // Let the page's fetches ahead finish, so that the next one is the answer to the change from elsewhere.
    await expect.poll(() => fetches.started > 0 && fetches.started === fetches.finished).toBe(true);

    // Someone else labels the next two documents: the page hears of it and fetches ahead again.
    const before = fetches.started;
    const labelId = (
      await invoke<{ labels: Array<{ id: number }> }>(server, 'review.state', { projectId: project.id })
    ).labels[0].id;
    for (const exampleId of [order[2], order[3]]) {
      await invoke(server, 'review.annotate', {
        projectId: project.id,
        exampleId,
        labelId,
        queue: { kind: 'unreviewed' },
        annotator: 'carol',
      });
    }
    await expect.poll(() => fetches.started > before).toBe(true);
    id = await pressAndWaitForNext(page, 'f', id);
    expect(id).toBe(order[4]);
    await page.getByTestId('unsaved-count').waitFor({ state: 'detached' });

    expect(await labelOf(session, project.id, first, 'me')).toBe('fair');
    expect(await labelOf(session, project.id, order[0], 'me')).toBe('unfair');
    expect(await labelOf(session, project.id, order[1], 'me')).toBe('fair');
    // The documents carol labelled were never shown here, so they have no label of mine.
    expect(await labelOf(session, project.id, order[2], 'me')).toBeNull();
    expect(await labelOf(session, project.id, order[3], 'me')).toBeNull();
  });

  it('a save the server refuses (refusal injected by Playwright routing: the real server cannot fail on cue) is shown, retried and lands; the next documents show meanwhile', async () => {
    session = await openApp();
    const { page } = session;
    let refused = 0;
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    await page.route('**/api/invoke/review.annotate', async (route) => {
      if (refused === 0) {
        refused++;
        await route.fulfill({ status: 503, contentType: 'text/plain', body: 'Service Unavailable' });
        return;
      }
      // The retry waits until the test has seen the refusal on screen.
      await released;
      await route.continue();
    });
    const prefetched = upcomingAnswer(page);
    const project = await openReview(session);
    const first = await shownId(page);
    await prefetched;

    const second = await pressAndWaitForNext(page, 'u', first);
    // The refusal is shown in words, the answer is kept ("saving…"), and labelling goes on meanwhile.
    await expect(page.getByTestId('review-error').textContent()).resolves.toContain(
      `The label of document ${first} is not saved yet`,
    );
    await page.getByTestId('unsaved-count').waitFor();
    const third = await pressAndWaitForNext(page, 'f', second);
    expect(third).not.toBe(first);

    release();
    await page.getByTestId('unsaved-count').waitFor({ state: 'detached' });
    await page.getByTestId('review-error').waitFor({ state: 'detached' });
    expect(refused).toBe(1);
    expect(await labelOf(session, project.id, first, 'me')).toBe('unfair');
    expect(await labelOf(session, project.id, second, 'me')).toBe('fair');
  });

  it('arrow keys and skip show a document fetched ahead at once; the server remembers the place behind the display; marks do not pile up', async () => {
    session = await openApp();
    const { page, server } = session;
    // Remembering the place is held back until the test says (Playwright routing): the display must not wait for it.
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    let held = 0;
    await page.route('**/api/invoke/review.next', async (route) => {
      held++;
      await released;
      await route.continue();
    });
    const prefetched = upcomingAnswer(page);
    const project = await openReview(session);
    const first = await shownId(page);
    await prefetched;
    const order = (
      await invoke<ReviewItem[]>(server, 'review.upcoming', {
        projectId: project.id,
        queue: { kind: 'unreviewed' },
        exampleId: first,
        count: 4,
      })
    ).map((i) => i.exampleId);

    let id = await pressAndWaitForNext(page, 'ArrowRight', first);
    expect(id).toBe(order[0]);
    id = await pressAndWaitForNext(page, 's', id);
    expect(id).toBe(order[1]);
    await page.getByTestId('skip').click();
    await page.locator(`[data-testid="review-doc"][data-example-id="${order[2]}"]`).waitFor();
    // Shown while every request to remember the place was still held.
    expect(held).toBeGreaterThan(0);

    release();
    await expect
      .poll(
        async () =>
          (await invoke<ReviewState>(server, 'review.state', { projectId: project.id, annotator: 'me' }))
            .position?.exampleId,
      )
      .toBe(order[2]);

    // Labelling marks how it found the next document; the page keeps only the latest mark of each kind.
    for (const key of ['f', 'u', 'f']) id = await pressAndWaitForNext(page, key, id);
    const marks = await page.evaluate(
      () => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('review.next.')).length,
    );
    expect(marks).toBeGreaterThan(0);
    expect(marks).toBeLessThanOrEqual(2);
    await page.getByTestId('unsaved-count').waitFor({ state: 'detached' });
  });
});
