import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/ports/store.js';
import type { Observed } from '../../src/targets/strategy.js';
import { type DeployDeps, newDeployment } from '../../src/usecases/deploy.js';
import { RolloutTracker } from '../../src/usecases/rollout/tracker.js';
import { Watchlist } from '../../src/usecases/rollout/watchlist.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';
import { ManualSleep } from '../fakes/sleep.js';
import { FakeTarget, fakeRegistry } from '../fakes/target.js';

/** A target whose looks hang until the test answers them. */
class HangingTarget extends FakeTarget {
  hang = true;
  private readonly answers: (() => void)[] = [];

  override async observe(items: readonly Observed[]) {
    if (this.hang) await new Promise<void>((r) => this.answers.push(r));
    return super.observe(items);
  }

  answer(): void {
    for (const a of this.answers.splice(0)) a();
  }
}

const TIMEOUT = 600_000;
const env: Environment = {
  app: 'todo',
  name: 'dev',
  channel: 'CDEV',
  target: {
    kind: 'ecs',
    region: 'us-east-1',
    cluster: 'dev',
    service: 'dev',
    container: 'app',
    repository: 'r',
  },
  policy: {
    deployers: [{ kind: 'anyone' }],
    approvers: [],
    approvals: 0,
    allowSelfApproval: false,
    approvalTtlMs: 3_600_000,
  },
  rolloutTimeoutMs: TIMEOUT,
  rollback: 'auto',
};
const catalog: Catalog = { apps: [{ name: 'todo', environments: [env] }], admins: [], pipelines: [] };

let store: Store;
let clock: ManualClock;
let sleep: ManualSleep;
let target: HangingTarget;
let tracker: RolloutTracker;
let d: Deployment;

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock();
  sleep = new ManualSleep(clock);
  target = new HangingTarget();
  target.script.set('*', [{ kind: 'progress', data: {}, lines: [], moved: false }]);
  const watchlist = new Watchlist();
  const deps: DeployDeps = {
    store,
    targets: fakeRegistry(target),
    directory: directoryOf({}),
    notifier: new RecordingNotifier(),
    clock,
    logger: silentLogger,
    follow: (x) => watchlist.add(x),
    own: async () => true,
    background: () => undefined,
  };
  tracker = new RolloutTracker(deps, {
    catalog,
    watchlist,
    intervalMs: 1000,
    maxBackoffMs: 8000,
    random: () => 1,
    sleep: sleep.sleep,
  });
  const now = clock.now();
  d = newDeployment(env, 'deploy', '1.0.1', 'U0ALICE', now, {
    state: 'rolling_out',
    messageTs: '1.000',
    tracking: { phase: 'rollout', startedAt: now, lastProgressAt: now, data: {} },
  });
  await store.create(d);
  watchlist.add(d);
});
afterEach(() => store.close());

describe("a look at AWS is held to the rollout's timeout, on the injected clock and sleep", () => {
  it('a look that never answers ends the rollout at its deadline as outcome unknown, without waiting out the time', async () => {
    clock.advance(1000); // the first look, a second after the rollout started
    const ticked = tracker.tick();
    await sleep.pending();
    expect(sleep.waits.map((w) => w.ms)).toEqual([TIMEOUT]);
    expect((await store.get(d.id))?.state).toBe('rolling_out');

    sleep.release(); // the time limit passes, and the clock with it
    await ticked;
    expect((await store.get(d.id))?.state).toBe('outcome_unknown');
    target.answer();
  });

  it('a look that answers in time ends its time limit at once and leaves the rollout as it was', async () => {
    const ticked = tracker.tick();
    await sleep.pending();
    const limit = sleep.waits[0]!;
    target.answer();
    await ticked;
    expect(limit.signal?.aborted).toBe(true);
    expect(sleep.waits).toEqual([]);
    expect((await store.get(d.id))?.state).toBe('rolling_out');
  });
});
