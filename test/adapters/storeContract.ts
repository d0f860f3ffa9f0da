import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, DeploymentState } from '../../src/domain/deployment.js';
import { CapstanError } from '../../src/domain/errors.js';
import type { Fact } from '../../src/domain/facts/index.js';
import type { PipelineApproval, PipelineApprovalState } from '../../src/domain/pipelineApproval.js';
import type { Store } from '../../src/ports/store.js';

export interface OpenedStore {
  readonly store: Store;
  readonly cleanup: () => Promise<void>;
  /** What the store told its `warn` (parts of records it left out as unreadable). */
  readonly warnings: readonly { readonly message: string; readonly fields: Record<string, unknown> }[];
}

/** A whole record: the stores read what they keep back through its schema. */
const deployment = (id: string, over: Partial<Deployment> = {}): Deployment => ({
  id,
  rev: 0,
  kind: 'deploy',
  app: 'todobackend',
  env: 'dev',
  requestedBy: 'U0ALICE',
  state: 'checking',
  toVersion: '1.0.0',
  channel: 'C0DEV',
  createdAt: 100,
  updatedAt: 100,
  approvals: [],
  ...over,
});

const approval = (id: string, over: Partial<PipelineApproval> = {}): PipelineApproval => ({
  id,
  rev: 0,
  region: 'eu-west-1',
  pipeline: 'web',
  stage: 'Prod',
  action: 'Approve',
  token: 'token-1',
  channel: 'C0DEV',
  state: 'open',
  approvals: [],
  createdAt: 100,
  updatedAt: 100,
  ...over,
});

const isConflict = (e: unknown) => e instanceof CapstanError && e.code === 'conflict';

/** What an environment without `verify` counts as good (goodStates in domain/verified.ts). */
const GOOD: DeploymentState[] = ['succeeded', 'verified'];

/** The behaviour every Store must have; run it against each implementation. */
export function describeStoreContract(
  name: string,
  open: (
    warn: (message: string, fields: Record<string, unknown>) => void,
  ) => Promise<Omit<OpenedStore, 'warnings'>>,
): void {
  describe(`${name} store contract`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      const warnings: { message: string; fields: Record<string, unknown> }[] = [];
      opened = { ...(await open((message, fields) => warnings.push({ message, fields }))), warnings };
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    const ids = (ds: readonly { id: string }[]) => ds.map((d) => d.id);
    /** A deployment through create() and then update() to `state`, as the use cases do. */
    const finished = async (d: Deployment, state: DeploymentState = 'succeeded') => {
      await store.create(d);
      return (await store.update({ ...d, state, finishedAt: d.createdAt + 1 }))!;
    };

    describe('deployments', () => {
      it('keeps a record as written, nested data included', async () => {
        const d = deployment('d-1', {
          plan: { steps: [{ n: 1, tags: ['a', null, true], deep: { x: 'y' } }] },
        });
        await store.create(d);
        expect(await store.get('d-1')).toEqual(d);
        expect(await store.get('d-unknown')).toBeUndefined();
      });

      it('keeps why a deployment ended as a fact, nested facts included', async () => {
        const cause: Fact = {
          kind: 'rollout.manualRollback',
          app: 'todobackend',
          env: 'dev',
          cause: {
            kind: 'ecs.taskStopped',
            id: 't-1',
            reason: 'Essential container <web> exited',
            containers: [{ name: 'web', exitCode: 1 }],
          },
        };
        const d = deployment('d-1', { state: 'failed', cause, reason: undefined });
        await store.create(d);
        expect((await store.get('d-1'))?.cause).toEqual(cause);
        expect(opened.warnings).toEqual([]);
      });

      it('a cause it cannot read is left out and told, and the record stands', async () => {
        // Written by a newer replica that knows a kind of fact this one does not.
        const cause = { kind: 'ecs.fromTheFuture', detail: 1 } as unknown as Fact;
        await store.create(deployment('d-1', { state: 'failed', cause, reason: 'typed by someone' }));
        const back = await store.get('d-1');
        expect(back).toMatchObject({ id: 'd-1', state: 'failed', reason: 'typed by someone' });
        expect(back?.cause).toBeUndefined();
        expect(opened.warnings).toEqual([
          {
            message: expect.stringContaining('cause') as unknown,
            fields: expect.objectContaining({ id: 'd-1' }) as unknown,
          },
        ]);
      });

      it('update is a compare-and-set on rev: a stale revision changes nothing', async () => {
        const d = deployment('d-1');
        await store.create(d);
        const next = await store.update({ ...d, state: 'rolling_out' });
        expect(next).toMatchObject({ id: 'd-1', rev: 1, state: 'rolling_out' });
        expect(await store.get('d-1')).toEqual(next);
        expect(await store.update({ ...d, state: 'failed' })).toBeUndefined();
        expect(await store.get('d-1')).toMatchObject({ rev: 1, state: 'rolling_out' });
      });

      it('lets exactly one of two concurrent writers of the same revision win', async () => {
        const d = deployment('d-1', { state: 'awaiting_approval' });
        await store.create(d);
        const results = await Promise.all([
          store.update({ ...d, state: 'checking' }),
          store.update({ ...d, state: 'rejected' }),
        ]);
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect((await store.get('d-1'))?.state).toBe(winners[0]!.state);
      });

      it('refuses a second deployment in flight in the same environment', async () => {
        await store.create(deployment('d-1'));
        const second = store.create(deployment('d-2', { createdAt: 101 }));
        await expect(second).rejects.toBeInstanceOf(CapstanError);
        await expect(second).rejects.toMatchObject({ code: 'conflict' });
        expect(await store.get('d-2')).toBeUndefined();
        await store.create(deployment('d-3', { env: 'prod' }));
        await store.create(deployment('d-4', { app: 'billing' }));
        expect((await store.inFlightFor('todobackend', 'dev'))?.id).toBe('d-1');
      });

      it('lets exactly one of several concurrent creates in one environment win', async () => {
        const contenders = ['d-1', 'd-2', 'd-3', 'd-4'].map((id, i) =>
          deployment(id, { createdAt: 100 + i }),
        );
        const results = await Promise.allSettled(contenders.map((d) => store.create(d)));
        const won = contenders.filter((_, i) => results[i]!.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(isConflict(r.reason)).toBe(true);
        expect((await store.inFlightFor('todobackend', 'dev'))?.id).toBe(won[0]!.id);
        expect(ids(await store.inFlight())).toEqual([won[0]!.id]);
        expect(ids(await store.history('todobackend', 'dev', 10))).toEqual([won[0]!.id]);
      });

      it('frees the environment once its deployment has finished', async () => {
        await finished(deployment('d-1'), 'failed');
        expect(await store.inFlightFor('todobackend', 'dev')).toBeUndefined();
        await store.create(deployment('d-2', { createdAt: 200 }));
        expect((await store.inFlightFor('todobackend', 'dev'))?.id).toBe('d-2');
      });

      it('accepts a refused deployment once the environment is free again', async () => {
        const first = deployment('d-1');
        const second = deployment('d-2', { createdAt: 101 });
        await store.create(first);
        await expect(store.create(second)).rejects.toMatchObject({ code: 'conflict' });
        await store.update({ ...first, state: 'superseded' });
        await store.create(second);
        expect(await store.get('d-2')).toEqual(second);
        expect((await store.inFlightFor('todobackend', 'dev'))?.id).toBe('d-2');
      });

      it('never brings a finished deployment back in flight', async () => {
        const done = await finished(deployment('d-1'));
        expect(await store.update({ ...done, state: 'rolling_out' })).toBeUndefined();
        expect(await store.inFlightFor('todobackend', 'dev')).toBeUndefined();
        expect((await store.get('d-1'))?.state).toBe('succeeded');
      });

      it('a deployment recorded as already finished does not hold the environment', async () => {
        await store.create(deployment('d-1', { state: 'nothing_to_change' }));
        await store.create(deployment('d-2', { createdAt: 200 }));
        expect((await store.inFlightFor('todobackend', 'dev'))?.id).toBe('d-2');
      });

      it('lists what is in flight everywhere, oldest first', async () => {
        await store.create(deployment('d-dev', { createdAt: 20 }));
        await store.create(deployment('d-prod', { env: 'prod', createdAt: 10 }));
        await store.create(deployment('d-billing', { app: 'billing', createdAt: 30 }));
        await finished(deployment('d-staging', { env: 'staging', createdAt: 5 }));
        expect(ids(await store.inFlight())).toEqual(['d-prod', 'd-dev', 'd-billing']);
        expect((await store.inFlightFor('todobackend', 'prod'))?.id).toBe('d-prod');
        expect(await store.inFlightFor('todobackend', 'staging')).toBeUndefined();
        expect(await store.inFlightFor('todobackend', 'never-used')).toBeUndefined();
      });

      it('tells the history newest first, per environment or per app, up to a limit', async () => {
        await finished(deployment('d-1', { createdAt: 1 }));
        await finished(deployment('d-2', { createdAt: 2 }), 'failed');
        await finished(deployment('d-3', { createdAt: 3 }));
        await store.create(deployment('d-4', { createdAt: 4 }));
        await finished(deployment('p-5', { env: 'prod', createdAt: 5 }));
        await finished(deployment('b-6', { app: 'billing', createdAt: 6 }));
        const dev = await store.history('todobackend', 'dev', 10);
        expect(ids(dev)).toEqual(['d-4', 'd-3', 'd-2', 'd-1']);
        expect(dev.map((d) => d.state)).toEqual(['checking', 'succeeded', 'failed', 'succeeded']);
        expect(ids(await store.history('todobackend', 'dev', 2))).toEqual(['d-4', 'd-3']);
        expect(ids(await store.history('todobackend', undefined, 3))).toEqual(['p-5', 'd-4', 'd-3']);
        expect(ids(await store.history('todobackend', undefined, 10))).toHaveLength(5);
        expect(ids(await store.history('billing', 'prod', 10))).toEqual([]);
      });

      it('reports good versions most recent first, each once, only from deployments that ended as asked', async () => {
        const v = (id: string, toVersion: string, createdAt: number, over: Partial<Deployment> = {}) =>
          deployment(id, { toVersion, createdAt, imageDigest: `sha256:${toVersion}`, ...over });
        await finished(v('d-1', '1.0.0', 1));
        await finished(v('d-2', '2.0.0', 2), 'failed');
        await finished(v('d-3', '1.0.0', 3));
        await finished(v('d-4', '3.0.0', 4));
        await finished(v('d-5', '4.0.0', 5), 'rolled_back');
        await store.create(v('d-6', '5.0.0', 6));
        await finished(v('p-7', '9.0.0', 7, { env: 'prod' }));
        expect(await store.goodVersions('todobackend', 'dev', 10, GOOD)).toEqual([
          { version: '3.0.0', digest: 'sha256:3.0.0', at: 5 },
          { version: '1.0.0', digest: 'sha256:1.0.0', at: 4 },
        ]);
        expect((await store.goodVersions('todobackend', 'dev', 1, GOOD)).map((g) => g.version)).toEqual([
          '3.0.0',
        ]);
        expect((await store.goodVersions('todobackend', 'prod', 10, GOOD)).map((g) => g.version)).toEqual([
          '9.0.0',
        ]);
        expect(await store.goodVersions('todobackend', 'staging', 10, GOOD)).toEqual([]);
      });

      it('counts a verified deployment as good; one still verifying is not yet', async () => {
        const v = (id: string, toVersion: string, createdAt: number) =>
          deployment(id, { toVersion, createdAt, imageDigest: `sha256:${toVersion}` });
        await finished(v('d-1', '1.0.0', 1));
        await finished(v('d-2', '2.0.0', 2), 'verified');
        await store.create({ ...v('d-3', '3.0.0', 3), state: 'verifying' });
        expect((await store.goodVersions('todobackend', 'dev', 10, GOOD)).map((g) => g.version)).toEqual([
          '2.0.0',
          '1.0.0',
        ]); // Where the environment verifies, only verified counts: a version kept after its alarm is not good.
        expect(
          (await store.goodVersions('todobackend', 'dev', 10, ['verified'])).map((g) => g.version),
        ).toEqual(['2.0.0']);
        expect(await store.goodVersions('todobackend', 'dev', 10, [])).toEqual([]);
      });
    });

    describe('locks', () => {
      it('locks an environment once until the lock is deleted', async () => {
        const lock = { app: 'todobackend', env: 'prod', owner: 'U0BOB', reason: 'freeze', at: 5 };
        expect(await store.putLock(lock)).toBe(true);
        expect(await store.putLock({ ...lock, owner: 'U0ALICE', at: 6 })).toBe(false);
        expect(await store.getLock('todobackend', 'prod')).toEqual(lock);
        expect(await store.getLock('todobackend', 'dev')).toBeUndefined();
        expect(await store.putLock({ app: 'billing', env: 'dev', owner: 'U0ALICE', at: 7 })).toBe(true);
        expect((await store.locks()).map((l) => `${l.app}/${l.env}:${l.owner}`).sort()).toEqual([
          'billing/dev:U0ALICE',
          'todobackend/prod:U0BOB',
        ]);
        await store.deleteLock('todobackend', 'prod');
        expect(await store.getLock('todobackend', 'prod')).toBeUndefined();
        expect((await store.locks()).map((l) => l.app)).toEqual(['billing']);
        expect(await store.putLock({ ...lock, owner: 'U0ALICE' })).toBe(true);
      });
    });

    describe('SNS de-duplication', () => {
      it('sees a key first once, and again after it is forgotten', async () => {
        expect(await store.firstSighting('msg-1', 1)).toBe(true);
        expect(await store.firstSighting('msg-1', 2)).toBe(false);
        expect(await store.firstSighting('msg-2', 3)).toBe(true);
        await store.forgetSighting('msg-1');
        expect(await store.firstSighting('msg-1', 4)).toBe(true);
        expect(await store.firstSighting('msg-1', 5)).toBe(false);
      });
    });

    describe('pipeline approvals', () => {
      const move = async (a: PipelineApproval, state: PipelineApprovalState) =>
        (await store.updatePipelineApproval({ ...a, state }))!;

      it('keeps an approval and updates it by compare-and-set on rev', async () => {
        const a = approval('pa-1', { customData: 'nested "quotes" ✓' });
        await store.createPipelineApproval(a);
        expect(await store.getPipelineApproval('pa-1')).toEqual(a);
        expect(await store.getPipelineApproval('pa-unknown')).toBeUndefined();
        const deciding = await store.updatePipelineApproval({ ...a, state: 'deciding' });
        expect(deciding).toMatchObject({ rev: 1, state: 'deciding' });
        expect(await store.updatePipelineApproval({ ...a, state: 'expired' })).toBeUndefined();
        expect(await store.getPipelineApproval('pa-1')).toEqual(deciding);
        const both = await Promise.all([
          store.updatePipelineApproval({ ...deciding!, state: 'approved' }),
          store.updatePipelineApproval({ ...deciding!, state: 'open' }),
        ]);
        expect(both.filter((r) => r !== undefined)).toHaveLength(1);
      });

      it('lists the open and deciding ones of a pipeline, by stage and action', async () => {
        const staging = approval('pa-staging', { stage: 'Staging', createdAt: 1 });
        const prod = approval('pa-prod', { createdAt: 2 });
        const security = approval('pa-security', { action: 'Security', createdAt: 3 });
        const done = approval('pa-done', { createdAt: 4 });
        for (const a of [staging, prod, security, done, approval('pa-api', { pipeline: 'api' })]) {
          await store.createPipelineApproval(a);
        }
        await move(done, 'approved');
        const deciding = await move(prod, 'deciding');
        const open = async (stage?: string, action?: string) =>
          ids(await store.openPipelineApprovals('web', stage, action)).sort();
        expect(await open()).toEqual(['pa-prod', 'pa-security', 'pa-staging']);
        expect(await open('Prod')).toEqual(['pa-prod', 'pa-security']);
        expect(await open('Prod', 'Approve')).toEqual(['pa-prod']);
        expect(await open(undefined, 'Security')).toEqual(['pa-security']);
        const reopened = await move(deciding, 'open');
        expect(await open('Prod', 'Approve')).toEqual(['pa-prod']);
        await move(reopened, 'decided_elsewhere');
        expect(await open()).toEqual(['pa-security', 'pa-staging']);
        expect(ids(await store.openPipelineApprovals('nothing-here'))).toEqual([]);
      });

      it('names every pipeline that has open approvals, so pattern routes find theirs', async () => {
        await store.createPipelineApproval(approval('pa-web', { pipeline: 'web' }));
        await store.createPipelineApproval(approval('pa-api', { pipeline: 'api-prod' }));
        const names = await store.pipelinesWithOpenApprovals();
        expect([...names].sort()).toEqual(['api-prod', 'web']);
      });
    });

    describe('leases', () => {
      it('is held by one owner until it expires, then taken over with a higher fence', async () => {
        const first = await store.acquireLease('poller', 'r1', 1_000, 0);
        expect(first).toBeDefined();
        expect(await store.acquireLease('poller', 'r2', 1_000, 500)).toBeUndefined();
        expect(await store.leases(500)).toEqual([
          { name: 'poller', owner: 'r1', fence: first!.fence, expiresAt: 1_000 },
        ]);
        // Holding on: the same owner keeps its fence and moves the expiry.
        expect(await store.acquireLease('poller', 'r1', 1_000, 600)).toEqual(first);
        expect(await store.acquireLease('poller', 'r2', 1_000, 1_200)).toBeUndefined();
        const second = await store.acquireLease('poller', 'r2', 1_000, 1_600);
        expect(second!.fence).toBeGreaterThan(first!.fence);
        expect(await store.leases(1_700)).toEqual([
          { name: 'poller', owner: 'r2', fence: second!.fence, expiresAt: 2_600 },
        ]);
        expect(await store.leases(2_600)).toEqual([]);
      });

      it('renews only with the current fence, while still held', async () => {
        const first = (await store.acquireLease('poller', 'r1', 1_000, 0))!;
        expect(await store.renewLease('poller', 'r1', first.fence, 1_000, 500)).toBe(true);
        expect(await store.acquireLease('poller', 'r2', 1_000, 1_200)).toBeUndefined();
        const second = (await store.acquireLease('poller', 'r2', 1_000, 1_500))!;
        expect(await store.renewLease('poller', 'r1', first.fence, 1_000, 1_600)).toBe(false);
        expect(await store.renewLease('poller', 'r2', first.fence, 1_000, 1_600)).toBe(false);
        expect(await store.renewLease('poller', 'r2', second.fence, 1_000, 1_600)).toBe(true);
        expect(await store.renewLease('poller', 'r2', second.fence, 1_000, 2_600)).toBe(false);
        expect(await store.renewLease('nothing', 'r2', second.fence, 1_000, 0)).toBe(false);
      });

      it('is released only by its owner, and the next holder gets a higher fence', async () => {
        const first = (await store.acquireLease('poller', 'r1', 1_000, 0))!;
        await store.releaseLease('poller', 'r2');
        expect(await store.acquireLease('poller', 'r2', 1_000, 10)).toBeUndefined();
        await store.releaseLease('poller', 'r1');
        expect(await store.leases(10)).toEqual([]);
        expect(await store.renewLease('poller', 'r1', first.fence, 1_000, 10)).toBe(false);
        const second = await store.acquireLease('poller', 'r2', 1_000, 10);
        expect(second!.fence).toBeGreaterThan(first.fence);
      });

      it('goes to exactly one of several replicas acquiring at once', async () => {
        const owners = ['r1', 'r2', 'r3', 'r4'];
        const fresh = await Promise.all(owners.map((o) => store.acquireLease('fresh', o, 1_000, 0)));
        expect(fresh.filter((f) => f !== undefined)).toHaveLength(1);
        const lapsed = await Promise.all(
          owners.map((o) => store.acquireLease('fresh', `${o}-late`, 1_000, 5_000)),
        );
        const won = lapsed.filter((f) => f !== undefined);
        expect(won).toHaveLength(1);
        expect(won[0]!.fence).toBeGreaterThan(fresh.find((f) => f !== undefined)!.fence);
        expect((await store.leases(5_000)).map((l) => l.owner)).toHaveLength(1);
      });

      it('lists the leases held, by name', async () => {
        await store.acquireLease('b-relay', 'r1', 1_000, 0);
        await store.acquireLease('a-poller', 'r2', 2_000, 0);
        await store.acquireLease('c-gone', 'r3', 100, 0);
        expect((await store.leases(500)).map((l) => `${l.name}:${l.owner}`)).toEqual([
          'a-poller:r2',
          'b-relay:r1',
        ]);
      });
    });

    describe('claimOnce', () => {
      it('gives each key to exactly one of several concurrent claimers, and to nobody after', async () => {
        const claims = await Promise.all(
          ['r1', 'r2', 'r3'].map((o) => store.claimOnce('post:d-1:succeeded', o, 1)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await store.claimOnce('post:d-1:succeeded', 'r1', 2)).toBe(false);
        expect(await store.claimOnce('post:d-1:failed', 'r2', 3)).toBe(true);
      });
    });
  });
}
