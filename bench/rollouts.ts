import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../src/domain/catalog.js';
import type { Deployment } from '../src/domain/deployment.js';
import { silentLogger } from '../src/lib/logger.js';
import type { Chat, Directory } from '../src/ports/chat.js';
import type { Ecs, EcsService } from '../src/ports/ecs.js';
import type { Registry } from '../src/ports/registry.js';
import { SlackProgress } from '../src/slack/progress.js';
import { newDeployment } from '../src/usecases/deploy.js';
import { PollLoop } from '../src/lib/pollLoop.js';
import { createEcsStrategy } from '../src/targets/ecs.js';
import { newTrack } from '../src/targets/ecs/evaluate.js';
import { createTargetRegistry } from '../src/targets/registry.js';
import { RolloutTracker } from '../src/usecases/rollout/tracker.js';
import { Watchlist } from '../src/usecases/rollout/watchlist.js';

const POLICY = {
  deployers: [{ kind: 'anyone' as const }],
  approvers: [],
  approvals: 0,
  allowSelfApproval: false,
  approvalTtlMs: 86_400_000,
};

function catalogOf(n: number, clusters: number): { catalog: Catalog; envs: Environment[] } {
  const envs: Environment[] = Array.from({ length: n }, (_, i) => ({
    app: `app${i}`,
    name: 'dev',
    channel: `C${String(i % 50).padStart(4, '0')}`,
    target: {
      kind: 'ecs',
      region: 'us-east-1',
      cluster: `cluster-${i % clusters}`,
      service: `svc-${i}`,
      container: 'app',
      repository: `app${i}`,
    },
    policy: POLICY,
    rolloutTimeoutMs: 30 * 60_000,
    rollback: 'auto',
  }));
  return {
    catalog: { apps: envs.map((e) => ({ name: e.app, environments: [e] })), admins: [], pipelines: [] },
    envs,
  };
}

/** ECS answering from a table of when each service's rollout completes. */
class TimedEcs implements Partial<Ecs> {
  calls = 0;
  readonly completeAt = new Map<string, number>();
  async describeServices(_loc: { cluster: string }, services: readonly string[]) {
    this.calls += 1;
    const now = Date.now();
    return {
      missing: [],
      services: services.map((name): EcsService => {
        const done = now >= (this.completeAt.get(name) ?? Infinity);
        return {
          name,
          status: 'ACTIVE',
          desiredCount: 2,
          runningCount: done ? 2 : 1,
          pendingCount: done ? 0 : 1,
          taskDefinition: `td-${name}`,
          circuitBreaker: { enable: true, rollback: true },
          events: [],
          deployments: [
            {
              id: `dep-${name}`,
              status: 'PRIMARY',
              taskDefinition: `td-${name}`,
              desiredCount: 2,
              runningCount: done ? 2 : 1,
              pendingCount: done ? 0 : 1,
              failedTasks: 0,
              rolloutState: done ? 'COMPLETED' : 'IN_PROGRESS',
            },
          ],
        };
      }),
    };
  }
}

export interface RolloutBench {
  readonly inFlight: number;
  readonly describeCallsPerTick: number;
  readonly servicesPerCall: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly latenciesMs: number[];
}

/**
 * `n` rollouts in flight in one process, with the production polling interval. Each completes at a
 * random moment within `spreadMs`; the latency is from that moment to the chat.update that shows it.
 */
export async function benchRollouts(
  n: number,
  clusters: number,
  spreadMs: number,
  intervalMs = 5000,
): Promise<RolloutBench> {
  const { catalog, envs } = catalogOf(n, clusters);
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'capstan-bench-')), 'bench.db'));
  const ecs = new TimedEcs();
  const shownAt = new Map<string, number>();
  const chat: Chat = {
    post: async () => ({ ts: `${Date.now() / 1000}` }),
    update: async (_c, _ts, m) => {
      if (m.text.endsWith(': succeeded')) shownAt.set(m.text.split(' ')[2]!, Date.now());
    },
    postEphemeral: async () => {},
    permalink: async () => undefined,
    displayName: async (u) => u,
  };
  const clock = { now: () => Date.now() };
  const notifier = new SlackProgress({ chat, clock, logger: silentLogger });
  const directory: Directory = { groupsOf: async () => new Set() };
  const watchlist = new Watchlist();
  const targets = createTargetRegistry({
    ecs: createEcsStrategy({ ecs: ecs as unknown as Ecs, registry: {} as Registry, now: clock.now }),
  });
  const pending = new Set<Promise<unknown>>();
  const background = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const deps = {
    store,
    targets,
    directory,
    notifier,
    clock,
    logger: silentLogger,
    follow: (d: Deployment) => watchlist.add(d),
    own: async () => true,
    background,
  };
  const tracker = new RolloutTracker(deps, { catalog, watchlist, intervalMs, maxBackoffMs: 60_000 });
  const loop = new PollLoop(
    intervalMs,
    () => (background(tracker.tick()), Promise.resolve()),
    () => {},
  );
  const start = Date.now();
  for (const [i, env] of envs.entries()) {
    const d: Deployment = {
      ...newDeployment(env, 'deploy', '1.0.1', 'UBENCH', start, {
        state: 'rolling_out',
        messageTs: `${i}.000`,
        tracking: {
          phase: 'rollout',
          startedAt: start,
          lastProgressAt: start,
          data: newTrack(`td-svc-${i}`, `dep-svc-${i}`, start),
        },
      }),
      id: `d-bench${i}`,
    };
    await store.create(d);
    watchlist.add(d);
    ecs.completeAt.set(`svc-${i}`, start + intervalMs + Math.random() * spreadMs);
  }
  loop.start();
  const ticksBefore = ecs.calls;
  await new Promise((r) => setTimeout(r, intervalMs * 2 + 200));
  const perTick = (ecs.calls - ticksBefore) / 2;
  const mem = process.memoryUsage();
  const deadline = start + intervalMs + spreadMs + intervalMs * 3;
  while (shownAt.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await loop.stop();
  await Promise.allSettled([...pending]);
  store.close();
  const latencies = [...shownAt].map(([app, at]) => at - ecs.completeAt.get(`svc-${app.slice(3)}`)!);
  return {
    inFlight: n,
    describeCallsPerTick: perTick,
    servicesPerCall: n / Math.max(1, perTick),
    rssMb: mem.rss / 2 ** 20,
    heapMb: mem.heapUsed / 2 ** 20,
    latenciesMs: latencies,
  };
}
