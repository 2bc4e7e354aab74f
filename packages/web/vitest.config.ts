import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // One browser at a time: CI has two shared cores, and timings (the 100,000-entry folder) must
    // not depend on another file's browser running meanwhile.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Conditions in the browser are polled; a shared CI machine may need a few seconds.
    expect: { poll: { timeout: 15_000, interval: 50 } },
    reporters: ['default'],
  },
});
