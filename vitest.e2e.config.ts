import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each test file starts its own server and browser; two at once is what two cores take.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
