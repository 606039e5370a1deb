import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['test/support/env/global-setup.ts'],
    pool: 'forks',
    // The environment (API server, etcd, Redis, Prometheus) is shared by all
    // files; two workers match this project's 2-core machines.
    maxWorkers: 2,
    // Above the waits inside tests, so a stuck wait reports what it last saw.
    testTimeout: 150_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
