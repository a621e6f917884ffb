import { describe, expect, it } from 'vitest';
import { contract, isChannelName } from '../../src/shared/contract';
import { HANDLERS } from '../../src/main/features';
import { testCore } from '../helpers';
import { demoLanguageOf, systemDemoLanguage } from '../../src/main/features/projects/demo';

describe('contract', () => {
  it('has a handler for every channel and a channel for every handler', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual(Object.keys(contract).sort());
  });

  it('names channels <feature>.<verb>', () => {
    for (const name of Object.keys(contract)) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
    expect(isChannelName('projects.list')).toBe(true);
    expect(isChannelName('constructor')).toBe(false);
    expect(isChannelName('__proto__')).toBe(false);
  });

  it('answers unknown channels and wrong shapes with typed errors, never a throw', async () => {
    const t = await testCore();
    try {
      await expect(t.core.invokeRaw('nope.nothing', {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL' },
      });
      await expect(t.core.invokeRaw('projects.create', { name: 42 })).resolves.toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
      await expect(t.core.invokeRaw('projects.create', { name: '   ' })).resolves.toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: expect.stringContaining('needs a name') },
      });
      await expect(t.core.invokeRaw('projects.get', { projectId: 999 })).resolves.toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      await expect(t.core.invokeRaw('projects.list', null)).resolves.toMatchObject({ ok: true });
    } finally {
      await t.close();
    }
  });

  it('seeds the demo in the system language: Chinese name, description, task and label descriptions', async () => {
    expect(demoLanguageOf('zh_CN.UTF-8')).toBe('zh-CN');
    expect(demoLanguageOf('zh-TW')).toBe('zh-CN');
    expect(demoLanguageOf('en-US')).toBe('en');
    expect(demoLanguageOf(undefined)).toBe('en');
    expect(systemDemoLanguage({ LANG: 'en_US.UTF-8', LC_ALL: 'zh_CN.UTF-8' })).toBe('zh-CN');
    const t = await testCore({ seedDemo: true, demoLanguage: 'zh-CN' });
    try {
      const [demo] = await t.core.call('projects.list', {});
      expect(demo).toMatchObject({ name: '演示：不公平的合同条款', isDemo: true, exampleCount: 677 });
      const row = t.core.db
        .prepare('SELECT description, task_description AS task FROM projects WHERE id = ?')
        .get(demo!.id) as { description: string; task: string };
      expect(row.description).toMatch(/CLAUDETTE/);
      expect(row.description).toMatch(/[\u4e00-\u9fff]/);
      expect(row.task).toMatch(/[\u4e00-\u9fff]/);
      const labels = t.core.db
        .prepare('SELECT name, description FROM labels WHERE project_id = ? ORDER BY position')
        .all(demo!.id) as Array<{ name: string; description: string }>;
      expect(labels.map((l) => l.name)).toEqual(['fair', 'unfair']);
      for (const l of labels) expect(l.description).toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await t.close();
    }
  });

  it('creates, renames and deletes projects (delete only with the exact name), and seeds the demo once', async () => {
    const t = await testCore({ seedDemo: true });
    try {
      const list = await t.core.call('projects.list', {});
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        name: 'Demo: unfair contract terms',
        isDemo: true,
        exampleCount: 677,
        labelCount: 2,
      });
      const p = await t.core.call('projects.create', { name: 'Radiology reports' });
      await expect(t.core.invoke('projects.create', { name: 'radiology REPORTS' })).resolves.toMatchObject({
        ok: false,
        error: { code: 'CONFLICT' },
      });
      const renamed = await t.core.call('projects.rename', { projectId: p.id, name: '放射科报告' });
      expect(renamed.name).toBe('放射科报告');
      await expect(
        t.core.invoke('projects.delete', { projectId: p.id, confirmName: 'wrong' }),
      ).resolves.toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
      const audit = t.core.db
        .prepare("SELECT action FROM audit_log WHERE entity = 'project' AND entity_id = ?")
        .all(p.id);
      expect(audit.map((a) => (a as { action: string }).action)).toEqual(['create', 'rename']);
      await t.core.call('projects.delete', { projectId: p.id, confirmName: '放射科报告' });
      expect(await t.core.call('projects.list', {})).toHaveLength(1);
      const kept = t.core.db
        .prepare('SELECT project_id AS projectId, action FROM audit_log WHERE entity_id = ?')
        .all(p.id);
      expect(kept).toEqual([{ projectId: null, action: 'delete' }]);
    } finally {
      await t.close({ keep: true });
    }
    // A second start does not seed the demo again (even if the user deleted it).
    const again = await testCore({ seedDemo: true, dataDir: t.dataDir });
    try {
      const demo = (await again.core.call('projects.list', {}))[0];
      await again.core.call('projects.delete', { projectId: demo.id, confirmName: demo.name });
    } finally {
      await again.close({ keep: true });
    }
    const third = await testCore({ seedDemo: true, dataDir: t.dataDir });
    try {
      expect(await third.core.call('projects.list', {})).toHaveLength(0);
    } finally {
      await third.close();
    }
  });

  it('keeps settings (language, theme, last project and step)', async () => {
    const t = await testCore();
    try {
      expect(await t.core.call('settings.get', {})).toMatchObject({ language: 'en', theme: 'auto' });
      await t.core.call('settings.update', { language: 'zh-CN', lastProjectId: 3, lastStep: 'train' });
      expect(await t.core.call('settings.get', {})).toMatchObject({
        language: 'zh-CN',
        lastProjectId: 3,
        lastStep: 'train',
      });
      await expect(t.core.invoke('settings.update', { language: 'fr' as 'en' })).resolves.toMatchObject({
        ok: false,
      });
    } finally {
      await t.close();
    }
  });
});
