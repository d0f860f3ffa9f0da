import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog } from '../../src/domain/catalog.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/ports/store.js';
import { createEcsStrategy } from '../../src/targets/ecs/index.js';
import { newTrack } from '../../src/targets/ecs/evaluate.js';
import { createTargetRegistry } from '../../src/targets/registry.js';
import { seal } from '../../src/targets/seal.js';
import { newDeployment } from '../../src/usecases/deploy.js';
import { RolloutTracker } from '../../src/usecases/rollout/tracker.js';
import { Watchlist } from '../../src/usecases/rollout/watchlist.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';
import { MemoryEcs, environment, registry, steady } from '../targets/memoryEcs.js';

/** ECS whose DescribeServices of the batch naming `slow` answers only when the test says so. */
class SlowBatchEcs extends MemoryEcs {
  private release: (() => void) | undefined;
  private readonly held = new Promise<void>((r) => (this.release = r));

  constructor(private readonly slow: string) {
    super();
  }

  override async describeServices(loc: unknown, names: readonly string[]) {
    if (names.includes(this.slow)) await this.held;
    return super.describeServices(loc, names);
  }

  answer(): void {
    this.release?.();
  }
}

let store: Store | undefined;
afterEach(() => store?.close());

describe('a look at a cluster of more than one DescribeServices batch', () => {
  it('shows the endings of a batch that answered while a later batch of the same look has not', async () => {
    store = openSqliteStore(':memory:');
    const clock = new ManualClock();
    const envs = Array.from({ length: 11 }, (_, i) => environment(`e${i}`));
    const catalog: Catalog = { apps: [{ name: 'todo', environments: envs }], admins: [], pipelines: [] };
    const ecs = new SlowBatchEcs('svc-e10');
    const notifier = new RecordingNotifier();
    const watchlist = new Watchlist();
    const tracker = new RolloutTracker(
      {
        store,
        targets: createTargetRegistry({
          ecs: seal(createEcsStrategy({ ecs, registry, now: () => clock.now() })),
        }),
        directory: directoryOf({}),
        notifier,
        clock,
        logger: silentLogger,
        follow: (d) => watchlist.add(d),
        own: async () => true,
        background: () => {},
      },
      { catalog, watchlist, intervalMs: 1000, maxBackoffMs: 8000, random: () => 1 },
    );
    const ids: string[] = [];
    for (const env of envs) {
      const svc = env.target.kind === 'ecs' ? env.target.service : '';
      ecs.services.set(svc, steady(svc, `ecs-svc/${env.name}`, `td:${env.name}`));
      const d = newDeployment(env, 'deploy', '1.1.0', 'U0ALICE', clock.now(), {
        state: 'rolling_out',
        tracking: {
          phase: 'rollout',
          startedAt: clock.now(),
          lastProgressAt: clock.now(),
          data: newTrack(`td:${env.name}`, `ecs-svc/${env.name}`, clock.now(), 'td:old'),
        },
      });
      await store.create(d);
      watchlist.add(d);
      ids.push(d.id);
    }

    const look = tracker.tick();

    // The first ten services answered in one call: their endings are shown while the eleventh's call hangs.
    await vi.waitFor(() =>
      expect(ids.slice(0, 10).map((id) => notifier.last(id)?.state)).toEqual(Array(10).fill('succeeded')),
    );
    expect(notifier.last(ids[10]!)).toBeUndefined();
    expect((await store.get(ids[10]!))?.state).toBe('rolling_out');

    ecs.answer();
    await look;
    expect(notifier.last(ids[10]!)?.state).toBe('succeeded');
    // Still one call per batch of ten.
    expect(ecs.calls).toEqual([
      `describeServices ${Array.from({ length: 10 }, (_, i) => `svc-e${i}`).join(',')}`,
      'describeServices svc-e10',
    ]);
  });
});
