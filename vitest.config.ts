import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // What the tests spawn is the built out/: rebuilt first when older than the sources.
    globalSetup: ['./scripts/vitest-build.mjs'],
    // The test-only channels (jobs.startTestJob) exist in cores created by tests only.
    env: { DISTILLERY_TEST_CHANNELS: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only fight over them (llama.cpp and tfjs are CPU-bound).
    maxWorkers: 2,
  },
});
