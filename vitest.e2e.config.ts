import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    // What the tests spawn is the built out/: rebuilt first when older than the sources.
    globalSetup: ['./scripts/vitest-build.mjs'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each test file starts its own server and browser; two at once is what two cores take.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
