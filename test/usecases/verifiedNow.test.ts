import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { Verification } from '../../src/domain/verify.js';
import { readStatus } from '../../src/usecases/status.js';
import { verdictOf } from '../../src/usecases/verifiedNow.js';
import { verdictLine } from '../../src/views/verdict.js';
import { DEV, DIGEST_NEW, DIGEST_OLD, MIN, T0, deployment } from '../fixtures/deployments.js';
import { ManualClock } from '../fakes/ports.js';
import { FakeTarget, fakeRegistry } from '../fakes/target.js';

const VERIFY = { alarms: ['todo-5xx'], bakeMs: 10 * MIN, onAlarm: 'ask' as const };
const VERIFYING = { ...DEV, verify: VERIFY };
const running = { version: '1.2.3', digest: DIGEST_NEW };

const bake = (over: Partial<Verification> = {}): Verification => ({
  startedAt: T0,
  endsAt: T0 + 10 * MIN,
  onAlarm: 'ask',
  alarms: [{ name: 'todo-5xx', state: 'OK' }],
  ...over,
});

const ended = (over: Partial<Deployment>): Deployment =>
  deployment({ state: 'verified', finishedAt: T0 + 12 * MIN, tracking: undefined, ...over });

describe('whether the version running was verified', () => {
  it('verified: when, and who completed the bake early', () => {
    const timeUp = ended({ verification: bake({ decision: { kind: 'timeUp', at: T0 + 12 * MIN } }) });
    expect(verdictOf(VERIFYING, running, [timeUp], undefined)).toEqual({
      kind: 'verified',
      at: T0 + 12 * MIN,
    });
    const early = ended({ verification: bake({ decision: { kind: 'complete', at: T0, by: 'U0BOB' } }) });
    expect(verdictOf(VERIFYING, running, [early], undefined)).toMatchObject({ completedBy: 'U0BOB' });
  });

  it('kept after an alarm: succeeded only, with who kept it, after which alarm and why', () => {
    const kept = ended({
      state: 'succeeded',
      cause: { kind: 'verify.kept', by: 'U0CAROL', alarm: 'todo-5xx', reason: 'known noise' },
    });
    expect(verdictOf(VERIFYING, running, [kept], undefined)).toEqual({
      kind: 'kept',
      at: T0 + 12 * MIN,
      by: 'U0CAROL',
      alarm: 'todo-5xx',
      reason: 'known noise',
    });
    const noBake = ended({ state: 'succeeded' });
    expect(verdictOf(VERIFYING, running, [noBake], undefined)).toEqual({
      kind: 'unverified',
      at: T0 + 12 * MIN,
    });
    // Without `verify`, a success counts as verified: nothing to add.
    expect(verdictOf(DEV, running, [noBake], undefined)).toBeUndefined();
  });

  it('a bake that ended with alarms still in ALARM from before the deploy: not verified, naming them', () => {
    const still = ended({
      state: 'succeeded',
      cause: { kind: 'verify.stillInAlarm', alarms: [{ name: 'todo-5xx', reason: 'Threshold Crossed' }] },
    });
    const verdict = verdictOf(VERIFYING, running, [still], undefined);
    expect(verdict).toEqual({ kind: 'stillInAlarm', at: T0 + 12 * MIN, alarms: ['todo-5xx'] });
    expect(verdictLine(verdict!)).toContain('`todo-5xx` still in ALARM when its bake ended');
    const keptSilently = ended({ state: 'succeeded', cause: { kind: 'verify.kept', by: 'U0CAROL' } });
    expect(verdictLine(verdictOf(VERIFYING, running, [keptSilently], undefined)!, true)).toMatch(
      /^:warning: not verified: <@U0CAROL> kept it <!date\^\d+\^[^>]+>$/,
    );
  });

  it('judges the entry that put the running version in place, not merely the newest', () => {
    const verified = ended({});
    const rolledBack = ended({ toVersion: '1.2.4-broken', state: 'rolled_back', rollbackVersion: '1.2.3' });
    expect(verdictOf(VERIFYING, running, [rolledBack, verified], undefined)?.kind).toBe('verified');
    // The same tag on another image is another version.
    expect(verdictOf(VERIFYING, { ...running, digest: DIGEST_OLD }, [verified], undefined)).toBeUndefined();
    // Unknown, or being rolled out right now: the rollout says what goes on.
    expect(verdictOf(VERIFYING, {}, [verified], undefined)).toBeUndefined();
    const again = deployment({ id: 'd-again', state: 'verifying' });
    expect(verdictOf(VERIFYING, running, [verified], again)).toBeUndefined();
  });

  it('status reads it from the ledger for each environment', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const target = new FakeTarget();
      target.running_.set('todobackend/dev', '1.2.3');
      await store.create(ended({ imageDigest: undefined }));
      const catalog: Catalog = {
        admins: [],
        pipelines: [],
        apps: [{ name: 'todobackend', environments: [VERIFYING] }],
      };
      const [dev] = await readStatus(
        { catalog, store, targets: fakeRegistry(target), clock: new ManualClock(T0) },
        {},
      );
      expect(dev).toMatchObject({ ok: true, verdict: { kind: 'verified', at: T0 + 12 * MIN } });
    } finally {
      store.close();
    }
  });
});
