import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { invoke, openApp, ROOT, type AppSession } from './harness';
import { app } from './pages';

/** The first `n` sentences of the Financial PhraseBank (latin-1, "label,content"), one per label sub-folder. */
function phraseFolder(root: string, n: number): Record<string, number> {
  const csv = readFileSync(
    join(ROOT, '..', 'shared', 'datasets', 'financial_phrasebank', 'all-data.csv'),
    'latin1',
  );
  const counts: Record<string, number> = {};
  for (const line of csv.split('\n').slice(1, n + 1)) {
    const m = /^(\w+),"(.*)"\s*$/.exec(line);
    if (!m) continue;
    const [, label, text] = m;
    mkdirSync(join(root, label), { recursive: true });
    counts[label] = (counts[label] ?? 0) + 1;
    writeFileSync(join(root, label, `sentence-${counts[label]}.txt`), text.replace(/""/g, '"'));
  }
  return counts;
}

describe('folder import in browser mode (real Chromium, real server)', () => {
  let session: AppSession | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await session?.close();
    session = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('uploads a chosen folder of .txt documents, imports it with sub-folders as labels, and removes the upload after', async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-folder-'));
    const folder = join(dir, 'phrasebank');
    const counts = phraseFolder(folder, 30);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20);
    // Left out by the page: a hidden file and a picture.
    writeFileSync(join(folder, '.DS_Store'), 'x');
    writeFileSync(join(folder, 'chart.png'), 'not a document');

    session = await openApp();
    const { page, server } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Phrases from a folder');
    await page.getByTestId('data-tab-import').click();
    await page.getByTestId('data-folder-input').setInputFiles(folder);
    await page.getByTestId('import-preview').waitFor();
    await expect(page.getByTestId('import-detected').textContent()).resolves.toContain('phrasebank');
    await expect(page.getByTestId('import-detected').textContent()).resolves.toContain('FOLDER');
    await expect(page.getByTestId('folder-skipped').textContent()).resolves.toContain('2 other files');
    // The folder arrived in one upload inside the data folder, nothing else of it.
    const uploads = join(server.dataDir, 'uploads');
    expect(readdirSync(uploads)).toHaveLength(1);
    const uploaded = join(uploads, readdirSync(uploads)[0], 'phrasebank');
    expect(readdirSync(uploaded).sort()).toEqual(Object.keys(counts).sort());

    await expect(page.getByTestId('map-text').inputValue()).resolves.toBe('text');
    // Sub-folders name the labels: the folder column is proposed as the label, the file path as the id.
    await expect(page.getByTestId('map-label').inputValue()).resolves.toBe('folder');
    await expect(page.getByTestId('map-id').inputValue()).resolves.toBe('file');
    // Two clicks start one import.
    await page.getByTestId('import-start').dblclick();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('import-done').textContent()).resolves.toContain(`${total}`);
    await app.waitForDataTotal(page, total);
    const projects = await invoke<Array<{ id: number; name: string }>>(server, 'projects.list');
    const projectId = projects.find((p) => p.name === 'Phrases from a folder')!.id;
    const labels = await invoke<Array<{ name: string; count?: number }>>(server, 'dataset.labels', {
      projectId,
    });
    expect(labels.map((l) => l.name).sort()).toEqual(Object.keys(counts).sort());
    // The import job ended: its upload went with it.
    await expect.poll(() => readdirSync(uploads).length, { timeout: 10_000 }).toBe(0);
  }, 180_000);

  it('says what to do with a folder holding no documents, and shows a server refusal in Chinese', async () => {
    dir = mkdtempSync(join(tmpdir(), 'distillery-e2e-folder-'));
    const pictures = join(dir, 'pictures');
    mkdirSync(pictures);
    writeFileSync(join(pictures, 'a.png'), 'x');
    const clash = join(dir, 'clash');
    mkdirSync(clash);
    // Two names that become one once made safe for the disk ("a:b" → "a_b").
    writeFileSync(join(clash, 'a:b.txt'), 'one');
    writeFileSync(join(clash, 'a_b.txt'), 'two');

    session = await openApp();
    const { page, server } = session;
    await app.waitForProjects(page);
    await app.createProject(page, 'Empty folders');
    await page.getByTestId('data-tab-import').click();
    await page.getByTestId('data-folder-input').setInputFiles(pictures);
    await expect(page.getByTestId('import-error').textContent()).resolves.toContain(
      'The folder "pictures" holds no .txt, .md or .markdown documents',
    );
    expect(
      existsSync(join(server.dataDir, 'uploads')) ? readdirSync(join(server.dataDir, 'uploads')) : [],
    ).toEqual([]);

    await app.setLanguage(page, '简体中文');
    await page.getByTestId('data-folder-input').setInputFiles(clash);
    await expect(page.getByTestId('import-error').textContent()).resolves.toContain('同名“a_b.txt”');
    // A failed upload leaves nothing behind.
    expect(readdirSync(join(server.dataDir, 'uploads'))).toEqual([]);
  }, 120_000);
});
