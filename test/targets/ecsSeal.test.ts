import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sayWhy } from '../../src/views/why.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { TaskDefinitionDocument } from '../../src/domain/taskDefinition.js';
import { silentLogger } from '../../src/lib/logger.js';
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
import { DIGEST, MemoryEcs, REPO, environment, registry, steady } from './memoryEcs.js';

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
    await expect(applying()).rejects.toMatchObject({
      fact: { kind: 'record.unreadable', id: 'dep-12345678', what: 'the plan' },
    });
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
