import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'channels/**/*.test.ts', 'workers/**/*.test.ts'],
    globalSetup: ['test/support/global-redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: files in parallel, but not so many that Redis-heavy tests starve each other.
    maxWorkers: 2,
  },
});
