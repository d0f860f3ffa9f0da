import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type ReplicaSet,
  burstThenStopBusiest,
  parents,
  postsPerDeployment,
  startReplicaSet,
  waitForOutcomes,
  waitUntil,
} from './replicaSet.js';

/*
 * Three real Capstan processes on one DynamoDB table (dynalite), the simulated AWS account and the
 * Slack stand-in: a burst of deploys, then kill -9 of the replica that owns the most rollouts; then,
 * with the two left, a burst again and a stall (SIGSTOP) of the busiest past its lease.
 */
const LEASE_MS = 3000;
const POLL_MS = 200;
/** The coordinator's round: a replica renews, and looks for work to take over, every leaseFor/3. */
const ROUND_MS = LEASE_MS / 3;

let rs: ReplicaSet | undefined;

beforeAll(async () => {
  rs = await startReplicaSet({
    replicas: 3,
    environments: 7,
    leaseMs: LEASE_MS,
    pollMs: POLL_MS,
    tickMs: 1000,
    // `src/main.ts` compiled once for the run (test/support/capstanBuild.ts), not through tsx per replica.
    command: ['--enable-source-maps', inject('capstanMain')],
  });
}, 60_000);

afterAll(async () => {
  await rs?.stop();
});

describe('three replicas on one DynamoDB table', () => {
  it('a replica killed mid-rollout loses nothing: another takes over within the lease, and Slack hears each event once', async () => {
    const set = rs!;
    try {
      const kill = await burstThenStopBusiest(set, '1.2.3', 'SIGKILL');
      // The victim owned work in flight, and the others did too: three replicas shared the burst.
      expect(kill.owned.length).toBeGreaterThan(0);
      expect(kill.ownedBy.reduce((a, b) => a + b, 0)).toBe(set.environments.length);
      // A lease runs out at most leaseFor after the victim's last renewal; a survivor's next round takes it.
      for (const ms of kill.takeoverMs) expect(ms).toBeLessThanOrEqual(LEASE_MS + ROUND_MS + POLL_MS);

      const ended = await waitForOutcomes(set, 45_000);
      expect(ended.map((d) => d.state)).toEqual(set.environments.map(() => 'succeeded'));
      for (const e of set.environments) {
        expect(parents(set.slack, e.channel).map((m) => m.text)).toEqual([
          `deploy of todobackend 1.2.3 to ${e.name}: succeeded`,
        ]);
      }
      const posts = postsPerDeployment(set, ended);
      // On a mismatch the message says which deployment posted twice, and which thread lines repeat.
      expect(posts, JSON.stringify(posts)).toEqual(
        ended.map((d) => ({ id: d.id, parents: 1, repeated: [] })),
      );
      // Each rollout was started in ECS once, the victim's included.
      expect(set.aws.count('ecs', 'UpdateService')).toBe(set.environments.length);
    } catch (e) {
      // What the replicas logged (warnings and errors) says why.
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${set.logs()}`, { cause: e });
    }
  }, 90_000);

  it('a replica that stalls past its lease and comes back reports nothing the new owner already did', async () => {
    const set = rs!;
    try {
      const stall = await burstThenStopBusiest(set, '1.3.0', 'SIGSTOP');
      for (const ms of stall.takeoverMs) expect(ms).toBeLessThanOrEqual(LEASE_MS + ROUND_MS + POLL_MS);
      // The new owners report progress of the stalled replica's rollouts before it wakes up...
      await waitUntil('the new owners to record progress', 15_000, async () => {
        const ds = (await set.deployments()).filter((d) => stall.owned.includes(d.id));
        return ds.every((d) => d.updatedAt > stall.stoppedAt) || undefined;
      });
      // ...then it wakes up still believing it follows them, and looks at ECS once more before it learns otherwise.
      stall.victim.child.kill('SIGCONT');
      const ended = await waitForOutcomes(set, 45_000);
      expect(ended.map((d) => [d.toVersion, d.state])).toEqual(
        set.environments.map(() => ['1.3.0', 'succeeded']),
      );
      for (const e of set.environments) {
        expect(parents(set.slack, e.channel).map((m) => m.text)).toEqual([
          `deploy of todobackend 1.2.3 to ${e.name}: succeeded`,
          `deploy of todobackend 1.3.0 to ${e.name}: succeeded`,
        ]);
      }
      const posts = postsPerDeployment(set, ended);
      // On a mismatch the message says which deployment posted twice, and which thread lines repeat.
      expect(posts, JSON.stringify(posts)).toEqual(
        ended.map((d) => ({ id: d.id, parents: 1, repeated: [] })),
      );
      expect(set.aws.count('ecs', 'UpdateService')).toBe(2 * set.environments.length);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${set.logs()}`, { cause: e });
    }
  }, 90_000);
});
