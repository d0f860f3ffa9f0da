import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/ports/store.js';
import { type DeployDeps, newDeployment } from '../../src/usecases/deploy.js';
import { Coordinator, Leases } from '../../src/usecases/rollout/coordinator.js';
import { RolloutOutcomes } from '../../src/usecases/rollout/outcomes.js';
import { Watchlist } from '../../src/usecases/rollout/watchlist.js';
import { FakeTarget, fakeRegistry } from '../fakes/target.js';
import { ManualClock, RecordingNotifier, directoryOf, textFact } from '../fakes/ports.js';

const env: Environment = {
  app: 'todo',
  name: 'dev',
  channel: 'CDEV',
  target: { kind: 'ecs', region: 'us-east-1', cluster: 'c', service: 's', container: 'app', repository: 'r' },
  policy: {
    deployers: [{ kind: 'anyone' }],
    approvers: [],
    approvals: 0,
    allowSelfApproval: false,
    approvalTtlMs: 1,
  },
  rolloutTimeoutMs: 60_000,
  rollback: 'auto',
};
const catalog: Catalog = { apps: [{ name: 'todo', environments: [env] }], admins: [], pipelines: [] };

let store: Store;
let clock: ManualClock;

/** One replica: its own leases, watchlist and coordinator over the shared store. */
function replica(owner: string) {
  const watchlist = new Watchlist();
  const leases = new Leases(store, clock, owner, 30_000);
  const target = new FakeTarget();
  const notifier = new RecordingNotifier();
  const deps: DeployDeps = {
    store,
    targets: fakeRegistry(target),
    directory: directoryOf({}),
    notifier,
    clock,
    logger: silentLogger,
    follow: (d) => watchlist.add(d),
    own: (d) => leases.own(d.id),
    background: () => undefined,
  };
  // As replicas on a shared ledger: a rollout taken over mid-run is shown once.
  const coordinator = new Coordinator(deps, { catalog, watchlist, leases, showTakenOver: true });
  // Its tracker's judgement, as after the check that it still owns a rollout: a stall may come right after.
  const outcomes = new RolloutOutcomes(deps, { watchlist });
  return { watchlist, leases, coordinator, outcomes, target, notifier };
}

async function rollingOut(id: string): Promise<Deployment> {
  const d: Deployment = {
    ...newDeployment(env, 'deploy', '1.2.3', 'U0ALICE', clock.now()),
    id,
    state: 'rolling_out',
    tracking: { phase: 'rollout', startedAt: clock.now(), lastProgressAt: clock.now(), data: {} },
  };
  await store.create(d);
  return d;
}

beforeEach(() => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock();
});
afterEach(() => store.close());

describe('several replicas, one owner per deployment', () => {
  it('exactly one replica follows a rollout; another takes it over once the owner stops renewing', async () => {
    const a = replica('a');
    const b = replica('b');
    await rollingOut('d-1');
    await a.coordinator.tick();
    await b.coordinator.tick();
    expect(a.watchlist.has('d-1')).toBe(true);
    expect(b.watchlist.has('d-1')).toBe(false);
    // a is killed: it renews no more. Within the lease time nothing moves; after it, b takes over.
    clock.advance(29_000);
    await b.coordinator.tick();
    expect(b.watchlist.has('d-1')).toBe(false);
    clock.advance(2_000);
    await b.coordinator.tick();
    expect(b.watchlist.has('d-1')).toBe(true);
    // What a dropped before it stalled is shown again by the new owner, once; a resumed nothing at its start.
    expect(b.notifier.shown.map((d) => [d.id, d.state])).toEqual([['d-1', 'rolling_out']]);
    expect(a.notifier.shown).toEqual([]);
    // a comes back (it had only stalled): its renewal fails and it stops following at once.
    await a.coordinator.tick();
    expect(a.watchlist.has('d-1')).toBe(false);
  });

  it('a replica that stalls past its lease knows since when it lapsed, before and after it learns another took it', async () => {
    const a = replica('a');
    const b = replica('b');
    await rollingOut('d-7');
    const start = clock.now();
    await a.coordinator.tick();
    expect(a.leases.lapsedAt('d-7')).toBeUndefined();
    // Renewed on time, it stays a's by a's own clock.
    clock.advance(20_000);
    await a.coordinator.tick();
    clock.advance(20_000);
    expect(a.leases.lapsedAt('d-7')).toBeUndefined();
    // a stalls past its lease: by its own clock it can no longer be sure, even before it looks.
    clock.advance(10_001);
    const ranOut = start + 20_000 + 30_000;
    expect(a.leases.lapsedAt('d-7')).toBe(ranOut);
    await b.coordinator.tick();
    expect(b.leases.holds('d-7')).toBe(true);
    expect(b.leases.lapsedAt('d-7')).toBeUndefined();
    // a wakes: its renewal fails; it stays lapsed from when its lease ran out, not from when it learnt it.
    clock.advance(5_000);
    await a.coordinator.tick();
    expect(a.leases.holds('d-7')).toBe(false);
    expect(a.leases.lapsedAt('d-7')).toBe(ranOut);
    // Remembered for an hour after a learnt it, then forgotten.
    clock.advance(3_600_000);
    expect(a.leases.lapsedAt('d-7')).toBe(ranOut);
    clock.advance(1);
    expect(a.leases.lapsedAt('d-7')).toBeUndefined();
    // A replica that never held it: nothing of it is stale there.
    expect(replica('c').leases.lapsedAt('d-7')).toBeUndefined();
  });

  it('a replica stopped with SIGTERM hands its leases back, and another takes over at once', async () => {
    const a = replica('a');
    const b = replica('b');
    await rollingOut('d-2');
    await a.coordinator.tick();
    await a.leases.releaseAll();
    await b.coordinator.tick();
    expect(b.watchlist.has('d-2')).toBe(true);
  });

  it('a rollout started on another replica (an approval clicked there) is followed by the owner', async () => {
    const a = replica('a');
    const d = await rollingOut('d-3');
    expect(await a.leases.own(d.id)).toBe(true);
    expect(a.watchlist.has('d-3')).toBe(false);
    await a.coordinator.tick();
    expect(a.watchlist.has('d-3')).toBe(true);
  });

  it('a live replica takes over the "outcome unknown" rollouts of a replica that died', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await rollingOut('d-5');
    await a.coordinator.tick();
    await b.coordinator.tick();
    // a could not read the outcome in time: it records "outcome unknown" and keeps checking.
    const unknown = (await store.update({ ...d, state: 'outcome_unknown', finishedAt: clock.now() }))!;
    a.watchlist.set(unknown);
    clock.advance(10_000);
    await a.coordinator.tick();
    await b.coordinator.tick();
    expect(a.leases.holds('d-5')).toBe(true);
    expect(b.watchlist.has('d-5')).toBe(false);
    // a dies: it renews no more. b, long past its own start, takes the check over once a's lease ran out.
    clock.advance(31_000);
    await b.coordinator.tick();
    expect(b.watchlist.get('d-5')?.state).toBe('outcome_unknown');
    expect(b.leases.holds('d-5')).toBe(true);
  });

  it('a live owner keeps its "outcome unknown" rollouts: nobody else takes them while it renews', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await rollingOut('d-6');
    await a.coordinator.tick();
    const unknown = (await store.update({ ...d, state: 'outcome_unknown', finishedAt: clock.now() }))!;
    a.watchlist.set(unknown);
    for (let i = 0; i < 6; i++) {
      clock.advance(10_000);
      await a.coordinator.tick();
      await b.coordinator.tick();
    }
    expect(a.watchlist.has('d-6')).toBe(true);
    expect(b.watchlist.has('d-6')).toBe(false);
  });

  it('leases of finished deployments are let go', async () => {
    const a = replica('a');
    const d = await rollingOut('d-4');
    await a.coordinator.tick();
    await store.update({ ...d, state: 'succeeded', finishedAt: clock.now() });
    await a.coordinator.tick();
    expect(a.leases.holds('d-4')).toBe(false);
    expect(a.watchlist.has('d-4')).toBe(false);
  });
});

/*
 * A replica that stalled right after it checked it still owned a rollout wakes up and acts on what
 * its look saw then; meanwhile the replica that took the rollout over has ended it. The old look
 * must change nothing: no write over the ending, no rollback, nothing shown.
 */
/** A look that saw half the tasks of the new revision running. */
const HALFWAY = {
  kind: 'progress',
  data: {},
  lines: [],
  progress: { done: 1, total: 2 },
  moved: true,
} as const;

describe('an old look of a replica that stalled, after another replica ended the rollout', () => {
  /** The stalled replica's snapshot of a rollout it followed, after the new owner ended it in the ledger. */
  async function endedMeanwhile(a: ReturnType<typeof replica>): Promise<Deployment> {
    await store.create({
      ...newDeployment(env, 'deploy', '1.2.2', 'U0ALICE', clock.now()),
      id: 'd-good',
      state: 'succeeded',
      finishedAt: clock.now(),
    });
    const seen = (await store.get((await rollingOut('d-8')).id))!;
    a.watchlist.add(seen);
    clock.advance(40_000);
    await store.update({ ...seen, state: 'succeeded', finishedAt: clock.now(), updatedAt: clock.now() });
    return seen;
  }

  it('a failure it saw rolls nothing back and leaves the ending as it is', async () => {
    const a = replica('a');
    const seen = await endedMeanwhile(a);
    const reason = textFact('tasks kept stopping');
    await a.outcomes.apply(seen, env, a.target, { kind: 'failed', data: {}, lines: [], reason });
    expect(a.target.applied).toEqual([]);
    expect((await store.get('d-8'))?.state).toBe('succeeded');
    expect(a.notifier.shown).toEqual([]);
  });

  it('progress it saw is not written over the ending, nor shown', async () => {
    const a = replica('a');
    const seen = await endedMeanwhile(a);
    await a.outcomes.apply(seen, env, a.target, HALFWAY);
    const now = (await store.get('d-8'))!;
    expect([now.state, now.tracking?.progress]).toEqual(['succeeded', undefined]);
    expect(a.notifier.shown).toEqual([]);
  });

  it('a rollback another replica started meanwhile is not overwritten by what the old look saw', async () => {
    const a = replica('a');
    const seen = (await store.get((await rollingOut('d-9')).id))!;
    const rollingBack = { ...seen, state: 'rolling_back' as const, updatedAt: clock.now() + 1 };
    await store.update(rollingBack);
    await a.outcomes.apply(seen, env, a.target, HALFWAY);
    await a.outcomes.apply(seen, env, a.target, { kind: 'succeeded', data: {}, lines: [] });
    const now = (await store.get('d-9'))!;
    expect([now.state, now.finishedAt, now.tracking?.progress]).toEqual([
      'rolling_back',
      undefined,
      undefined,
    ]);
    expect(a.notifier.shown).toEqual([]);
  });

  it('a look refused by a write at another stage follows the ledger again from the next round', async () => {
    const a = replica('a');
    const seen = (await store.get((await rollingOut('d-10')).id))!;
    await a.coordinator.tick();
    // In this same process, a rollback was recorded while a look of the rollout was under way.
    await store.update({ ...seen, state: 'rolling_back', updatedAt: clock.now() });
    await a.outcomes.apply(seen, env, a.target, HALFWAY);
    expect(a.watchlist.get('d-10')?.state).toBe('rolling_out');
    await a.coordinator.tick();
    expect(a.watchlist.get('d-10')?.state).toBe('rolling_back');
  });

  it('an ending it saw does not replace the one recorded', async () => {
    const a = replica('a');
    const seen = await endedMeanwhile(a);
    await a.outcomes.apply(seen, env, a.target, { kind: 'superseded', data: {}, lines: [], by: 'someone' });
    expect((await store.get('d-8'))?.state).toBe('succeeded');
    expect(a.notifier.shown).toEqual([]);
  });
});
