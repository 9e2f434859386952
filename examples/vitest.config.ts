import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A campaign is a cluster of processes: one file at a time, each test up to a few minutes.
    fileParallelism: false,
    testTimeout: 180_000,
  },
});
