import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../src/domain/catalog.js';
import type { Deployment } from '../src/domain/deployment.js';
import { EventPace } from '../src/events/pace.js';
import { EventPoller } from '../src/events/poller.js';
import { PollLoop } from '../src/lib/pollLoop.js';
import { silentLogger } from '../src/lib/logger.js';
import type { Chat, Directory } from '../src/ports/chat.js';
import type { Ecs, EcsService } from '../src/ports/ecs.js';
import type { Queue, QueueMessage } from '../src/ports/pipelines.js';
import type { Registry } from '../src/ports/registry.js';
import { SlackProgress } from '../src/slack/progress.js';
import { createEcsStrategy } from '../src/targets/ecs/index.js';
import { newTrack } from '../src/targets/ecs/evaluate.js';
import { createTargetRegistry } from '../src/targets/registry.js';
import { seal } from '../src/targets/seal.js';
import { newDeployment } from '../src/usecases/deploy.js';
import { RolloutTracker } from '../src/usecases/rollout/tracker.js';
import { Watchlist } from '../src/usecases/rollout/watchlist.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const POLICY = {
  deployers: [{ kind: 'anyone' as const }],
  approvers: [],
  approvals: 0,
  allowSelfApproval: false,
  approvalTtlMs: 86_400_000,
};

/** One rollout per service, each service in a cluster of its own, each environment with its own channel. */
function catalogOf(n: number): { catalog: Catalog; envs: Environment[] } {
  const envs: Environment[] = Array.from({ length: n }, (_, i) => ({
    app: `app${i}`,
    name: 'dev',
    channel: `C${String(i).padStart(4, '0')}`,
    target: {
      kind: 'ecs',
      region: REGION,
      cluster: `cluster-${i}`,
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

interface Plan {
  readonly startAt: number;
  readonly endAt: number;
}

/** ECS answering from a timetable: each service's new tasks start at a third and two thirds of its rollout, which completes at `endAt`. */
class TimedEcs implements Partial<Ecs> {
  describeCalls = 0;
  readonly plans = new Map<string, Plan>();
  /** Services whose rollout completed: ECS sends the event after the state is there to read. */
  readonly completed = new Map<string, number>();

  async describeServices(_loc: { cluster: string }, services: readonly string[]) {
    this.describeCalls += 1;
    const now = Date.now();
    return {
      missing: [],
      services: services.map((name): EcsService => {
        const p = this.plans.get(name)!;
        const done = this.completed.has(name);
        const running = done ? 2 : Math.min(2, Math.floor((3 * (now - p.startAt)) / (p.endAt - p.startAt)));
        return {
          name,
          status: 'ACTIVE',
          desiredCount: 2,
          runningCount: running,
          pendingCount: 2 - running,
          taskDefinition: `td-${name}`,
          circuitBreaker: { enable: true, rollback: true },
          events: [],
          deployments: [
            {
              id: `dep-${name}`,
              status: 'PRIMARY',
              taskDefinition: `td-${name}`,
              desiredCount: 2,
              runningCount: running,
              pendingCount: 2 - running,
              failedTasks: 0,
              rolloutState: done ? 'COMPLETED' : 'IN_PROGRESS',
            },
          ],
        };
      }),
    };
  }

  async stoppedTasks() {
    return [];
  }
}

/** The SQS queue in memory: what EventBridge sends is received at once. */
class MemoryQueue implements Queue {
  private seq = 0;
  private readonly ready: QueueMessage[] = [];
  private wake: (() => void) | undefined;

  send(event: Record<string, unknown>): void {
    this.seq += 1;
    this.ready.push({ id: `m${this.seq}`, receipt: `r${this.seq}`, body: JSON.stringify(event) });
    this.wake?.();
  }

  async receive(_wait: number, signal?: AbortSignal): Promise<readonly QueueMessage[]> {
    if (this.ready.length === 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    return this.ready.splice(0, 10);
  }

  async delete(): Promise<void> {}
}

/** What ECS sends EventBridge during one rollout, as the rule `source: aws.ecs` routes it to SQS. */
function ecsEvents(i: number, p: Plan, duplicate: boolean): { at: number; event: Record<string, unknown> }[] {
  const service = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/cluster-${i}/svc-${i}`;
  const clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/cluster-${i}`;
  const envelope = (id: string, type: string, resources: string[], detail: Record<string, unknown>) => ({
    version: '0',
    id,
    'detail-type': type,
    source: 'aws.ecs',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources,
    detail,
  });
  const deployment = (id: string, eventName: string) =>
    envelope(id, 'ECS Deployment State Change', [service], {
      eventType: 'INFO',
      eventName,
      deploymentId: `dep-svc-${i}`,
      updatedAt: new Date().toISOString(),
    });
  const task = (id: string, n: number, detail: Record<string, unknown>) =>
    envelope(id, 'ECS Task State Change', [`arn:aws:ecs:${REGION}:${ACCOUNT}:task/cluster-${i}/t${n}`], {
      clusterArn,
      group: `service:svc-${i}`,
      ...detail,
    });
  const third = (p.endAt - p.startAt) / 3;
  const out = [
    // Sent as UpdateService returns; Capstan records what it follows at the same moment.
    { at: p.startAt + 100, event: deployment(`e${i}-started`, 'SERVICE_DEPLOYMENT_IN_PROGRESS') },
    {
      at: p.startAt + third,
      event: task(`e${i}-t1-running`, 1, { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }),
    },
    {
      at: p.startAt + 2 * third,
      event: task(`e${i}-t2-running`, 2, { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }),
    },
    ...[3, 4].map((n) => ({
      at: p.endAt - 500,
      event: task(`e${i}-t${n}-stopped`, n, {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment dep-svc-${i})`,
      }),
    })),
    { at: p.endAt, event: deployment(`e${i}-completed`, 'SERVICE_DEPLOYMENT_COMPLETED') },
  ];
  // SQS delivers at least once: some arrive twice, and an old "in progress" arrives after the end.
  if (duplicate)
    out.push(
      { at: p.endAt + 50, event: deployment(`e${i}-completed`, 'SERVICE_DEPLOYMENT_COMPLETED') },
      { at: p.endAt + 100, event: deployment(`e${i}-started`, 'SERVICE_DEPLOYMENT_IN_PROGRESS') },
    );
  return out;
}

export interface EventsBenchMode {
  readonly rollouts: number;
  readonly describeCallsPerRollout: number;
  /** From the moment ECS reached the end (and sent the event) to the chat.update that shows it. */
  readonly latenciesMs: number[];
}

export interface EventsBench {
  readonly intervalMs: number;
  readonly durationsMs: readonly [number, number];
  readonly polling: EventsBenchMode;
  readonly events: EventsBenchMode;
}

/** One Capstan's rollout following (tracker, poll loop, Slack notifier), with or without the events queue. */
async function runMode(
  n: number,
  plans: Plan[],
  intervalMs: number,
  withEvents: boolean,
): Promise<EventsBenchMode> {
  const { catalog, envs } = catalogOf(n);
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'capstan-bench-events-')), 'bench.db'));
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
    ecs: seal(createEcsStrategy({ ecs: ecs as unknown as Ecs, registry: {} as Registry, now: clock.now })),
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
  const pace = withEvents ? new EventPace({ intervalMs, clock }) : undefined;
  const tracker = new RolloutTracker(deps, {
    catalog,
    watchlist,
    intervalMs,
    maxBackoffMs: 60_000,
    groupIntervalMs: pace?.intervalFor,
  });
  const loop = new PollLoop(
    intervalMs,
    () => (background(tracker.tick()), Promise.resolve()),
    () => {},
  );
  const queue = new MemoryQueue();
  const poller = pace
    ? new EventPoller({
        queue,
        strategies: [targets.for(envs[0]!)],
        poke: (g) => tracker.poke(g),
        pace,
        logger: silentLogger,
      })
    : undefined;

  const timers: NodeJS.Timeout[] = [];
  const at = (t: number, f: () => void) => timers.push(setTimeout(f, Math.max(0, t - Date.now())));
  for (const [i, env] of envs.entries()) {
    const p = plans[i]!;
    ecs.plans.set(`svc-${i}`, p);
    // Whichever of the two timers due at the end runs first completes the rollout, so the event that
    // announces the end never arrives before the state it announces can be read.
    const complete = () => {
      if (!ecs.completed.has(`svc-${i}`)) ecs.completed.set(`svc-${i}`, Date.now());
    };
    at(p.endAt, complete);
    // Capstan's UpdateService: the rollout is followed from its start.
    at(p.startAt, () => {
      const d: Deployment = {
        ...newDeployment(env, 'deploy', '1.0.1', 'UBENCH', p.startAt, {
          state: 'rolling_out',
          messageTs: `${i}.000`,
          tracking: {
            phase: 'rollout',
            startedAt: p.startAt,
            lastProgressAt: p.startAt,
            data: newTrack(`td-svc-${i}`, `dep-svc-${i}`, p.startAt),
          },
        }),
        id: `d-bench${i}`,
      };
      void store.create(d).then(() => watchlist.add(d));
    });
    if (poller)
      for (const e of ecsEvents(i, p, i % 5 === 0))
        at(e.at, () => {
          if (e.at >= p.endAt) complete();
          queue.send(e.event);
        });
  }
  loop.start();
  poller?.start();
  const last = Math.max(...plans.map((p) => p.endAt));
  const deadline = last + intervalMs * 8;
  while (shownAt.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Duplicates and late events still arriving after the last end must cost nothing.
  await new Promise((r) => setTimeout(r, 500));
  for (const t of timers) clearTimeout(t);
  await poller?.stop();
  await loop.stop();
  await Promise.allSettled([...pending]);
  await notifier.flush();
  store.close();
  return {
    rollouts: n,
    describeCallsPerRollout: ecs.describeCalls / n,
    latenciesMs: [...shownAt].map(([app, shown]) => shown - ecs.completed.get(`svc-${app.slice(3)}`)!),
  };
}

/**
 * `n` rollouts, each of its own service and cluster, starting over 10 seconds and lasting
 * between `minMs` and `maxMs`, followed at the production interval twice at the same time: by
 * polling alone, and with ECS's events arriving through the queue (polling as the safety net).
 */
export async function benchEvents(
  n = 20,
  minMs = 60_000,
  maxMs = 120_000,
  intervalMs = 5000,
): Promise<EventsBench> {
  const t0 = Date.now() + 1000;
  const plans = Array.from({ length: n }, (_, i) => {
    const startAt = t0 + (i * 10_000) / n;
    return { startAt, endAt: startAt + minMs + Math.random() * (maxMs - minMs) };
  });
  const [polling, events] = await Promise.all([
    runMode(n, plans, intervalMs, false),
    runMode(n, plans, intervalMs, true),
  ]);
  return { intervalMs, durationsMs: [minMs, maxMs], polling, events };
}
