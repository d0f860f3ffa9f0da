import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import { pauseKey } from '../../src/domain/deployment.js';
import { isCapstanError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/ports/store.js';
import type { TargetStrategy } from '../../src/targets/strategy.js';
import { type PauseDeps } from '../../src/usecases/pause.js';
import { proceedRollout } from '../../src/usecases/proceed.js';
import { deployment } from '../fixtures/deployments.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';
import { FakeTarget, fakeRegistry } from '../fakes/target.js';

/** CodeDeploy blue/green waiting to reroute traffic: Continue takes the same gate as ECS's pauses. */
const bluegreen: Environment = {
  app: 'todobackend',
  name: 'dev',
  channel: 'C0DEV',
  target: { kind: 'ecs', region: 'us-east-1', cluster: 'c', service: 's', container: 'app', repository: 'r' },
  policy: {
    deployers: [{ kind: 'anyone' }],
    approvers: [{ kind: 'handle', handle: 'approvers' }],
    approvals: 0,
    allowSelfApproval: false,
    approvalTtlMs: 3_600_000,
  },
  rolloutTimeoutMs: 60_000,
  rollback: 'auto',
};

let store: Store;
let clock: ManualClock;
let proceeded: number;
let release: () => void;
let deps: PauseDeps;

function depsWith(env: Environment): PauseDeps {
  const gate = new Promise<void>((r) => (release = r));
  const target: TargetStrategy = Object.assign(new FakeTarget(), {
    proceed: async () => {
      proceeded += 1;
      await gate;
      return [];
    },
  });
  const catalog: Catalog = { apps: [{ name: env.app, environments: [env] }], admins: [], pipelines: [] };
  return {
    store,
    targets: fakeRegistry(target),
    directory: directoryOf({ approvers: ['U0BOB', 'U0CAROL'] }),
    notifier: new RecordingNotifier(),
    clock,
    logger: silentLogger,
    follow: () => undefined,
    own: async () => true,
    background: () => undefined,
    catalog,
  };
}

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock();
  proceeded = 0;
  deps = depsWith(bluegreen);
  const d = deployment({ id: 'd-bg', rev: 0 });
  await store.create({ ...d, tracking: { ...d.tracking!, waiting: 'waiting to reroute traffic' } });
});
afterEach(() => store.close());

describe('CodeDeploy blue/green Continue takes the gate of every pause', () => {
  it('racing clicks make one ContinueDeployment; the others hear who decided', async () => {
    const clicks = Promise.all([
      proceedRollout(deps, 'd-bg', 'U0BOB'),
      proceedRollout(deps, 'd-bg', 'U0CAROL'),
      proceedRollout(deps, 'd-bg', 'U0BOB'),
    ]);
    await new Promise((r) => setImmediate(r));
    release();
    const results = await clicks;
    expect(proceeded).toBe(1);
    expect(results.map((r) => r.kind).sort()).toEqual(['continuing', 'decided_already', 'decided_already']);
    expect((await store.get('d-bg'))?.decisions).toHaveLength(1);
    expect((await store.get('d-bg'))?.tracking?.waiting).toBeUndefined();
  });

  it('a click shown the pause before another decided it hears who decided, not "not waiting"', async () => {
    const shown = pauseKey((await store.get('d-bg'))?.tracking, 'continue');
    release();
    expect(await proceedRollout(deps, 'd-bg', 'U0BOB', shown)).toMatchObject({ kind: 'continuing' });
    // The decision cleared the pause: a later click of a button shown for it is the same decision.
    expect((await store.get('d-bg'))?.tracking?.waiting).toBeUndefined();
    expect(await proceedRollout(deps, 'd-bg', 'U0CAROL', shown)).toMatchObject({
      kind: 'decided_already',
      decision: { by: 'U0BOB', action: 'continue' },
    });
    // Without the key it was shown for, the click can only say the rollout no longer waits.
    expect(await proceedRollout(deps, 'd-bg', 'U0CAROL')).toMatchObject({ kind: 'not_waiting' });
    expect(proceeded).toBe(1);
  });

  it('a button shown for another pause than the one the rollout waits at decides nothing', async () => {
    const other = pauseKey(
      { phase: 'rollout', data: {}, startedAt: 0, lastProgressAt: 0, waiting: 'waiting at an earlier step' },
      'continue',
    );
    expect(await proceedRollout(deps, 'd-bg', 'U0BOB', other)).toMatchObject({ kind: 'not_waiting' });
    expect(proceeded).toBe(0);
    expect((await store.get('d-bg'))?.decisions ?? []).toEqual([]);
  });

  it('a lock refuses Continue, naming who holds it', async () => {
    await store.putLock({
      app: 'todobackend',
      env: 'dev',
      owner: 'U0CAROL',
      reason: 'incident',
      at: clock.now(),
    });
    const refused = await proceedRollout(deps, 'd-bg', 'U0BOB').catch((e: unknown) => e);
    expect(isCapstanError(refused) && refused.code).toBe('locked');
    expect(proceeded).toBe(0);
  });

  it('a freeze in force refuses Continue', async () => {
    deps = depsWith({
      ...bluegreen,
      freezes: [{ name: 'always', cron: '* * * * *', durationMs: 120_000, timezone: 'UTC' }],
    });
    const refused = await proceedRollout(deps, 'd-bg', 'U0BOB').catch((e: unknown) => e);
    expect(isCapstanError(refused) && refused.fact).toMatchObject({
      kind: 'freeze.frozen',
      freeze: 'always',
    });
    expect(proceeded).toBe(0);
  });

  it('the requester may not continue their own deploy where self-approval is not allowed', async () => {
    expect(await proceedRollout(deps, 'd-bg', 'U0ALICE')).toMatchObject({
      kind: 'not_allowed',
      requester: true,
    });
    expect(proceeded).toBe(0);
  });
});
