import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Catalog } from '../../src/domain/catalog.js';
import type { DeployDeps } from '../../src/usecases/deps.js';
import { chooseForBake } from '../../src/usecases/verify/decide.js';
import { DEV, MIN, T0, deployment } from '../fixtures/deployments.js';
import { ManualClock, RecordingNotifier, directoryOf } from '../fakes/ports.js';

const VERIFYING = { ...DEV, verify: { alarms: ['todo-5xx'], bakeMs: 10 * MIN, onAlarm: 'ask' as const } };
const catalog: Catalog = { apps: [{ name: DEV.app, environments: [VERIFYING] }], admins: [], pipelines: [] };

describe('Complete now racing the alarms becoming unreadable', () => {
  it('is refused as unread, not as "no longer waiting", and the bake goes on', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const baking = deployment({
        state: 'verifying',
        requestedBy: 'U0ALICE',
        verification: {
          startedAt: T0,
          endsAt: T0 + 10 * MIN,
          onAlarm: 'ask',
          lookedAt: T0 + MIN,
          alarms: [{ name: 'todo-5xx', state: 'OK' }],
        },
      });
      await store.create(baking);
      // The owner's look records that the alarms cannot be read between the click's check and its write.
      let reads = 0;
      const racing = Object.create(store) as typeof store;
      racing.get = async (id) => {
        const d = await store.get(id);
        if (++reads === 2 && d?.verification)
          await store.update({ ...d, verification: { ...d.verification, unreadableSince: T0 + 2 * MIN } });
        return store.get(id);
      };
      const deps = {
        store: racing,
        directory: directoryOf({ 'deploy-approvers': ['U0BOB'] }),
        clock: new ManualClock(T0 + 3 * MIN),
        notifier: new RecordingNotifier(),
        follow: () => undefined,
        catalog,
      } as unknown as DeployDeps & { catalog: Catalog };
      expect(await chooseForBake(deps, baking.id, 'U0BOB', 'complete')).toEqual({
        kind: 'alarms_unread',
        id: baking.id,
        unreadable: true,
      });
      expect((await store.get(baking.id))?.state).toBe('verifying');
    } finally {
      store.close();
    }
  });
});
