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
  page.on('request', (r) => {
    if (r.url().includes('/api/invoke/')) requests.set(page, (requests.get(page) ?? 0) + 1);
  });
}

const requests = new WeakMap<Page, number>();

export interface Activity {
  readonly requests: number;
  readonly commits: number;
}

/** What the page did over `ms` milliseconds of nobody touching it, after a second to settle. */
export async function idleActivity(page: Page, ms = 3000): Promise<Activity> {
  await page.waitForTimeout(1000);
  const commits = (): Promise<number> =>
    page.evaluate(() => (globalThis as unknown as { __commits: number }).__commits);
  const r0 = requests.get(page) ?? 0;
  const c0 = await commits();
  await page.waitForTimeout(ms);
  return { requests: (requests.get(page) ?? 0) - r0, commits: (await commits()) - c0 };
}
