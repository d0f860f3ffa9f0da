import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTable, openDynamoStore } from '../../src/adapters/store/dynamodb.js';
import type { Lease, Store } from '../../src/ports/store.js';
import type { Harness } from '../support/harness.js';
import { responseTo } from '../support/harness.js';
import { FIVE_XX, type MatrixTarget } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';
import { type Gate, body } from './scenario.js';

/*
 * Two replicas of Capstan in this process on one DynamoDB table (dynalite), each with its own
 * replica name, so a deployment is owned through a lease: the owner dies in the middle of a bake
 * (frozen in a look that never answers, its loops stopped, its leases never handed back) and the
 * other takes the bake over once the lease runs out on the shared SkipClock.
 */

/** The takeover on each of `targets` (a file each few, so that they run side by side). */
export function describeTakeover(targets: readonly MatrixTarget[]): void {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const savedEnv = { ...process.env };
  let tables = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // The ledger's client is Capstan's own (connectDynamoStore): pointed at dynalite as the e2e replicas are.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    delete process.env.AWS_PROFILE;
  });
  afterAll(async () => {
    process.env = { ...savedEnv };
    await new Promise((resolve) => server.close(resolve));
  });

  describe.each(targets)('verification on $name: a replica takes a bake over', (t) => {
    const s = new MatrixSteps(t);
    let table: string;
    let store: Store;
    let owner: Harness | undefined;
    let dying: Promise<void> | undefined;
    let held: Gate | undefined;

    beforeEach(async () => {
      table = `capstan-bake-${++tables}`;
      const client = new DynamoDBClient({ region: 'us-east-1' });
      await ensureTable(client, table);
      store = openDynamoStore({ table, client });
    });
    afterEach(async () => {
      held?.fail();
      await dying?.catch(() => undefined);
      held = undefined;
      dying = undefined;
      owner = undefined;
      store.close();
    });

    const last = async () => (await store.history('todobackend', t.env, 5))[0]!;
    const leaseOf = async (id: string) =>
      (await store.leases(s.clock.now())).find((l) => l.name === `deployment:${id}`);

    it('the owner dies mid-bake: the other replica takes it over and ends it once, not early', async () => {
      // A lease of 30 s (renewed every 10 s) and a bake of 5 min: time skipping a few seconds at a
      // time never lets a live owner's lease run out, and the takeover comes well before the end.
      const w = await s.start('rollback', '', (yaml) =>
        yaml
          .replace('sqlite: __DB__', `dynamodb: { table: ${table}, region: us-east-1 }`)
          .replace('bake: 1m', 'bake: 5m'),
      );
      // The deploy is asked of the replica that will die: it owns the deployment and its bake.
      owner = await w.replica();
      const r = await owner.command(`todobackend ${t.good} to ${t.env}`, {
        user: 'U0ALICE',
        channel: t.channel,
      });
      expect(JSON.stringify(await responseTo(w.h.slack, r.responseUrl))).toContain(t.good);
      const m = await w.passUntil(
        () => {
          const x = s.find(t.good);
          return x && / verifying$/.test(x.text) && body(x).includes(FIVE_XX) ? x : undefined;
        },
        { stepMs: 1_000, timeoutMs: 20_000 },
      );
      const baking = await last();
      const { endsAt } = baking.verification!;
      const before = (await leaseOf(baking.id))!;
      expect(before).toBeDefined();

      // Its next look at the alarms never answers, and the process dies there (kill -9 as far as the
      // ledger can tell: it renews nothing more and hands nothing back).
      const gate = (held = w.gate());
      s.cw.beforeDescribe = () => gate.wait();
      await w.until(() => gate.reached);
      s.cw.beforeDescribe = undefined;
      expect((await leaseOf(baking.id))?.owner, 'the look held is the owner’s').toBe(before.owner);
      dying = owner.capstan.stop();

      // The other replica takes the lease over once it ran out, with a higher fence, before the bake ends.
      let seen: Lease | undefined;
      const reading = setInterval(() => void leaseOf(baking.id).then((l) => (seen = l)), 25);
      const taken = await w
        .passUntil(() => seen && seen.owner !== before.owner && seen, { stepMs: 5_000, timeoutMs: 20_000 })
        .finally(() => clearInterval(reading));
      expect(taken.fence).toBeGreaterThan(before.fence);
      expect(s.clock.now()).toBeLessThan(endsAt);
      expect((await last()).state).toBe('verifying');

      const done = await s.later(t.good, /: verified$/);
      const after = await last();
      expect(after.state).toBe('verified');
      expect(after.verification!.endsAt).toBe(endsAt);
      expect(after.finishedAt!).toBeGreaterThanOrEqual(endsAt);
      expect(body(done)).not.toContain('capstan_bake_');
      await w.threadHas(m, 'No alarm went off during the bake: verified.');

      // The dead owner's look answers at last, with the alarm in ALARM: what it saw is stale, so it
      // writes nothing (no rollback, no second ending) and Slack hears nothing more of it.
      const changes = s.aws.changes();
      s.cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: seen too late');
      gate.open();
      await dying;
      const still = await last();
      expect(still).toMatchObject({ state: 'verified', finishedAt: after.finishedAt });
      expect(still.verification).toEqual(after.verification);
      expect(still.rollbackVersion).toBeUndefined();
      expect(s.aws.changes()).toBe(changes);
      expect(s.verifiedAnnouncements(m)).toBe(1);
      expect(w.thread(m)).not.toContain('seen too late');
      expect(s.current(t.good).text).toMatch(/: verified$/);
    });
  });
}
