import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

/** What a person does with the masking rules (Data step, Clean tab). */
const masking = {
  async open(page: Page): Promise<void> {
    await page.getByTestId('data-tab-clean').click();
    await page.getByTestId('mask-panel').waitFor();
  },
  async addNames(page: Page, name: string, names: string): Promise<void> {
    await page.getByTestId('mask-add-kind').getByText('List of names').click();
    await page.getByTestId('mask-add-name').fill(name);
    await page.getByTestId('mask-add-names').fill(names);
    await page.getByTestId('mask-add-submit').click();
  },
  async addRegex(page: Page, name: string, pattern: string): Promise<void> {
    await page.getByTestId('mask-add-kind').getByText('Regular expression').click();
    await page.getByTestId('mask-add-name').fill(name);
    await page.getByTestId('mask-add-pattern').fill(pattern);
    await page.getByTestId('mask-add-submit').click();
  },
  rule(page: Page, name: string) {
    return page.locator(`[data-testid="mask-rule"][data-rule="${name}"]`);
  },
};

describe('masking rules (browser mode, real Chromium)', () => {
  let session: AppSession | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds a names list and a custom expression, shows counts per rule and highlights masked spans, in both languages; a server error reads in Chinese', async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-mask-'));
    const file = join(dir, 'notes.csv');
    writeFileSync(
      file,
      [
        'text,label',
        '"Ann Lee called from 13812345678 about case PT-004321",a',
        '"患者张伟复诊，ann lee 陪同",b',
        '"Nothing personal in this note",a',
      ].join('\n') + '\n',
    );
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Clinic letters');
    await page.getByTestId('data-step').waitFor();
    await page.getByTestId('data-tab-import').click();
    await page.getByTestId('data-file-input').setInputFiles(file);
    await page.getByTestId('import-preview').waitFor();
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-done').waitFor();

    await masking.open(page);
    await masking.addNames(page, 'patients', 'Ann Lee\n张伟');
    await masking.rule(page, 'patients').waitFor();
    // A custom expression that would hang the app is refused with the reason, and nothing is added.
    await masking.addRegex(page, 'runaway', '(a+)+$');
    await page.getByTestId('mask-error').waitFor();
    await expect(page.getByTestId('mask-error').textContent()).resolves.toMatch(
      /backtracks catastrophically/,
    );
    await expect(masking.rule(page, 'runaway').count()).resolves.toBe(0);
    await masking.addRegex(page, 'case', 'PT-[0-9]{6}');
    await masking.rule(page, 'case').waitFor();

    await page.getByTestId('mask-preview').click();
    await page.getByTestId('mask-preview-summary').waitFor();
    await expect(masking.rule(page, 'patients').getByTestId('mask-rule-count').textContent()).resolves.toBe(
      'matches: 3, documents: 2',
    );
    await expect(masking.rule(page, 'case').getByTestId('mask-rule-count').textContent()).resolves.toBe(
      'matches: 1, documents: 1',
    );
    await expect(masking.rule(page, 'cn_mobile').getByTestId('mask-rule-count').textContent()).resolves.toBe(
      'matches: 1, documents: 1',
    );
    // The sample shows what would be masked, the rule's name on hover.
    const first = page.getByTestId('mask-sample').first().getByTestId('mask-span');
    await expect(first.allTextContents()).resolves.toEqual(['Ann Lee', '13812345678', 'PT-004321']);
    await expect(first.nth(1).getAttribute('title')).resolves.toBe('Masked by: Chinese mobile');

    // Apply the masking with cleaning; Browse shows the masked spans highlighted.
    await page.getByText('Mask personal identifiers (rules below)').click();
    await page.getByTestId('clean-preview').click();
    await page.getByTestId('clean-result').waitFor();
    await page.getByTestId('clean-apply').click();
    await page.getByTestId('clean-message').waitFor();
    await page.getByTestId('data-tab-browse').click();
    const spans = page.getByTestId('browse-panel').getByTestId('mask-span');
    await spans.first().waitFor();
    await expect(spans.allTextContents()).resolves.toEqual([
      '[PATIENTS]',
      '[PHONE]',
      '[CASE]',
      '[PATIENTS]',
      '[PATIENTS]',
    ]);
    await expect(spans.first().getAttribute('title')).resolves.toBe('Masked by: patients');

    // In Chinese: the built-in rules' names and the hover text.
    await app.setLanguage(page, '简体中文');
    await expect(spans.nth(1).getAttribute('title')).resolves.toMatch(
      /^遮蔽规则：中国手机号 \/ 国际电话 \/ 电话$/,
    );
    await masking.open(page);
    await expect(masking.rule(page, 'cn_id_card').textContent()).resolves.toContain('身份证号');
    // A server error in Chinese: the core's error carries a key and parameters, the UI words it in its language.
    await page.getByTestId('mask-add-kind').getByText('正则表达式').click();
    await page.getByTestId('mask-add-name').fill('坏规则');
    await page.getByTestId('mask-add-pattern').fill('(unclosed');
    await page.getByTestId('mask-add-submit').click();
    await expect
      .poll(() => page.getByTestId('mask-error').textContent())
      .toMatch(/^“\(unclosed”不是有效的正则表达式：/);
    await page.getByTestId('mask-add-pattern').fill('[0-9]*');
    await page.getByTestId('mask-add-submit').click();
    await expect
      .poll(() => page.getByTestId('mask-error').textContent())
      .toBe(
        '“[0-9]*”能匹配空文本，会导致什么都遮蔽不了或处处遮蔽。请让它至少匹配一个字符（例如用 + 代替 *）。',
      );
  });
});
