import { textFact } from '../fakes/ports.js';
import { sayFact as say } from '../../src/views/facts/index.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Announcement } from '../../src/ports/notifier.js';
import type { Store } from '../../src/ports/store.js';
import { OnceNotifier } from '../../src/slack/once.js';
import { save, showAndRecord } from '../../src/usecases/record.js';
import { ManualClock, RecordingNotifier } from '../fakes/ports.js';

let store: Store;
let clock: ManualClock;

/** Also remembers what it would announce in the thread. */
class AnnouncingNotifier extends RecordingNotifier {
  readonly said: { id: string; a: Announcement; messageTs?: string | undefined }[] = [];
  announce(d: Deployment, a: Announcement): void {
    this.said.push({ id: d.id, a, messageTs: d.messageTs });
  }
}

/** One replica's notifier: what it would post, behind the decorator, over the shared ledger. */
function replica(owner: string, over: Partial<Pick<Store, 'claimOnce'>> = {}) {
  const inner = new AnnouncingNotifier();
  const shared = { claimOnce: over.claimOnce ?? store.claimOnce.bind(store), get: store.get.bind(store) };
  const notifier = new OnceNotifier(inner, { store: shared, owner, clock, logger: silentLogger });
  return { inner, notifier, deps: { store, notifier, clock, logger: silentLogger } };
}

/** Parent messages posted (a show() without a message to edit), by any of the replicas. */
const posts = (...rs: { inner: RecordingNotifier }[]) =>
  rs.flatMap((r) => r.inner.shown.filter((d) => d.messageTs === undefined));

async function recorded(id = 'd-1', env = 'dev'): Promise<Deployment> {
  const d = {
    id,
    rev: 0,
    kind: 'deploy',
    app: 'todobackend',
    env,
    requestedBy: 'U0ALICE',
    toVersion: '1.2.3',
    state: 'rolling_out',
    channel: 'C0DEV',
    createdAt: clock.now(),
    updatedAt: clock.now(),
    approvals: [],
  } satisfies Deployment;
  await store.create(d);
  return d;
}

beforeEach(() => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock();
});
afterEach(() => store.close());

describe('each Slack post that reports an event happens once across replicas', () => {
  it('drops thread lines another replica already posted, and posts the rest', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    a.notifier.detail(d, [textFact('started 2 tasks'), textFact('task 1 is running')]);
    await a.notifier.flush();
    // b took the rollout over and saw the same events again, plus a new one.
    b.notifier.detail(d, [
      textFact('started 2 tasks'),
      textFact('task 1 is running'),
      textFact('reached a steady state'),
    ]);
    await b.notifier.flush();
    expect(a.inner.lines('d-1')).toEqual(['started 2 tasks', 'task 1 is running']);
    expect(b.inner.lines('d-1')).toEqual(['reached a steady state']);
  });

  it('two replicas reporting the same lines at the same moment post them once', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    a.notifier.detail(d, [textFact('task 1 stopped: CannotPullContainerError')]);
    b.notifier.detail(d, [textFact('task 1 stopped: CannotPullContainerError')]);
    await Promise.all([a.notifier.flush(), b.notifier.flush()]);
    expect([...a.inner.lines('d-1'), ...b.inner.lines('d-1')]).toEqual([
      'task 1 stopped: CannotPullContainerError',
    ]);
  });

  it('an event that happens again is a new event: the same text twice is posted twice', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    a.notifier.detail(d, [textFact('has reached a steady state.')]);
    a.notifier.detail(d, [textFact('has reached a steady state.')]);
    await a.notifier.flush();
    b.notifier.detail(d, [textFact('has reached a steady state.')]);
    await b.notifier.flush();
    expect(a.inner.lines('d-1')).toEqual(['has reached a steady state.', 'has reached a steady state.']);
    expect(b.inner.lines('d-1')).toEqual([]);
  });

  it('the same line in two deployments is two events', async () => {
    const a = replica('a');
    const b = replica('b');
    a.notifier.detail(await recorded('d-1'), [textFact('has reached a steady state.')]);
    b.notifier.detail(await recorded('d-2', 'staging'), [textFact('has reached a steady state.')]);
    await Promise.all([a.notifier.flush(), b.notifier.flush()]);
    expect(a.inner.lines('d-1')).toHaveLength(1);
    expect(b.inner.lines('d-2')).toHaveLength(1);
  });

  it('keeps the order of lines even when the ledger answers out of order', async () => {
    let calls = 0;
    const slowFirst: Store['claimOnce'] = async (key, owner, now) => {
      // The first claim is answered after the second one.
      if (++calls === 1) await new Promise((r) => setTimeout(r, 20));
      return store.claimOnce(key, owner, now);
    };
    const a = replica('a', { claimOnce: slowFirst });
    const d = await recorded();
    a.notifier.detail(d, [textFact('first')]);
    a.notifier.detail(d, [textFact('second')]);
    await a.notifier.flush();
    expect(a.inner.details.map((x) => x.lines)).toEqual([['first'], ['second']]);
  });

  it('posts when the ledger cannot answer: a line posted twice beats a line lost', async () => {
    const a = replica('a', {
      claimOnce: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
    });
    const d = await recorded();
    a.notifier.detail(d, [textFact('task 1 is running')]);
    await a.notifier.flush();
    expect(a.inner.lines('d-1')).toEqual(['task 1 is running']);
  });

  it('posts the parent message once when two replicas show a deployment that has none', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    const [fromA, fromB] = await Promise.all([showAndRecord(a.deps, d), showAndRecord(b.deps, d)]);
    expect(posts(a, b)).toHaveLength(1);
    // The winner's timestamp is in the ledger; the loser recorded nothing of its own.
    const stored = await store.get(d.id);
    expect(stored?.messageTs).toBe('ts-d-1');
    expect([fromA.messageTs, fromB.messageTs]).toContain('ts-d-1');
  });

  it('the replica that lost the parent edits the winner’s message and threads under it', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    await showAndRecord(a.deps, d);
    // b still holds the deployment as it was before a recorded the message.
    const shown = await b.notifier.show({ ...d, state: 'succeeded' });
    expect(shown?.messageTs).toBe('ts-d-1');
    expect(b.inner.last('d-1')).toMatchObject({ state: 'succeeded', messageTs: 'ts-d-1' });
    expect(posts(a, b)).toHaveLength(1);
    const c = replica('c');
    const threaded = vi.spyOn(c.inner, 'detail');
    await c.notifier.show({ ...d, state: 'rolling_out' });
    c.notifier.detail(d, [textFact('task 2 is running')]);
    await c.notifier.flush();
    expect(threaded).toHaveBeenCalledWith(expect.objectContaining({ messageTs: 'ts-d-1' }), [
      textFact('task 2 is running'),
    ]);
    expect(c.inner.shown.at(-1)?.messageTs).toBe('ts-d-1');
    expect(posts(a, b, c)).toHaveLength(1);
  });

  it('a replica that lost the parent while the winner is still posting shows nothing yet', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    expect(await store.claimOnce(`parent:${d.id}`, 'a', clock.now())).toBe(true);
    expect(await b.notifier.show(d)).toBeUndefined();
    expect(posts(a, b)).toHaveLength(0);
  });

  it('the winner posts its parent again when Slack refused the first try', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    vi.spyOn(a.inner, 'show').mockRejectedValueOnce(new Error('An API error occurred: fatal_error'));
    await expect(a.notifier.show(d)).rejects.toThrow('fatal_error');
    expect(await b.notifier.show(d)).toBeUndefined();
    const second = await showAndRecord(a.deps, d);
    expect(second.messageTs).toBe('ts-d-1');
    expect(posts(a, b)).toHaveLength(1);
  });

  it('lets edits through: the same content twice is still one message', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await save(store, await recorded(), { messageTs: 'ts-d-1' }, clock.now());
    await a.notifier.show(d);
    await b.notifier.show(d);
    expect(a.inner.shown).toHaveLength(1);
    expect(b.inner.shown).toHaveLength(1);
    expect(posts(a, b)).toHaveLength(0);
  });

  it('announces an outcome once, whichever replicas saw the deployment end', async () => {
    const a = replica('a');
    const b = replica('b');
    const done = { ...(await recorded()), state: 'succeeded', messageTs: 'ts-d-1' } satisfies Deployment;
    a.notifier.announce(done, { kind: 'outcome' });
    b.notifier.announce(done, { kind: 'outcome' });
    await Promise.all([a.notifier.flush(), b.notifier.flush()]);
    expect([...a.inner.said, ...b.inner.said]).toEqual([
      { id: 'd-1', a: { kind: 'outcome' }, messageTs: 'ts-d-1' },
    ]);
  });

  it('two people approving are two announcements; the same approval seen twice is one', async () => {
    const a = replica('a');
    const b = replica('b');
    const d = await recorded();
    a.notifier.announce(d, { kind: 'approved', by: 'U0BOB', remaining: 1 });
    b.notifier.announce(d, { kind: 'approved', by: 'U0BOB', remaining: 1 });
    b.notifier.announce(d, { kind: 'approved', by: 'U0CAROL', remaining: 0 });
    await Promise.all([a.notifier.flush(), b.notifier.flush()]);
    expect([...a.inner.said, ...b.inner.said].map((x) => x.a)).toEqual([
      { kind: 'approved', by: 'U0BOB', remaining: 1 },
      { kind: 'approved', by: 'U0CAROL', remaining: 0 },
    ]);
  });

  it('announces after the lines queued before it, as the thread should read', async () => {
    const a = replica('a');
    const d = await recorded();
    const order: string[] = [];
    a.inner.detail = (_d, lines) => void order.push(...lines.map(say));
    a.inner.announce = (_d, x) => void order.push(x.kind);
    a.notifier.detail(d, [textFact('reached a steady state')]);
    a.notifier.announce({ ...d, state: 'succeeded' }, { kind: 'outcome' });
    await a.notifier.flush();
    expect(order).toEqual(['reached a steady state', 'outcome']);
  });
});
