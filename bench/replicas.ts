import {
  burstThenStopBusiest,
  postsPerDeployment,
  startReplicaSet,
  waitForOutcomes,
} from '../test/e2e/replicaSet.js';
import { startFlags } from './startFlags.js';

export interface ReplicasBench {
  readonly replicas: number;
  readonly deploys: number;
  readonly leaseMs: number;
  /** The coordinator's round (leaseFor / 3) plus one poll: what a takeover may take beyond the lease. */
  readonly allowanceMs: number;
  /** Deployments the killed replica owned. */
  readonly orphaned: number;
  /** ms from kill -9 until another replica held each orphaned deployment's lease. */
  readonly takeoverMs: readonly number[];
  /** Deployments that ended, and how many of them succeeded. */
  readonly ended: number;
  readonly succeeded: number;
  /** Every deployment: one parent message ending with its outcome, no thread line posted twice. */
  readonly postedOnce: boolean;
}

/**
 * Three Capstan processes (node dist/main.js) on one local DynamoDB (dynalite), the simulated AWS
 * account and the Slack stand-in: a burst of deploys over the replicas, then kill -9 of the one
 * that owns the most rollouts while they run.
 */
export async function benchReplicas(
  o: { deploys?: number; leaseMs?: number; pollMs?: number; command?: readonly string[] } = {},
): Promise<ReplicasBench> {
  const { deploys = 10, leaseMs = 5000, pollMs = 500 } = o;
  const rs = await startReplicaSet({
    replicas: 3,
    environments: deploys,
    leaseMs,
    pollMs,
    tickMs: 1500,
    // What `npm run bench` built.
    command: o.command ?? [...startFlags(), 'dist/main.js'],
  });
  try {
    const kill = await burstThenStopBusiest(rs, '1.2.3', 'SIGKILL');
    const ended = await waitForOutcomes(rs, 120_000);
    const posts = postsPerDeployment(rs, ended);
    return {
      replicas: rs.replicas.length,
      deploys,
      leaseMs,
      allowanceMs: Math.floor(leaseMs / 3) + pollMs,
      orphaned: kill.owned.length,
      takeoverMs: kill.takeoverMs,
      ended: ended.length,
      succeeded: ended.filter((d) => d.state === 'succeeded').length,
      postedOnce: posts.every((p) => p.parents === 1 && p.repeated.length === 0),
    };
  } finally {
    await rs.stop();
  }
}
