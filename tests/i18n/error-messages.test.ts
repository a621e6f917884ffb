import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, errorMessage } from '../../src/shared/errorMessages';
import { ERROR_CODES, type AppErrorInfo } from '../../src/shared/result';
import { coreForEachTest } from '../helpers';

type Tree = { readonly [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`),
  );
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();

describe('server error messages in both languages', () => {
  it('every message and every error code has an English and a Chinese text with the same placeholders', () => {
    const en = new Map(leaves(ERROR_MESSAGES.en));
    const zh = new Map(leaves(ERROR_MESSAGES['zh-CN']));
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    for (const code of ERROR_CODES) expect(en.has(`code.${code}`), code).toBe(true);
    for (const [key, text] of en) {
      const chinese = zh.get(key)!;
      expect(chinese, key).toMatch(/[\u4e00-\u9fff]/);
      expect(placeholders(chinese), key).toEqual(placeholders(text));
    }
  });

  const t = coreForEachTest();

  async function failure(run: () => Promise<unknown>): Promise<AppErrorInfo> {
    try {
      await run();
    } catch (e) {
      const x = e as {
        code: AppErrorInfo['code'];
        message: string;
        key?: string;
        params?: AppErrorInfo['params'];
      };
      return { code: x.code, message: x.message, key: x.key, params: x.params };
    }
    throw new Error('expected the call to fail');
  }

  it('a real error from the core carries a key and parameters and reads in Chinese', async () => {
    const missing = await failure(() => t.core.call('projects.get', { projectId: 999 }));
    expect(missing).toMatchObject({
      code: 'NOT_FOUND',
      key: 'notFound',
      params: { what: 'Project', id: 999 },
    });
    expect(errorMessage(missing, 'en')).toBe('Project 999 does not exist (it may have been deleted).');
    expect(errorMessage(missing, 'zh-CN')).toBe('项目 999 不存在（可能已被删除）。');

    const { id } = await t.core.call('projects.create', { name: 'Ward' });
    const bad = await failure(() =>
      t.core.call('dataset.maskAddRule', {
        projectId: id,
        rule: { kind: 'regex', name: 'x', pattern: 'a*' },
      }),
    );
    expect(errorMessage(bad, 'zh-CN')).toBe(
      '“a*”能匹配空文本，会导致什么都遮蔽不了或处处遮蔽。请让它至少匹配一个字符（例如用 + 代替 *）。',
    );
    const clash = await failure(() => t.core.call('projects.create', { name: 'Ward' }));
    expect(errorMessage(clash, 'zh-CN')).toBe('已存在名为“Ward”的项目。请换一个名称。');
  });

  it("a failed job keeps its message's key and parameters, so that its error reads in Chinese too", async () => {
    const { id } = await t.core.call('projects.create', { name: 'Ward' });
    const dir = mkdtempSync(join(tmpdir(), 'distillery-job-error-'));
    try {
      const file = join(dir, 'empty.csv');
      writeFileSync(file, 'text,label\n');
      const started = await t.core.call('dataset.import', {
        projectId: id,
        path: file,
        textColumn: 'text',
        onBadRow: 'abort',
      });
      const job = await t.core.jobs.wait(started.id);
      expect(job).toMatchObject({
        state: 'failed',
        errorCode: 'BAD_FILE',
        errorKey: 'dataset.hasRowsCouldImported',
        errorParams: { name: 'empty.csv' },
      });
      // What jobs.get hands a client (the row read back) carries them too.
      expect(await t.core.call('jobs.get', { jobId: started.id })).toMatchObject({
        errorKey: 'dataset.hasRowsCouldImported',
      });
      const info = {
        code: job.errorCode!,
        message: job.error!,
        key: job.errorKey!,
        params: job.errorParams!,
      };
      expect(errorMessage(info, 'en')).toBe(job.error);
      expect(errorMessage(info, 'zh-CN')).toMatch(/empty\.csv.*[\u4e00-\u9fff]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an error without a key still reads in Chinese: its code in Chinese, the English detail after it', () => {
    expect(
      errorMessage({ code: 'BAD_FILE', message: 'Line 3 of a.csv has an unclosed quote.' }, 'zh-CN'),
    ).toBe('无法读取该文件。（详情：Line 3 of a.csv has an unclosed quote.）');
  });
});
