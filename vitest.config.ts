import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Left out of `npm run test:fast` (the inner loop: `vitest run --mode fast`): tests that start child
 * processes or a browser, the end-to-end journeys through the sandbox, and the suites that wait on the
 * wall clock. `npm test` runs everything. The fast run also shares modules between the files of a
 * worker (no isolation), which saves most of the import time: the full run keeps each file apart.
 */
export const SLOW_TESTS = [
  'test/e2e/**', // the sandbox end to end, Chromium, replica processes
  'test/main.test.ts', // starts `src/main.ts` as a process
  // These wait out real deadlines and keep-alives (about 50 s of the fast run's 95 s): back in the
  // fast run once they run on a manual clock.
  'test/scenarios/**',
  'test/slack/socketMode.test.ts',
];

export default defineConfig(({ mode }) => {
  const fast = mode === 'fast';
  return {
    test: {
      include: ['test/**/*.test.ts'],
      exclude: fast ? [...configDefaults.exclude, ...SLOW_TESTS] : configDefaults.exclude,
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      isolate: !fast,
      reporters: ['default', 'json'],
      outputFile: { json: fast ? 'test-artifacts/vitest-fast.json' : 'test-artifacts/vitest.json' },
    },
  };
});
