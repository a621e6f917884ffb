import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromEcho, fromPromptLogprobs, probeEngine } from '../../src/main/features/teacher/remoteEngines';
import { EndpointHttp } from '../../src/main/features/teacher/remoteHttp';
import {
  CompletionsResponse,
  LlamaCompletion,
  LlamaProps,
  LlamaTokenize,
  ModelsResponse,
  OllamaVersion,
  VllmTokenize,
  VllmVersion,
} from '../../src/main/features/teacher/remoteSchemas';

/** Real engine response bodies (tests/teacher/fixtures/engines/README.md says where each comes from). */
const DIR = join(import.meta.dirname, 'fixtures', 'engines');
const body = (name: string): unknown =>
  JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as unknown;

/** "The capital of France is": BOS + 5 tokens; the label scored is the last two, " France is". */
const FULL = [128000, 791, 6864, 315, 9822, 374];

describe('engine response bodies from the engines’ docs and issues', () => {
  it('parses vLLM’s bodies and reads the label’s log-probability by token id, from echo and from prompt_logprobs', () => {
    expect(VllmVersion.parse(body('vllm-version')).version).toBe('0.6.3.post1');
    expect(ModelsResponse.parse(body('vllm-models')).data[0].max_model_len).toBe(8192);
    expect(VllmTokenize.parse(body('vllm-tokenize')).tokens).toEqual(FULL);
    const echo = CompletionsResponse.parse(body('vllm-completions-echo')).choices[0];
    expect(fromEcho(echo, FULL, 4)).toEqual({ ll: -0.41 + -1.12, covered: true });
    // Entries naming other token ids than those sent are not the prompt's: refused, not summed.
    expect(fromEcho(echo, [...FULL.slice(0, 5), 42], 4).covered).toBe(false);
    const prompt = CompletionsResponse.parse(body('vllm-completions-prompt-logprobs')).choices[0];
    const r = fromPromptLogprobs(prompt, FULL, 4);
    expect(r.covered).toBe(true);
    expect(r.ll).toBeCloseTo(-1.53, 12);
  });

  it('parses llama.cpp’s bodies: native n_probs gives ids and log-probs; its echo covers generated tokens only', () => {
    const props = LlamaProps.parse(body('llamacpp-props'));
    expect(props).toMatchObject({
      total_slots: 4,
      eos_token: '<|eot_id|>',
      default_generation_settings: { n_ctx: 4096 },
    });
    expect(ModelsResponse.parse(body('llamacpp-models')).data[0].meta?.n_vocab).toBe(128256);
    expect(LlamaTokenize.parse(body('llamacpp-tokenize')).tokens).toHaveLength(5);
    const native = LlamaCompletion.parse(body('llamacpp-completion-nprobs')).completion_probabilities![0];
    expect('top_logprobs' in native && native.top_logprobs.map((e) => e.id)).toEqual([12366, 279, 264]);
    const old = LlamaCompletion.parse(body('llamacpp-completion-nprobs-old')).completion_probabilities![0];
    expect('top_logprobs' in old).toBe(false);
    const echo = CompletionsResponse.parse(body('llamacpp-v1-completions-echo')).choices[0];
    expect(fromEcho(echo, FULL, 4)).toEqual({ ll: Number.NaN, covered: false });
  });

  it('tells the engines apart from their bodies alone (a server replaying them on 127.0.0.1)', async () => {
    const routes: Record<string, Record<string, string>> = {
      vllm: { '/version': 'vllm-version', '/v1/models': 'vllm-models' },
      llamacpp: { '/props': 'llamacpp-props', '/v1/models': 'llamacpp-models' },
      ollama: { '/api/version': 'ollama-version', '/v1/models': 'ollama-models' },
    };
    expect(OllamaVersion.parse(body('ollama-version')).version).toBe('0.5.7');
    for (const [engine, paths] of Object.entries(routes)) {
      const server = createServer((req, res) => {
        const file = paths[req.url ?? ''];
        res.writeHead(file ? 200 : 404, { 'content-type': 'application/json' });
        res.end(file ? JSON.stringify(body(file)) : '{"error":"not found"}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const info = await probeEngine(new EndpointHttp(url, undefined), { url, model: '', concurrency: 4 });
        expect(info.engine).toBe(engine);
        if (engine === 'llamacpp') {
          expect(info).toMatchObject({
            capacity: 4,
            contextSize: 4096,
            vocabSize: 128256,
            bosToken: '<|begin_of_text|>',
          });
          expect(info.chatTemplate).toContain('<|start_header_id|>');
        }
        if (engine === 'vllm') {
          expect(info).toMatchObject({
            model: 'meta-llama/Meta-Llama-3.1-8B-Instruct',
            contextSize: 8192,
            capacity: null,
          });
        }
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    }
  });
});
