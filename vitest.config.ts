import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // The test-only channels (jobs.startTestJob) exist in cores created by tests only.
    env: { DISTILLERY_TEST_CHANNELS: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only fight over them (llama.cpp and tfjs are CPU-bound).
    maxWorkers: 2,
  },
});
