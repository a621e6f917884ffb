import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectGguf } from '../../src/main/features/teacher/gguf';
import { TeacherClient } from '../../src/main/features/teacher/teacher.client';
import {
  generateTinyModel,
  hugeModelHeaderPath,
  MALFORMED_KINDS,
  tinyModelPath,
  writeMalformedCorpus,
} from '../fixtures/gguf/generate';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('tiny GGUF generator', () => {
  it('is deterministic byte for byte and tiny', () => {
    const a = generateTinyModel({ seed: 7 });
    const b = generateTinyModel({ seed: 7 });
    expect(sha(a)).toBe(sha(b));
    expect(sha(generateTinyModel({ seed: 8 }))).not.toBe(sha(a));
    expect(a.length).toBeLessThan(10 * 1024 * 1024);
    expect(sha(readFileSync(tinyModelPath()))).toBe(sha(generateTinyModel({ seed: 42 })));
  });

  it('reads the metadata without loading the model', () => {
    const meta = inspectGguf(tinyModelPath());
    expect(meta).toMatchObject({
      architecture: 'qwen2',
      quantization: 'F32',
      contextLength: 4096,
      layers: 2,
      hasChatTemplate: true,
      chatTemplateFamily: 'deepseek-r1',
    });
    expect(meta.parameterCount).toBeGreaterThan(50_000);
  });
});

describe('malformed models', () => {
  const corpus = writeMalformedCorpus();
  const expected: Record<string, RegExp> = {
    empty: /empty/,
    'wrong-magic': /does not start with "GGUF"/,
    'truncated-header': /truncated in its header/,
    'truncated-metadata': /truncated in its metadata/,
    'truncated-tensors': /truncated: tensor/,
    'missing-keys': /lacks the metadata qwen2\.embedding_length, qwen2\.block_count/,
    'missing-tensors': /lacks the tensors .*blk\.0\.attn_q\.weight/,
    'half-vectors': /cannot compute with/,
  };

  it('are refused by the JavaScript check with a reason a person understands', () => {
    for (const kind of MALFORMED_KINDS) {
      const file = corpus.get(kind)!;
      if (kind === 'nan-weights') {
        expect(() => inspectGguf(file)).not.toThrow();
        continue;
      }
      expect(() => inspectGguf(file), kind).toThrow(expected[kind]);
    }
  });

  it('fail in the child process (even when loaded unchecked), and a good model loads afterwards', async () => {
    let client = new TeacherClient();
    const opts = { threads: 1, sequences: 1, contextSize: 256, gpu: false };
    // The first nine kinds, loaded unchecked: the whole corpus goes through the real core in tests/corpus.
    for (const kind of MALFORMED_KINDS.slice(0, 9)) {
      // An abort ends the process: then the next file gets a new one, as the app does.
      if (client.dead) client = new TeacherClient();
      const load = client.request({ op: 'load', options: { modelPath: corpus.get(kind)!, ...opts } });
      await expect(load, kind).rejects.toMatchObject({ code: expect.stringMatching(/MODEL_ERROR|BAD_FILE/) });
      if (kind === 'nan-weights') await expect(load).rejects.toThrow(/invalid numbers/);
      // A real llama.cpp abort: only the teacher process ends, with llama.cpp's words as the cause.
      if (kind === 'half-vectors') {
        await expect(load).rejects.toThrow(/stopped by SIGABRT\. llama\.cpp said: .*unsupported types/);
        expect(client.dead).toBe(true);
      }
    }
    if (client.dead) client = new TeacherClient();
    // A model too large for this computer is refused from its header, before llama.cpp tries to load it.
    await expect(
      client.request({ op: 'load', options: { modelPath: hugeModelHeaderPath(), ...opts } }),
    ).rejects.toMatchObject({ code: 'TOO_LARGE', message: expect.stringMatching(/needs about [\d.]+ GB/) });
    const info = await client.request({ op: 'load', options: { modelPath: tinyModelPath(), ...opts } });
    expect(info.contextSize).toBeGreaterThanOrEqual(256);
    await client.dispose();
  }, 120_000);
});
