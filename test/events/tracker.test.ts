import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import { EventPace } from '../../src/events/pace.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/ports/store.js';
import type { Observed } from '../../src/targets/strategy.js';
import { type DeployDeps, newDeployment } from '../../src/usecases/deploy.js';
import { RolloutTracker } from '../../src/usecases/rollout/tracker.js';
import { Watchlist } from '../../src/usecases/rollout/watchlist.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';
import { FakeTarget, fakeRegistry } from '../fakes/target.js';

/** A target whose looks wait until the test lets them finish. */
class GatedTarget extends FakeTarget {
  private gates: (() => void)[] = [];
  gated = false;

  override async observe(items: readonly Observed[]) {
    if (this.gated) await new Promise<void>((r) => this.gates.push(r));
    return super.observe(items);
  }

  /** Resolves once `n` looks are waiting at the gate. */
  async waiting(n: number): Promise<void> {
    while (this.gates.length < n) await new Promise((r) => setImmediate(r));
  }

  open(): void {
    this.gated = false;
    for (const g of this.gates.splice(0)) g();
  }
}

function environment(name: string): Environment {
  return {
    app: 'todo',
    name,
    channel: `C${name.toUpperCase()}`,
    target: {
      kind: 'ecs',
      region: 'us-east-1',
      cluster: name,
      service: name,
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
    rolloutTimeoutMs: 600_000,
    rollback: 'auto',
  };
}

const INTERVAL = 1000;
const dev = environment('dev');
const prod = environment('prod');
const catalog: Catalog = { apps: [{ name: 'todo', environments: [dev, prod] }], admins: [], pipelines: [] };

let store: Store;
let clock: ManualClock;
let target: GatedTarget;
let watchlist: Watchlist;
let pace: EventPace;
let tracker: RolloutTracker;

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock();
  target = new GatedTarget();
  target.script.set('*', [{ kind: 'progress', data: {}, lines: [], moved: false }]);
  watchlist = new Watchlist();
  pace = new EventPace({ intervalMs: INTERVAL, clock, factor: 3 });
  const deps: DeployDeps = {
    store,
    targets: fakeRegistry(target),
    directory: directoryOf({}),
    notifier: new RecordingNotifier(),
    clock,
    logger: silentLogger,
    follow: (d) => watchlist.add(d),
    own: async () => true,
    background: () => undefined,
  };
  tracker = new RolloutTracker(deps, {
    catalog,
    watchlist,
    intervalMs: INTERVAL,
    maxBackoffMs: 8000,
    random: () => 1,
    groupIntervalMs: pace.intervalFor,
  });
  for (const env of [dev, prod]) {
    const now = clock.now();
    const d = newDeployment(env, 'deploy', '1.0.1', 'U0ALICE', now, {
      state: 'rolling_out',
      messageTs: '1.000',
      tracking: { phase: 'rollout', startedAt: now, lastProgressAt: now, data: {} },
    });
    await store.create(d);
    watchlist.add(d);
  }
});
afterEach(() => store.close());

describe('the tracker, poked by events', () => {
  it('looks at once at the poll group an event names, and only at that one', async () => {
    await tracker.poke(['fake|dev']);
    expect(target.observedGroups).toEqual(['fake|dev']);
    await tracker.poke(['fake|elsewhere']);
    expect(target.observedGroups).toEqual(['fake|dev']);
  });

  it('a group being looked at is looked at once more afterwards, however many events arrived meanwhile', async () => {
    target.gated = true;
    const ticked = tracker.tick();
    await target.waiting(2);
    const pokes = [tracker.poke(['fake|dev']), tracker.poke(['fake|dev']), tracker.poke(['fake|dev'])];
    target.open();
    await Promise.all([ticked, ...pokes]);
    expect(target.observedGroups.filter((g) => g === 'fake|dev')).toHaveLength(2);
    expect(target.observedGroups.filter((g) => g === 'fake|prod')).toHaveLength(1);
  });

  it('while events flow for a group, the poll loop looks at it only every third interval; other groups as usual', async () => {
    pace.heard(['fake|dev']);
    const looksAt = (group: string) => target.observedGroups.filter((g) => g === group).length;
    for (let i = 0; i < 7; i++) {
      await tracker.tick();
      clock.advance(INTERVAL);
    }
    expect(looksAt('fake|prod')).toBe(7);
    expect(looksAt('fake|dev')).toBe(3); // at 0, 3 and 6 intervals
  });

  it('an event counts as a look: the safety-net poll waits its full interval after it', async () => {
    pace.heard(['fake|dev']);
    await tracker.tick(); // t=0
    clock.advance(2 * INTERVAL);
    await tracker.poke(['fake|dev']); // t=2
    clock.advance(INTERVAL);
    await tracker.tick(); // t=3: the poke was 1 interval ago
    expect(target.observedGroups.filter((g) => g === 'fake|dev')).toHaveLength(2);
    clock.advance(2 * INTERVAL);
    await tracker.tick(); // t=5: 3 intervals after the poke
    expect(target.observedGroups.filter((g) => g === 'fake|dev')).toHaveLength(3);
  });

  it('events stop counting a while after the last one, and the usual pace comes back', async () => {
    pace.heard(['fake|dev']);
    expect(pace.intervalFor('fake|dev')).toBe(3 * INTERVAL);
    clock.advance(11 * 60_000);
    expect(pace.intervalFor('fake|dev')).toBe(INTERVAL);
  });

  it('a group backing off after an error is not hammered by events', async () => {
    target.failingGroups.add('fake|dev');
    await tracker.poke(['fake|dev']);
    await tracker.poke(['fake|dev']);
    expect(target.observedGroups).toEqual(['fake|dev']);
  });
});
