import { createHash } from 'node:crypto';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import type { Deployment } from '../src/domain/deployment.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The simulated ECR's digests (sandbox/aws/ecs.ts). */
const digestOf = (tag: string) => `sha256:${createHash('sha256').update(`todobackend:${tag}`).digest('hex')}`;

/**
 * Four weeks of todobackend/dev in the ledger, so `/deploy stats` has something to show: deploys,
 * a failure rolled back by Capstan, a fix forward, a manual rollback. It ends with 1.2.2, which the
 * simulated dev service runs, so the ledger and AWS agree.
 */
export async function seedHistory(dbPath: string, now: number): Promise<void> {
  const store = openSqliteStore(dbPath);
  const script: [number, Deployment['kind'], string, Deployment['state'], number][] = [
    // [days ago, kind, version, outcome, hours from push to the deploy]
    [27, 'deploy', '1.2.0', 'succeeded', 20],
    [24, 'deploy', '1.2.1', 'succeeded', 6],
    [20, 'deploy', '1.2.4-broken', 'rolled_back', 3],
    [19.9, 'deploy', '1.2.1', 'succeeded', 30],
    [13, 'deploy', '1.3.0', 'succeeded', 4],
    [12.9, 'rollback', '1.2.1', 'succeeded', 60],
    [6, 'deploy', '1.2.2', 'succeeded', 2],
  ];
  let seq = 0;
  let from: string | undefined;
  for (const [ago, kind, version, state, pushedBefore] of script) {
    const createdAt = now - ago * DAY;
    const finishedAt = createdAt + 4 * 60_000;
    seq += 1;
    const d: Deployment = {
      id: `dep-seed${String(seq).padStart(3, '0')}`,
      rev: 0,
      kind,
      app: 'todobackend',
      env: 'dev',
      requestedBy: 'U0ALICE',
      fromVersion: from,
      toVersion: version,
      imageDigest: digestOf(version),
      imagePushedAt: createdAt - pushedBefore * HOUR,
      state,
      channel: 'C0DEV',
      createdAt,
      updatedAt: finishedAt,
      finishedAt,
      approvals: [],
      ...(state === 'rolled_back'
        ? { rollbackVersion: from, reason: 'ECS deployment circuit breaker: tasks failed to start.' }
        : {}),
    };
    await store.create(d);
    from = state === 'rolled_back' ? from : version;
  }
  store.close();
}
