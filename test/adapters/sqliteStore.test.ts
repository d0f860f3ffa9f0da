import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SHORT_LIVED_RETENTION_MS } from '../../src/adapters/store/retention.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { describeStoreContract } from './storeContract.js';

const d = (id: string, over: Partial<Deployment> = {}): Deployment => ({
  id,
  rev: 0,
  kind: 'deploy',
  app: 'todobackend',
  env: 'dev',
  requestedBy: 'U0ALICE',
  toVersion: '1.2.3',
  state: 'checking',
  channel: 'C0DEV',
  createdAt: Date.now(),
  updatedAt: Date.now(),
  approvals: [],
  ...over,
});

describeStoreContract('SQLite', async (warn) => {
  const store = openSqliteStore(':memory:', { warn });
  return { store, cleanup: async () => store.close() };
});

describe('SQLite store', () => {
  it('allows one deployment in flight per environment, atomically', async () => {
    const store = openSqliteStore(':memory:');
    await store.create(d('d-1'));
    await expect(store.create(d('d-2'))).rejects.toMatchObject({ code: 'conflict' });
    await store.create(d('d-3', { env: 'prod' }));
    const first = (await store.get('d-1'))!;
    await store.update({ ...first, state: 'succeeded' });
    await store.create(d('d-4'));
    expect((await store.inFlight()).map((x) => x.id).sort()).toEqual(['d-3', 'd-4']);
  });

  it('a compare-and-set lets exactly one of two concurrent writers win', async () => {
    const store = openSqliteStore(':memory:');
    await store.create(d('d-1', { state: 'awaiting_approval' }));
    const a = (await store.get('d-1'))!;
    const b = (await store.get('d-1'))!;
    const [wa, wb] = await Promise.all([
      store.update({ ...a, state: 'rolling_out' }),
      store.update({ ...b, state: 'rejected' }),
    ]);
    expect([wa, wb].filter(Boolean)).toHaveLength(1);
    expect((await store.get('d-1'))?.state).toBe('rolling_out');
  });

  it('reads what another process changed in flight, records read before or not', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'capstan-store-')), 'c.db');
    const [mine, other] = [openSqliteStore(path), openSqliteStore(path)];
    await mine.create(d('d-1', { state: 'rolling_out', createdAt: 1 }));
    await mine.create(d('d-2', { env: 'prod', state: 'rolling_out', createdAt: 2 }));
    expect((await mine.inFlight()).map((x) => [x.id, x.rev])).toEqual([
      ['d-1', 0],
      ['d-2', 0],
    ]);
    const [one, two] = await Promise.all([other.get('d-1'), other.get('d-2')]);
    await other.update({
      ...one!,
      tracking: { phase: 'rollout', startedAt: 1, lastProgressAt: 7, data: {} },
    });
    await other.update({ ...two!, state: 'succeeded' });
    await other.create(d('d-3', { env: 'staging', state: 'rolling_out', createdAt: 3 }));
    const now = await mine.inFlight();
    expect(now.map((x) => [x.id, x.rev])).toEqual([
      ['d-1', 1],
      ['d-3', 0],
    ]);
    expect(now[0]!.tracking?.lastProgressAt).toBe(7);
    mine.close();
    other.close();
  });

  it('keeps everything across a reopen of the same file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'capstan-store-')), 'c.db');
    const s1 = openSqliteStore(path);
    await s1.create(d('d-1', { state: 'succeeded', toVersion: '1.2.1', createdAt: 1 }));
    await s1.create(d('d-2', { state: 'succeeded', toVersion: '1.2.3', createdAt: 2 }));
    await s1.create(d('d-3', { state: 'rolling_out', toVersion: '1.2.4', createdAt: 3 }));
    await s1.putLock({ app: 'todobackend', env: 'prod', owner: 'U0BOB', at: 5 });
    expect(await s1.firstSighting('msg-1', 1)).toBe(true);
    s1.close();
    const s2 = openSqliteStore(path);
    expect((await s2.goodVersions('todobackend', 'dev', 5, ['succeeded'])).map((g) => g.version)).toEqual([
      '1.2.3',
      '1.2.1',
    ]);
    expect((await s2.inFlight()).map((x) => x.id)).toEqual(['d-3']);
    expect(await s2.getLock('todobackend', 'prod')).toEqual({
      app: 'todobackend',
      env: 'prod',
      owner: 'U0BOB',
      reason: undefined,
      at: 5,
    });
    expect(await s2.putLock({ app: 'todobackend', env: 'prod', owner: 'U0ALICE', at: 6 })).toBe(false);
    expect(await s2.firstSighting('msg-1', 2)).toBe(false);
    s2.close();
  });

  it('keeps leases and claims across a reopen, so fences keep growing', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'capstan-store-')), 'c.db');
    const s1 = openSqliteStore(path);
    const first = (await s1.acquireLease('poller', 'r1', 1_000, 0))!;
    expect(await s1.claimOnce('post-1', 'r1', 0)).toBe(true);
    s1.close();
    const s2 = openSqliteStore(path);
    expect(await s2.acquireLease('poller', 'r2', 1_000, 500)).toBeUndefined();
    expect((await s2.acquireLease('poller', 'r2', 1_000, 1_000))!.fence).toBeGreaterThan(first.fence);
    expect(await s2.claimOnce('post-1', 'r2', 1)).toBe(false);
    s2.close();
  });
});

describe('SQLite store: nothing grows for ever', () => {
  const DAY = 24 * 3600_000;
  const start = 1_700_000_000_000;

  it('forgets once-only claims and seen SNS ids after the retention, as new ones come in', async () => {
    const store = openSqliteStore(':memory:', { now: () => start, pruneEveryMs: DAY });
    expect(await store.claimOnce('said:old', 'a', start)).toBe(true);
    expect(await store.firstSighting('msg-old', start)).toBe(true);
    const later = start + SHORT_LIVED_RETENTION_MS + 2 * DAY;
    expect(await store.claimOnce('said:new', 'a', later)).toBe(true);
    // Pruned: the old key can be claimed and seen again; the new one cannot.
    expect(await store.claimOnce('said:old', 'b', later)).toBe(true);
    expect(await store.firstSighting('msg-old', later)).toBe(true);
    expect(await store.claimOnce('said:new', 'b', later)).toBe(false);
    store.close();
  });

  it('keeps them within the retention', async () => {
    const store = openSqliteStore(':memory:', { now: () => start, pruneEveryMs: 0 });
    await store.claimOnce('said:x', 'a', start);
    await store.firstSighting('msg-x', start);
    const within = start + SHORT_LIVED_RETENTION_MS - DAY;
    expect(await store.claimOnce('said:x', 'b', within)).toBe(false);
    expect(await store.firstSighting('msg-x', within)).toBe(false);
    store.close();
  });

  it('prunes at start by the clock it is given', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'capstan-prune-')), 'c.db');
    const s1 = openSqliteStore(path, { now: () => start });
    await s1.claimOnce('said:old', 'a', start);
    await s1.firstSighting('msg-old', start);
    s1.close();
    const s2 = openSqliteStore(path, { now: () => start + SHORT_LIVED_RETENTION_MS + DAY });
    // Read back without a write that would prune too: the rows went at start.
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM claims').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM seen').get()).toEqual({ n: 0 });
    db.close();
    s2.close();
  });

  it('reads rows through the stored shape: a row of another shape is an error naming it, never a cast', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'capstan-rows-')), 'c.db');
    const store = openSqliteStore(path);
    await store.create(d('d-1', { tracking: undefined, plan: { anything: ['the strategy decodes it'] } }));
    await store.create(d('d-2', { env: 'prod' }));
    expect((await store.get('d-1'))?.plan).toEqual({ anything: ['the strategy decodes it'] });
    const db = new Database(path);
    const broken = { ...d('d-2', { env: 'prod' }), state: 'dancing', approvals: 'none' };
    db.prepare('UPDATE deployments SET data = ? WHERE id = ?').run(JSON.stringify(broken), 'd-2');
    const newer = { ...d('d-1'), plan: { anything: [] }, addedByANewerReplica: { kept: true } };
    db.prepare('UPDATE deployments SET data = ? WHERE id = ?').run(JSON.stringify(newer), 'd-1');
    db.close();
    await expect(store.get('d-2')).rejects.toThrow(/deployment d-2 does not have the stored shape/);
    await expect(store.get('d-2')).rejects.toThrow(/state/);
    // What a newer replica added is kept through a rewrite by this one.
    const read = (await store.get('d-1'))!;
    const written = await store.update({ ...read, reason: 'kept' });
    expect(written).toMatchObject({ reason: 'kept', addedByANewerReplica: { kept: true } });
    store.close();
  });
});
