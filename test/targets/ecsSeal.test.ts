import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sayWhy } from '../../src/views/why.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { TaskDefinitionDocument } from '../../src/domain/taskDefinition.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Ecs, EcsService } from '../../src/ports/ecs.js';
import type { Registry } from '../../src/ports/registry.js';
import type { Store } from '../../src/ports/store.js';
import { createEcsStrategy } from '../../src/targets/ecs/index.js';
import { newTrack } from '../../src/targets/ecs/evaluate.js';
import { createTargetRegistry } from '../../src/targets/registry.js';
import { seal } from '../../src/targets/seal.js';
import type { TargetStrategy } from '../../src/targets/strategy.js';
import { newDeployment } from '../../src/usecases/deploy.js';
import { RolloutTracker } from '../../src/usecases/rollout/tracker.js';
import { Watchlist } from '../../src/usecases/rollout/watchlist.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/todo';
const DIGEST = `sha256:${'a'.repeat(64)}`;

function environment(name: string): Environment {
  return {
    app: 'todo',
    name,
    channel: `C${name.toUpperCase()}`,
    target: {
      kind: 'ecs',
      region: 'us-east-1',
      cluster: 'todo',
      service: `svc-${name}`,
      container: 'app',
      repository: 'todo',
    },
    policy: {
      deployers: [{ kind: 'anyone' }],
      approvers: [],
      approvals: 0,
      allowSelfApproval: false,
      approvalTtlMs: 3_600_000,
    },
    rolloutTimeoutMs: 600_000,
    rollback: 'auto',
  };
}

/** A service whose one deployment, of `td`, is complete. */
function steady(name: string, deploymentId: string, td: string): EcsService {
  return {
    name,
    status: 'ACTIVE',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    taskDefinition: td,
    circuitBreaker: { enable: true, rollback: true },
    events: [],
    deployments: [
      {
        id: deploymentId,
        status: 'PRIMARY',
        taskDefinition: td,
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: 'COMPLETED',
      },
    ],
  };
}

/** The ECS port, in memory: what the strategy reads and writes, and every call it made. */
class MemoryEcs implements Ecs {
  readonly calls: string[] = [];
  readonly services = new Map<string, EcsService>();
  readonly taskDefinitions = new Map<string, TaskDefinitionDocument>();
  readonly registered: TaskDefinitionDocument[] = [];

  async describeServices(_loc: unknown, names: readonly string[]) {
    this.calls.push(`describeServices ${names.join(',')}`);
    const services = names.flatMap((n) => this.services.get(n) ?? []);
    return { services, missing: names.filter((n) => !this.services.has(n)) };
  }
  async clusterStatus() {
    this.calls.push('clusterStatus');
    return 'ACTIVE';
  }
  async describeTaskDefinition(_region: string, arn: string) {
    this.calls.push(`describeTaskDefinition ${arn}`);
    const doc = this.taskDefinitions.get(arn);
    if (!doc) throw new Error(`no task definition ${arn}`);
    return doc;
  }
  async registerTaskDefinition(_region: string, doc: TaskDefinitionDocument) {
    this.calls.push('registerTaskDefinition');
    this.registered.push(doc);
    return 'td:42';
  }
  async updateService(_loc: unknown, service: string, arn: string) {
    this.calls.push(`updateService ${service} ${arn}`);
    return 'ecs-svc/NEW';
  }
  async stoppedTasks() {
    this.calls.push('stoppedTasks');
    return [];
  }
}

const registry: Registry = {
  findImage: async (_region, _repo, tag) => ({ tag, digest: DIGEST, repositoryUri: REPO }),
  recentTags: async () => [],
};

let ecs: MemoryEcs;
let clock: ManualClock;
let strategy: TargetStrategy;

beforeEach(() => {
  ecs = new MemoryEcs();
  clock = new ManualClock();
  strategy = seal(createEcsStrategy({ ecs, registry, now: () => clock.now() }));
});

describe('the ECS strategy behind seal(): what the ledger gives back is decoded before ECS is touched', () => {
  const dev = environment('dev');
  const qa = environment('qa');
  const catalog: Catalog = { apps: [{ name: 'todo', environments: [dev, qa] }], admins: [], pipelines: [] };
  let store: Store;
  afterEach(() => store?.close());

  it('a tracking record that does not decode ends that rollout, named; the other rollout of the look is judged by AWS', async () => {
    store = openSqliteStore(':memory:');
    const watchlist = new Watchlist();
    const tracker = new RolloutTracker(
      {
        store,
        targets: createTargetRegistry({ ecs: strategy }),
        directory: directoryOf({}),
        notifier: new RecordingNotifier(),
        clock,
        logger: silentLogger,
        follow: (d) => watchlist.add(d),
        own: async () => true,
        background: () => {},
      },
      { catalog, watchlist, intervalMs: 1000, maxBackoffMs: 8000, random: () => 1 },
    );
    const rollout = (env: Environment, data: unknown): Deployment =>
      newDeployment(env, 'deploy', '1.1.0', 'U0ALICE', clock.now(), {
        state: 'rolling_out',
        tracking: { phase: 'rollout', startedAt: clock.now(), lastProgressAt: clock.now(), data },
      });
    const damaged = rollout(dev, { taskDefinitionArn: 42, lastEventAt: 'yesterday' });
    const sound = rollout(qa, newTrack('td:42', 'ecs-svc/QA', clock.now(), 'td:41'));
    ecs.services.set('svc-qa', steady('svc-qa', 'ecs-svc/QA', 'td:42'));
    for (const d of [damaged, sound]) {
      await store.create(d);
      watchlist.add(d);
    }

    await tracker.tick();

    const ended = await store.get(damaged.id);
    expect(ended?.state).toBe('failed');
    expect(sayWhy(ended!)).toContain(
      `Capstan cannot read what it recorded for ${damaged.id} (its tracking): taskDefinitionArn:`,
    );
    expect((await store.get(sound.id))?.state).toBe('succeeded');
    // Only the rollout whose record could be read was looked at in AWS.
    expect(ecs.calls).toEqual(['describeServices svc-qa']);
  });

  it('a plan that does not decode refuses the change, named, and registers nothing', async () => {
    const applying = async () =>
      strategy.apply(dev, {
        requestId: 'dep-12345678',
        version: '1.1.0',
        actor: 'U0ALICE',
        plan: { next: 'a task definition', currentArn: 'td:41' },
      });
    await expect(applying()).rejects.toThrow(/cannot read what it recorded for dep-12345678 \(the plan\)/);
    expect(ecs.calls).toEqual([]);
  });

  it('a plan read back from the ledger registers exactly what was reviewed, members Capstan does not read included', async () => {
    const current: TaskDefinitionDocument = {
      taskDefinition: {
        family: 'todo',
        taskDefinitionArn: 'td:41',
        revision: 41,
        registeredAt: '2026-11-20T10:00:00.000Z',
        cpu: '256',
        volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }],
        containerDefinitions: [
          { name: 'app', image: `${REPO}:1.0.0`, environment: [{ name: 'MODE', value: 'live' }] },
          { name: 'log-router', image: 'fluent-bit:2', firelensConfiguration: { type: 'fluentbit' } },
        ],
      },
      tags: [{ key: 'team', value: 'todo' }],
    };
    ecs.taskDefinitions.set('td:41', current);
    ecs.services.set('svc-dev', steady('svc-dev', 'ecs-svc/OLD', 'td:41'));

    const checked = await strategy.check(dev, '1.1.0');
    const prepared = await strategy.prepare(dev, {
      requestId: 'dep-12345678',
      version: '1.1.0',
      requestedBy: 'U0ALICE',
      checked,
    });
    expect(prepared.review.diff?.lines).toEqual([
      `containerDefinitions[app].image: ${REPO}:1.0.0 → ${REPO}@${DIGEST}`,
    ]);
    const ledger: unknown = JSON.parse(JSON.stringify(prepared.plan));
    const started = await strategy.apply(dev, {
      requestId: 'dep-12345678',
      version: '1.1.0',
      actor: 'U0ALICE',
      plan: ledger,
    });

    const { registeredAt: _r, taskDefinitionArn: _a, revision: _v, ...kept } = current.taskDefinition;
    expect(ecs.registered).toEqual([
      {
        taskDefinition: {
          ...kept,
          containerDefinitions: [
            { name: 'app', image: `${REPO}@${DIGEST}`, environment: [{ name: 'MODE', value: 'live' }] },
            { name: 'log-router', image: 'fluent-bit:2', firelensConfiguration: { type: 'fluentbit' } },
          ],
        },
        tags: [
          { key: 'team', value: 'todo' },
          { key: 'Version', value: '1.1.0' },
          { key: 'capstan:requested-by', value: 'U0ALICE' },
        ],
      },
    ]);
    expect(started.data).toMatchObject({
      taskDefinitionArn: 'td:42',
      ecsDeploymentId: 'ecs-svc/NEW',
      previousTaskDefinitionArn: 'td:41',
    });
  });
});
