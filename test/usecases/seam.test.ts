import { textFact } from '../fakes/ports.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment, Policy } from '../../src/domain/catalog.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/ports/store.js';
import { approve } from '../../src/usecases/approval.js';
import { type DeployDeps, requestDeploy } from '../../src/usecases/deploy.js';
import { RolloutTracker } from '../../src/usecases/rollout/tracker.js';
import { Watchlist } from '../../src/usecases/rollout/watchlist.js';
import { sayWhy } from '../../src/views/why.js';
import { FakeTarget, fakeRegistry } from '../fakes/target.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';

const anyone: Policy = {
  deployers: [{ kind: 'anyone' }],
  approvers: [{ kind: 'handle', handle: 'approvers' }],
  approvals: 0,
  allowSelfApproval: false,
  approvalTtlMs: 3_600_000,
};

function environment(name: string, kind: 'ecs' | 'cloudformation', approvals = 0): Environment {
  const target =
    kind === 'ecs'
      ? { kind, region: 'us-east-1', cluster: 'c', service: name, container: 'app', repository: 'r' }
      : { kind, region: 'us-east-1', stack: name, imageParameter: 'Tag', repository: 'r', capabilities: [] };
  return {
    app: 'todo',
    name,
    channel: `C${name.toUpperCase()}`,
    target,
    policy: { ...anyone, approvals },
    rolloutTimeoutMs: 60_000,
    rollback: 'auto',
  };
}

let store: Store;
let clock: ManualClock;
let notifier: RecordingNotifier;
let target: FakeTarget;
let watchlist: Watchlist;
let work: Promise<unknown>[];
let deps: DeployDeps;
let tracker: RolloutTracker;
const dev = environment('dev', 'ecs');
const prod = environment('prod', 'cloudformation', 1);
const catalog: Catalog = { apps: [{ name: 'todo', environments: [dev, prod] }], admins: [], pipelines: [] };

beforeEach(() => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock();
  notifier = new RecordingNotifier();
  target = new FakeTarget();
  target.running_.set('todo/dev', '1.0.0');
  target.running_.set('todo/prod', '1.0.0');
  watchlist = new Watchlist();
  work = [];
  deps = {
    store,
    targets: fakeRegistry(target),
    directory: directoryOf({ approvers: ['U0BOB', 'U0CAROL'] }),
    notifier,
    clock,
    logger: silentLogger,
    follow: (d) => watchlist.add(d),
    own: async () => true,
    background: (p) => void work.push(p),
  };
  tracker = new RolloutTracker(deps, {
    catalog,
    watchlist,
    intervalMs: 1000,
    maxBackoffMs: 8000,
    random: () => 1,
  });
});
afterEach(() => store.close());

/** Lets background work (preparing, executing) finish. */
async function settle(): Promise<void> {
  while (work.length > 0) await Promise.all(work.splice(0));
}

async function deploy(env: Environment, version: string, user = 'U0ALICE') {
  const r = await requestDeploy(deps, env, version, user);
  if (r.kind !== 'started') throw new Error('expected a started request');
  await settle();
  return r.deployment.id;
}

const state = async (id: string) => (await store.get(id))?.state;

describe('use cases through the target seam (an in-memory target, no Slack, no AWS)', () => {
  it('gives a request an id that cannot be taken for a CodeDeploy deployment id (d-…)', async () => {
    const id = await deploy(dev, '1.1.0');
    expect(id).toMatch(/^dep-[0-9a-z]{8}$/);
    expect(id).not.toMatch(/^d-/);
  });

  it('a deploy needing no approval is applied by the requester and followed to success', async () => {
    const id = await deploy(dev, '1.1.0');
    expect(target.applied).toMatchObject([{ requestId: id, version: '1.1.0', actor: 'U0ALICE' }]);
    expect(await state(id)).toBe('rolling_out');
    target.script.set('*', [
      { kind: 'succeeded', data: { version: '1.1.0', env: 'todo/dev' }, lines: [textFact('done')] },
    ]);
    await tracker.tick();
    expect(await state(id)).toBe('succeeded');
    expect(notifier.last(id)?.state).toBe('succeeded');
    expect(watchlist.size).toBe(0);
  });

  it('an approval-gated release runs only once someone else approves, as the approver', async () => {
    const id = await deploy(prod, '1.1.0');
    expect(await state(id)).toBe('awaiting_approval');
    expect(target.applied).toHaveLength(0);
    expect(await approve({ catalog, deploy: deps }, id, 'U0ALICE')).toMatchObject({ kind: 'refused' });
    expect(await approve({ catalog, deploy: deps }, id, 'U0BOB')).toMatchObject({ kind: 'executing' });
    await settle();
    expect(target.applied).toMatchObject([{ version: '1.1.0', actor: 'U0BOB' }]);
    // The digest was checked again right before applying.
    expect(target.checks.filter((c) => c.version === '1.1.0')).toHaveLength(2);
  });

  it('a tag re-pushed between review and approval is not applied', async () => {
    const id = await deploy(prod, '1.1.0');
    target.digests.set('1.1.0', 'sha256:repushed');
    await approve({ catalog, deploy: deps }, id, 'U0BOB');
    await settle();
    expect(target.applied).toHaveLength(0);
    const d = await store.get(id);
    expect(d).toMatchObject({ state: 'failed', offerFresh: true });
    expect(d?.cause).toMatchObject({ kind: 'release.tagMoved', version: '1.1.0' });
    expect(sayWhy(d!)).toContain('now points to');
  });

  it("a failed rollout is rolled back by Capstan to the ledger's last good version", async () => {
    const good = await deploy(dev, '1.1.0');
    target.script.set('*', [{ kind: 'succeeded', data: { version: '1.1.0', env: 'todo/dev' }, lines: [] }]);
    await tracker.tick();
    expect(await state(good)).toBe('succeeded');
    const bad = await deploy(dev, '1.2.0');
    target.script.set('*', [{ kind: 'failed', data: {}, lines: [], reason: textFact('boom') }]);
    await tracker.tick();
    await settle();
    expect(target.checks.at(-1)).toEqual({ version: '1.1.0', rollingBack: true });
    expect(target.applied.at(-1)).toMatchObject({ version: '1.1.0', requestId: `${bad}-rollback` });
    expect(await store.get(bad)).toMatchObject({
      state: 'rolling_back',
      rollbackVersion: '1.1.0',
      cause: textFact('boom'),
    });
    target.script.set('*', [{ kind: 'succeeded', data: { version: '1.1.0', env: 'todo/dev' }, lines: [] }]);
    await tracker.tick();
    expect(await state(bad)).toBe('rolled_back');
  });

  it('a failed rollout is not rolled back to the same image under another tag', async () => {
    const succeed = (version: string) =>
      target.script.set('*', [{ kind: 'succeeded', data: { version, env: 'todo/dev' }, lines: [] }]);
    await deploy(dev, '1.1.0');
    succeed('1.1.0');
    await tracker.tick();
    // release-7 is the same image as 1.2.0 (as a promotion records it under the source's tag).
    target.digests.set('release-7', 'sha256:same');
    target.digests.set('1.2.0', 'sha256:same');
    clock.advance(60_000);
    await deploy(dev, 'release-7');
    succeed('release-7');
    await tracker.tick();
    clock.advance(60_000);
    const bad = await deploy(dev, '1.2.0');
    target.script.set('*', [{ kind: 'failed', data: {}, lines: [], reason: textFact('boom') }]);
    await tracker.tick();
    await settle();
    expect(await store.get(bad)).toMatchObject({ state: 'rolling_back', rollbackVersion: '1.1.0' });
  });

  it('what the target reported is kept as the cause, inside what Capstan did about it', async () => {
    const stopped = {
      kind: 'ecs.taskStopped',
      id: 't-1',
      reason: 'Essential container <web> exited',
    } as const;
    const first = await deploy(dev, '1.2.0');
    target.script.set('*', [{ kind: 'failed', data: {}, lines: [], reason: stopped }]);
    await tracker.tick();
    // Nothing succeeded here before: nothing to roll back to.
    const d = await store.get(first);
    expect(d).toMatchObject({ state: 'failed', cause: { kind: 'rollout.noGoodVersion', cause: stopped } });
    expect(d?.reason).toBeUndefined();
    expect(sayWhy(d!)).toBe(
      ':x: Task `t-1` stopped: Essential container &lt;web&gt; exited. Capstan knows no earlier good version here, so it did not roll back.',
    );
  });

  it('a rollback that fails too keeps both causes, and the thread says where it rolled back to', async () => {
    const good = await deploy(dev, '1.1.0');
    target.script.set('*', [{ kind: 'succeeded', data: { version: '1.1.0', env: 'todo/dev' }, lines: [] }]);
    await tracker.tick();
    const bad = await deploy(dev, '1.2.0');
    target.script.set('*', [
      { kind: 'failed', data: {}, lines: [], reason: { kind: 'rollout.noProgress', seconds: 9 } },
    ]);
    await tracker.tick();
    await settle();
    expect(await store.get(bad)).toMatchObject({
      state: 'rolling_back',
      cause: { kind: 'rollout.noProgress', seconds: 9 },
    });
    expect(notifier.lines(bad)).toContain(
      ':rewind: Rolling back to `1.1.0`, the last version that succeeded here.',
    );
    target.script.set('*', [{ kind: 'failed', data: {}, lines: [], reason: textFact('boom & bust') }]);
    await tracker.tick();
    const d = await store.get(bad);
    expect(d).toMatchObject({
      state: 'rollback_failed',
      cause: {
        kind: 'rollout.rollbackFailed',
        before: { kind: 'rollout.noProgress', seconds: 9 },
        cause: textFact('boom & bust'),
      },
    });
    expect(sayWhy(d!)).toBe('no progress for 9s; the rollback failed too: boom &amp; bust');
    expect(await state(good)).toBe('succeeded');
  });

  it("the target's own rollback is followed, never doubled", async () => {
    const id = await deploy(dev, '1.2.0');
    target.script.set('*', [
      {
        kind: 'failed',
        data: {},
        lines: [],
        reason: textFact('alarm'),
        selfRollback: { kind: 'following', data: { rb: 1 } },
      },
      { kind: 'succeeded', data: { version: '1.0.0', env: 'todo/dev' }, lines: [] },
    ]);
    await tracker.tick();
    expect(await store.get(id)).toMatchObject({
      state: 'rolling_back',
      tracking: { rolledBackBy: 'FakeCloud', phase: 'rollback' },
    });
    await tracker.tick();
    expect(await state(id)).toBe('rolled_back');
    expect(target.applied).toHaveLength(1);
  });

  it("someone else's change is named as such, and nothing is rolled back over it", async () => {
    const id = await deploy(dev, '1.2.0');
    target.script.set('*', [{ kind: 'superseded', data: {}, lines: [], by: 'rev 77' }]);
    await tracker.tick();
    const d = await store.get(id);
    expect(d?.state).toBe('superseded');
    expect(d?.cause).toEqual({ kind: 'rollout.superseded', by: 'rev 77', late: false });
    expect(sayWhy(d!)).toContain('rev 77');
    expect(target.applied).toHaveLength(1);
  });

  it('a rollout whose record cannot be read back ends failed, named, and nothing is rolled back blind', async () => {
    const id = await deploy(dev, '1.2.0');
    const what = {
      kind: 'record.unreadable',
      id,
      what: 'its tracking',
      problem: 'deploymentId: required',
    } as const;
    target.script.set('*', [{ kind: 'unrecorded', data: {}, lines: [], what }]);
    await tracker.tick();
    const d = await store.get(id);
    expect(d?.state).toBe('failed');
    expect(d?.cause).toEqual({ kind: 'rollout.cannotFollow', cause: what });
    expect(sayWhy(d!)).toBe(
      `Capstan cannot read what it recorded for ${id} (its tracking): deploymentId: required.`,
    );
    expect(target.applied).toHaveLength(1);
    expect(watchlist.size).toBe(0);
  });

  it('no progress past the rollout timeout fails and rolls back, but waiting for people does not', async () => {
    await deploy(dev, '1.1.0');
    target.script.set('*', [{ kind: 'succeeded', data: { version: '1.1.0', env: 'todo/dev' }, lines: [] }]);
    await tracker.tick();
    const id = await deploy(dev, '1.2.0');
    target.script.set('*', [
      { kind: 'progress', data: {}, lines: [], moved: false, waiting: 'waiting to reroute traffic' },
    ]);
    clock.advance(120_000);
    await tracker.tick();
    expect(await state(id)).toBe('rolling_out');
    target.script.set('*', [
      { kind: 'progress', data: {}, lines: [], moved: false, progress: { done: 1, total: 3 } },
    ]);
    await tracker.tick();
    clock.advance(61_000);
    await tracker.tick();
    await settle();
    const d = await store.get(id);
    expect(d?.cause).toEqual({ kind: 'rollout.noProgress', seconds: 60, progress: { done: 1, total: 3 } });
    expect(sayWhy(d!)).toBe('no progress for 60s (1/3 done)');
    expect(d?.state).toBe('rolling_back');
  });

  it('an error from the call that changes AWS is reconciled: a change that took effect is followed', async () => {
    target.applyError = new Error('socket hang up');
    target.tookEffectAnyway = true;
    const id = await deploy(dev, '1.2.0');
    expect(await state(id)).toBe('rolling_out');
    expect(notifier.lines(id).join('\n')).toContain('but the change took effect');
    target.applyError = new Error('socket hang up');
    target.tookEffectAnyway = false;
    target.script.set('*', [{ kind: 'succeeded', data: { version: '1.2.0', env: 'todo/dev' }, lines: [] }]);
    await tracker.tick();
    const other = await deploy(dev, '1.3.0');
    expect(await store.get(other)).toMatchObject({ state: 'failed', reason: 'socket hang up' });
  });

  it('one poll group that cannot be read backs off without holding up another', async () => {
    const staging = { ...environment('staging', 'ecs'), channel: 'CSTAGING' };
    const cat: Catalog = { ...catalog, apps: [{ name: 'todo', environments: [dev, staging] }] };
    tracker = new RolloutTracker(deps, {
      catalog: cat,
      watchlist,
      intervalMs: 1000,
      maxBackoffMs: 8000,
      random: () => 1,
    });
    const a = await deploy(dev, '1.2.0');
    const b = await deploy(staging, '1.2.0');
    target.failingGroups.add('fake|dev');
    target.script.set(b, [{ kind: 'succeeded', data: { version: '1.2.0', env: 'todo/staging' }, lines: [] }]);
    await tracker.tick();
    expect(await state(b)).toBe('succeeded');
    expect(await state(a)).toBe('rolling_out');
    // Backing off: the sick group is not asked again before its delay has passed.
    target.observedGroups.length = 0;
    await tracker.tick();
    expect(target.observedGroups).not.toContain('fake|dev');
    clock.advance(2001);
    await tracker.tick();
    expect(target.observedGroups).toContain('fake|dev');
  });

  it('AWS unreadable past the deadline says "outcome unknown" with the last thing seen, then the truth replaces it', async () => {
    const id = await deploy(dev, '1.2.0');
    target.script.set('*', [
      { kind: 'progress', data: {}, lines: [], moved: true, progress: { done: 1, total: 2 } },
    ]);
    await tracker.tick();
    target.failingGroups.add('fake|dev');
    clock.advance(30_000);
    await tracker.tick();
    expect(await state(id)).toBe('rolling_out');
    clock.advance(31_000);
    await tracker.tick();
    const unknown = await store.get(id);
    expect(unknown?.state).toBe('outcome_unknown');
    expect(sayWhy(unknown!)).toMatch(
      /Outcome unknown: AWS could not be read for 61s \(fake\|dev is throttled\)\. Last seen: rolling out 1\/2/,
    );
    // The environment is free again, and Capstan keeps checking.
    expect(await store.inFlightFor('todo', 'dev')).toBeUndefined();
    target.failingGroups.clear();
    target.script.set('*', [{ kind: 'succeeded', data: { version: '1.2.0', env: 'todo/dev' }, lines: [] }]);
    clock.advance(60_000);
    await tracker.tick();
    const known = await store.get(id);
    expect(known?.state).toBe('succeeded');
    expect(known?.reason).toBeUndefined();
    expect(known?.cause).toBeUndefined();
  });
});
