import type { Page } from 'playwright-core';

/** Page helpers: tests speak of what a person does, not of selectors. */
export const app = {
  async waitForProjects(page: Page): Promise<void> {
    await page.getByTestId('project-list').waitFor();
  },
  projectCard(page: Page, name: string) {
    return page.locator(`[data-testid="project-card"][data-project-name="${name}"]`);
  },
  async createProject(page: Page, name: string, opts: { multiLabel?: boolean } = {}): Promise<void> {
    await page.getByTestId('new-project').click();
    await page.getByTestId('project-name-input').fill(name);
    if (opts.multiLabel) await page.getByTestId('project-kind').getByText('Several labels').click();
    await page.getByTestId('project-create-submit').click();
    await page.getByTestId('wizard').waitFor();
  },
  async openProject(page: Page, name: string): Promise<void> {
    await app.projectCard(page, name).getByTestId('project-open').click();
    await page.getByTestId('wizard').waitFor();
  },
  /** The Data step's summary refetches when an import's job ends: wait for the count rather than read it once. */
  async waitForDataTotal(page: Page, total: number | string): Promise<void> {
    await page.locator(`[data-testid="data-summary"][data-total="${total}"]`).waitFor();
  },
  async goToStep(
    page: Page,
    step: 'data' | 'teacher' | 'review' | 'train' | 'evaluate' | 'export',
  ): Promise<void> {
    await page.getByTestId(`step-${step}`).click();
    await page.getByTestId(`step-panel-${step}`).waitFor();
  },
  async backToProjects(page: Page): Promise<void> {
    await page.getByTestId('back-to-projects').click();
    await app.waitForProjects(page);
  },
  async setLanguage(page: Page, label: 'English' | '简体中文'): Promise<void> {
    await page.getByTestId('language-select').click();
    await page.getByRole('option', { name: label }).click();
  },
};
