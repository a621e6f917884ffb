import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // What the tests spawn is the built out/: rebuilt first when older than the sources.
    globalSetup: ['./scripts/vitest-build.mjs'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only fight over them (llama.cpp and tfjs are CPU-bound).
    maxWorkers: 2,
  },
});
