import { UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sayWhy } from '../../src/views/why.js';
import { createBeanstalkAdapter } from '../../src/adapters/aws/beanstalk.js';
import { createEcrAdapter } from '../../src/adapters/aws/ecr.js';
import { createS3Adapter } from '../../src/adapters/aws/s3.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/ports/store.js';
import { createBeanstalkStrategy } from '../../src/targets/beanstalk/index.js';
import { createTargetRegistry } from '../../src/targets/registry.js';
import { seal } from '../../src/targets/seal.js';
import { type DeployDeps, requestDeploy } from '../../src/usecases/deploy.js';
import { RolloutTracker } from '../../src/usecases/rollout/tracker.js';
import { Watchlist } from '../../src/usecases/rollout/watchlist.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';
import { APP, ENV_NAME, FakeBeanstalk, REGION } from '../support/fakeBeanstalk.js';

const env: Environment = {
  app: 'todobackend',
  name: 'staging',
  channel: 'C0STAGING',
  target: {
    kind: 'beanstalk',
    region: REGION,
    application: APP,
    environment: ENV_NAME,
    repository: 'todobackend',
    bucket: 'capstan-bundles',
    keyPrefix: 'capstan/',
    containerPort: 8000,
  },
  policy: {
    deployers: [{ kind: 'anyone' }],
    approvers: [],
    approvals: 0,
    allowSelfApproval: false,
    approvalTtlMs: 3_600_000,
  },
  rolloutTimeoutMs: 900_000,
  rollback: 'auto',
};
const catalog: Catalog = { apps: [{ name: APP, environments: [env] }], admins: [], pipelines: [] };

let fake: FakeBeanstalk;
let store: Store;
let notifier: RecordingNotifier;
let work: Promise<unknown>[];
let deps: DeployDeps;

beforeEach(() => {
  const clock = new ManualClock();
  fake = new FakeBeanstalk(clock);
  store = openSqliteStore(':memory:');
  notifier = new RecordingNotifier();
  work = [];
  const watchlist = new Watchlist();
  const beanstalk = createBeanstalkStrategy({
    beanstalk: createBeanstalkAdapter(),
    objects: createS3Adapter(),
    registry: createEcrAdapter(),
    now: () => clock.now(),
  });
  deps = {
    store,
    targets: createTargetRegistry({ beanstalk: seal(beanstalk) }),
    directory: directoryOf({}),
    notifier,
    clock,
    logger: silentLogger,
    follow: (d) => watchlist.add(d),
    own: async () => true,
    background: (p) => void work.push(p),
  };
});

afterEach(() => {
  store.close();
  fake.restore();
});

async function settle(): Promise<void> {
  while (work.length > 0) await Promise.all(work.splice(0));
}

describe('Elastic Beanstalk through seal(): a tracking record that cannot be read back', () => {
  it('ends the rollout naming the record and what is wrong with it, and rolls nothing back blind', async () => {
    const r = await requestDeploy(deps, env, '1.2.3', 'U0ALICE');
    if (r.kind !== 'started') throw new Error(`expected a started request, got ${r.kind}`);
    await settle();
    const id = r.deployment.id;
    const d = await store.get(id);
    if (d?.state !== 'rolling_out' || !d.tracking) throw new Error(`expected a rollout, got ${d?.state}`);
    // A ledger written by another version of Capstan, or damaged: the label is not a string.
    await store.update({
      ...d,
      tracking: { ...d.tracking, data: Object.assign({}, d.tracking.data, { label: 42 }) },
    });

    // Capstan restarts: its poll loop follows what the ledger holds.
    const watchlist = new Watchlist();
    for (const x of await store.inFlight()) watchlist.add(x);
    const tracker = new RolloutTracker(deps, { catalog, watchlist, intervalMs: 1000, maxBackoffMs: 8000 });
    await tracker.tick();
    await settle();

    const done = await store.get(id);
    expect(done?.state).toBe('failed');
    expect(sayWhy(done!)).toMatch(
      new RegExp(`^Capstan cannot read what it recorded for ${id} \\(its tracking\\): label: `),
    );
    expect(notifier.last(id)?.state).toBe('failed');
    expect(fake.eb.commandCalls(UpdateEnvironmentCommand)).toHaveLength(1);
  });
});
