import { getLlama, LlamaLogLevel, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModelPath } from '../tests/fixtures/gguf/generate';
import { startEngine, type EngineKind, type EngineServer } from '../tests/teacher/engineServer';
import { openApp, type AppSession } from './harness';
import { app } from './pages';

const DEMO = 'Demo: unfair contract terms';

/**
 * The Teacher step's remote endpoint form against test engines on 127.0.0.1 (vLLM and Ollama contracts served over
 * node-llama-cpp with the tiny model, in this test process), in browser mode with real Chromium.
 */
describe('remote teacher endpoints in the Teacher step (browser mode, real Chromium, test engines)', () => {
  let session: AppSession | null = null;
  let model: LlamaModel;
  const contexts: LlamaContext[] = [];
  const servers: EngineServer[] = [];
  const engine = async (kind: EngineKind): Promise<EngineServer> => {
    const context = await model.createContext({ contextSize: 1024, sequences: 1, threads: 1 });
    contexts.push(context);
    const s = await startEngine({ kind, model, sequence: context.getSequence(), contextSize: 1024 });
    servers.push(s);
    return s;
  };
  beforeAll(async () => {
    const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: tinyModelPath() });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    for (const s of servers) await s.close();
    for (const c of contexts) await c.dispose();
    await model.dispose();
  });

  it('shows the detected engine, what it supports and the self-check; refuses Ollama with why; shows live rates', async () => {
    const vllm = await engine('vllm');
    const ollama = await engine('ollama');
    session = await openApp();
    const { page } = session;
    await app.waitForProjects(page);
    await app.openProject(page, DEMO);
    await app.goToStep(page, 'teacher');

    await page.getByTestId('endpoint-add').click();
    await page.getByTestId('endpoint-url').fill(vllm.url);
    await page.getByTestId('endpoint-check-button').click();
    const accepted = page.getByTestId('endpoint-check');
    await accepted.waitFor({ timeout: 60_000 });
    expect(await accepted.getAttribute('data-accepted')).toBe('true');
    const text = await accepted.textContent();
    expect(text).toContain('Accepted: vLLM 0.8.5');
    expect(text).toContain('prompt log-probabilities: all labels of a document in one request');
    expect(text).toContain('The server’s own tokenizer (/tokenize): yes');
    expect(text).toContain('prompt_logprobs: yes');
    expect(text).toMatch(/Self-check passed on 2 fixed prompts/);
    expect(text).toContain('the model’s own chat template, from the server');

    await page.getByTestId('endpoint-add').click();
    await page.getByTestId('endpoint-url').nth(1).fill(ollama.url);
    await page.getByTestId('endpoint-check-button').nth(1).click();
    const refused = page.getByTestId('endpoint-check').nth(1);
    await refused.waitFor({ timeout: 60_000 });
    expect(await refused.getAttribute('data-accepted')).toBe('false');
    expect(await refused.textContent()).toContain('Refused: Ollama');
    expect(await page.getByTestId('endpoint-refusal').textContent()).toContain(
      'Ollama does not return log-probabilities for the prompt',
    );
    await page.getByTestId('endpoint-row').nth(1).getByLabel('Remove').click();
    await expect.poll(() => page.getByTestId('endpoint-row').count()).toBe(1);

    await page.getByTestId('teacher-preview').click();
    await expect
      .poll(() => page.getByTestId('teacher-preview-item').count(), { timeout: 120_000 })
      .toBeGreaterThan(0);
    const rates = page.getByTestId('endpoint-rates');
    await rates.waitFor({ timeout: 30_000 });
    const row = await rates.textContent();
    expect(row).toContain(vllm.url);
    expect(row).toContain('Documents/s');
  }, 300_000);
});
