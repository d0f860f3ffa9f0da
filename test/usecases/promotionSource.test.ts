import { describe, expect, it } from 'vitest';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { CapstanError } from '../../src/domain/errors.js';
import type { Store } from '../../src/ports/store.js';
import { createTargetRegistry } from '../../src/targets/registry.js';
import type { TargetStrategy } from '../../src/targets/strategy.js';
import type { DeployDeps } from '../../src/usecases/deps.js';
import { requestPromotion } from '../../src/usecases/promote.js';
import { passPromotion } from '../../src/usecases/promotion.js';
import { DEV, DIGEST_NEW, DIGEST_OLD, MIN, PROD, T0, deployment } from '../fixtures/deployments.js';
import { ManualClock, directoryOf } from '../fakes/ports.js';
import { sayError } from '../../src/views/facts/index.js';

/** The source verifies: there, `succeeded` is not verified. */
const STAGING: Environment = {
  ...DEV,
  name: 'staging',
  verify: { alarms: ['todo-5xx'], bakeMs: 10 * MIN, onAlarm: 'ask' },
};
const TO: Environment = { ...PROD, promotion: { from: 'staging', soakMs: 0 } };
const CATALOG = {
  admins: [],
  apps: [{ name: 'todobackend', environments: [STAGING, TO] }],
} as unknown as Catalog;

const at = (minutes: number, over: Partial<Deployment>): Deployment =>
  deployment({
    env: 'staging',
    tracking: undefined,
    createdAt: T0 + minutes * MIN,
    finishedAt: T0 + minutes * MIN,
    updatedAt: T0 + minutes * MIN,
    ...over,
  });

/** Reached the deploy flow: past the source check (the flow itself is not under test here). */
const REACHED = new Error('reached the deploy flow');

function depsOf(ledger: readonly Deployment[]): DeployDeps {
  const clock = new ManualClock(T0 + 24 * 60 * MIN);
  const store = new Proxy({} as Store, {
    get: (_, name) =>
      name === 'history'
        ? async (_app: string, _env: string, limit: number) => ledger.slice(0, limit)
        : () => Promise.reject(REACHED),
  });
  // Only what each kind of target deploys is asked of the strategies here.
  const targets = createTargetRegistry({
    ecs: { artifact: 'image' } as TargetStrategy,
    cloudformation: { artifact: 'image' } as TargetStrategy,
    'codedeploy-server': { artifact: 'bundle' } as TargetStrategy,
  });
  return { store, clock, catalog: CATALOG, directory: directoryOf({}), targets } as unknown as DeployDeps;
}

/** What the gate's refusal of another digest suggests promoting now. */
async function suggested(deps: DeployDeps) {
  const e = await passPromotion(
    deps,
    TO,
    { version: '9.9.9', digest: DIGEST_OLD, via: 'deploy' },
    'U0ALICE',
    undefined,
  ).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CapstanError);
  return (e as CapstanError).fact as { sourceRuns?: { digest: string } };
}

describe('what the source runs, and whether it passes: one rule for the gate and /deploy promote', () => {
  it.each([
    [
      'a later redeploy of the verified digest that only succeeded',
      [at(30, { toVersion: '1.2.3', state: 'succeeded' }), at(10, { toVersion: '1.2.3', state: 'verified' })],
    ],
    [
      'more than 20 requests that changed nothing since the verification',
      [
        ...Array.from({ length: 25 }, (_, i) =>
          at(60 - i, { id: `d-${i}`, toVersion: '1.2.4', state: 'rejected' }),
        ),
        at(10, { toVersion: '1.2.3', state: 'verified' }),
      ],
    ],
  ])('%s: the refusal suggests promoting it, and the promotion goes', async (_, ledger) => {
    const deps = depsOf(ledger);
    expect((await suggested(deps)).sourceRuns?.digest).toBe(DIGEST_NEW);
    await expect(requestPromotion(deps, TO, STAGING, 'U0ALICE')).rejects.toBe(REACHED);
  });

  it('a source that runs nothing verified: no suggestion, and the promotion is refused', async () => {
    const deps = depsOf([at(10, { toVersion: '1.2.3', state: 'succeeded' })]);
    expect((await suggested(deps)).sourceRuns).toBeUndefined();
    await expect(requestPromotion(deps, TO, STAGING, 'U0ALICE')).rejects.toMatchObject({
      fact: { kind: 'promotion.nothingVerified' },
    });
  });
});

describe('a promotion to or from a CodeDeploy server environment', () => {
  const SERVERS: Environment = {
    ...DEV,
    name: 'servers',
    target: {
      kind: 'codedeploy-server',
      region: 'us-east-1',
      application: 'todo',
      deploymentGroup: 'servers',
      revision: { bucket: 'b', key: 'todo-{version}.zip', bundleType: 'zip' },
    },
  } as unknown as Environment;

  it.each([
    ['from', SERVERS, TO],
    ['to', STAGING, SERVERS],
  ] as const)('%s one: says it has no image digest to promote', async (end, from, to) => {
    const deps = depsOf([at(10, { toVersion: '1.2.3', state: 'verified' })]);
    const e = await requestPromotion(deps, to, from, 'U0ALICE').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CapstanError);
    expect((e as CapstanError).fact).toMatchObject({ kind: 'promotion.noImage', bundleEnv: 'servers', end });
    expect(sayError(e as CapstanError)).toContain('has no image digest to promote');
  });
});
