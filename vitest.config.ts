import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { SpreadSequencer } from './test/support/spreadSequencer.js';

/**
 * Left out of `npm run test:fast` (the inner loop: `vitest run --mode fast`): tests that start child
 * processes or a browser, and the end-to-end journeys through the sandbox. `npm test` runs everything.
 * The suites that run Capstan whole in-process wait out no deadline: they let time pass on a SkipClock
 * (test/fakes/skipClock.ts) and wait on conditions; only the processes of test/e2e run on the wall clock.
 *
 * Both runs share modules between the files of a worker (no isolation): importing Bolt, the AWS SDK
 * and the sandbox once per worker rather than once per file saves most of the import time. Each test
 * file therefore leaves nothing behind (it stops what it started and restores what it stubbed).
 */
export const SLOW_TESTS = [
  'test/e2e/**', // the sandbox end to end, Chromium, replica processes
  'test/main.test.ts', // starts `src/main.ts` as a process
  'test/slack/processSurvives.test.ts', // starts `src/main.ts` as a process
];

/**
 * Also left out of the inner loop, though they run in-process: the heaviest suites, about half of its
 * time, which start a whole Capstan (Bolt, SQLite, the Slack stand-in) for every test and follow long
 * timelines, or emulate a service. `npm test` runs them; what they cover is told here so nobody
 * mistakes a green `test:fast` for a green `npm test`.
 */
export const HEAVY_TESTS = [
  'test/scenarios/**', // every target's rollouts end to end on a SkipClock: deadlines, restarts, throttling
  'test/fuzz/**', // fuzzed HTTP, Socket Mode, queue and AWS input against a whole Capstan
  'test/sandbox/aws-new-services.test.ts', // the sandbox's simulated S3, Beanstalk and CodeDeploy over HTTP
  'test/adapters/dynamodbStore.test.ts', // the ledger's contract on DynamoDB, against dynalite
];

/**
 * Three replicas of Capstan as processes, judged on real-time lease bounds: beside another test file
 * on two cores its children miss their renewals, so it runs last, alone.
 */
const ALONE = 'test/e2e/replicas.test.ts';

/**
 * Vitest's default is one worker fewer than the cores, i.e. one on a 2-core machine; most test files
 * wait on loopback HTTP and on Capstan's 20 ms loops as much as they compute, so every core runs one.
 */
const WORKERS = Math.max(2, availableParallelism());

export default defineConfig(({ mode }) => {
  const fast = mode === 'fast';
  const exclude = fast ? [...configDefaults.exclude, ...SLOW_TESTS, ...HEAVY_TESTS] : configDefaults.exclude;
  // One worker a core in both modes. A third worker on two cores (tried for the inner loop, whose
  // files wait on loopback HTTP and Capstan's loops) costs ~7 s more CPU, its own imports of Bolt,
  // the AWS SDK and src, and ended later, not sooner: 55 s and 64 s against 47 s and 62 s for two,
  // on the same loaded machine.
  const maxWorkers = WORKERS;
  return {
    test: {
      // Each project lists its own files (a project's arrays would add to the root's). A project takes
      // its worker count from its own settings, not the root's: the count is given to each.
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      isolate: false,
      maxWorkers,
      // The files that start Capstan as a process run it compiled once for the run (the inner loop has none).
      globalSetup: fast ? [] : ['test/support/capstanBuild.ts'],
      // The files that start processes run one at a time beside the others, not two at once.
      sequence: { sequencer: SpreadSequencer },
      projects: [
        {
          extends: true,
          test: { name: 'capstan', maxWorkers, include: ['test/**/*.test.ts'], exclude: [...exclude, ALONE] },
        },
        // Runs once every other file is done, with the machine to itself (sequence.groupOrder).
        {
          extends: true,
          test: { name: 'alone', maxWorkers, include: [ALONE], exclude, sequence: { groupOrder: 1 } },
        },
      ],
      reporters: ['default', 'json'],
      outputFile: { json: fast ? 'test-artifacts/vitest-fast.json' : 'test-artifacts/vitest.json' },
      // Each run would compile again every TypeScript file it imports (seconds of CPU): the compiled
      // modules are kept in .cache/vitest, keyed by each file's content, Vitest's version, this
      // configuration and the lockfile (`npx vitest --clearCache` empties it).
      experimental: { fsModuleCache: true, fsModuleCachePath: '.cache/vitest' },
    },
  };
});
