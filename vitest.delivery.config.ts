import { defineConfig } from 'vitest/config';

/**
 * Delivery tests (`npm run test:delivery`): build the offline bundle and the .deb, run the whole pipeline from them
 * with no network, and install, upgrade and purge the .deb with the real dpkg. They change the machine (dpkg), so
 * one file at a time, and the npm script holds a lock so that two runs never overlap.
 */
export default defineConfig({
  test: {
    include: ['tests/delivery/**/*.delivery.ts'],
    globalSetup: ['tests/delivery/setup.ts'],
    environment: 'node',
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
