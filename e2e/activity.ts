import type { Page } from 'playwright-core';

/**
 * Counts what a page does while nobody touches it: requests to the core, and React commits (renders that reached
 * the screen), read through the hook React calls for its developer tools. Install before the page's scripts run.
 */
export async function watchActivity(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = globalThis as unknown as { __commits: number; __REACT_DEVTOOLS_GLOBAL_HOOK__: unknown };
    w.__commits = 0;
    let id = 0;
    w.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
      supportsFiber: true,
      renderers: new Map(),
      inject: () => ++id,
      onCommitFiberRoot: () => {
        w.__commits++;
      },
      onCommitFiberUnmount: () => undefined,
      onPostCommitFiberRoot: () => undefined,
      checkDCE: () => undefined,
    };
  });
  const count = (r: { url(): string }, d: number, sent: boolean): void => {
    if (!r.url().includes('/api/invoke/')) return;
    const c = counters.get(page) ?? { sent: 0, inflight: 0 };
    counters.set(page, { sent: c.sent + (sent ? 1 : 0), inflight: c.inflight + d });
  };
  page.on('request', (r) => count(r, 1, true));
  page.on('requestfinished', (r) => count(r, -1, false));
  page.on('requestfailed', (r) => count(r, -1, false));
}

const counters = new WeakMap<Page, { sent: number; inflight: number }>();

export interface Activity {
  readonly requests: number;
  readonly commits: number;
}

/**
 * What the page did over `ms` milliseconds of nobody touching it, once it has settled: no request in flight for a
 * second (a slow answer arriving later would render, rightly, and is not what this measures).
 */
export async function idleActivity(page: Page, ms = 3000): Promise<Activity> {
  let quiet = 0;
  for (let i = 0; i < 300 && quiet < 10; i++) {
    await page.waitForTimeout(100);
    quiet = (counters.get(page)?.inflight ?? 0) === 0 ? quiet + 1 : 0;
  }
  const commits = (): Promise<number> =>
    page.evaluate(() => (globalThis as unknown as { __commits: number }).__commits);
  const r0 = counters.get(page)?.sent ?? 0;
  const c0 = await commits();
  await page.waitForTimeout(ms);
  return { requests: (counters.get(page)?.sent ?? 0) - r0, commits: (await commits()) - c0 };
}
