import { defineConfig } from 'vitest/config';

// Two workers at most: the machine has 2 cores and integration tests start real registries and sshd.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
