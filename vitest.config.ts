import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    // Two cores here: more parallel files only make each slower (argon2, browsers).
    maxWorkers: 2,
    // A guard against hangs, not a speed limit: the hostile-input sweeps take tens of seconds on a busy two-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
