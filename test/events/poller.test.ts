import { describe, expect, it } from 'vitest';
import { EventPace } from '../../src/events/pace.js';
import { type EventOutcome, EventPoller } from '../../src/events/poller.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Queue, QueueMessage } from '../../src/ports/pipelines.js';
import type { AwsEvent, TargetStrategy } from '../../src/targets/strategy.js';
import { ManualClock } from '../fakes/ports.js';

/** The queue port in memory: receive() hands out what was sent, or waits for it (or for stop). */
class MemoryQueue implements Queue {
  private seq = 0;
  private readonly waiting: QueueMessage[] = [];
  private wake: (() => void) | undefined;
  readonly deleted: string[] = [];
  failNextReceive: Error | undefined;
  receives = 0;

  send(body: string | Record<string, unknown>): QueueMessage {
    this.seq += 1;
    const m = {
      id: `m${this.seq}`,
      receipt: `r${this.seq}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    };
    this.waiting.push(m);
    this.wake?.();
    return m;
  }

  async receive(_waitSeconds: number, signal?: AbortSignal): Promise<readonly QueueMessage[]> {
    this.receives += 1;
    if (this.failNextReceive) {
      const e = this.failNextReceive;
      this.failNextReceive = undefined;
      throw e;
    }
    if (this.waiting.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    return this.waiting.splice(0, 10);
  }

  async delete(receipt: string): Promise<void> {
    this.deleted.push(receipt);
  }
}

/** A strategy that routes `aws.test` events by their `detail.group`. */
const router = (): TargetStrategy =>
  ({
    eventGroups: (e: AwsEvent) => {
      if (e.detail.explode) throw new Error('cannot route');
      return typeof e.detail.group === 'string' ? [e.detail.group] : [];
    },
  }) as unknown as TargetStrategy;

const event = (id: string, detail: Record<string, unknown>) => ({
  version: '0',
  id,
  'detail-type': 'Test Event',
  source: 'aws.test',
  account: '123456789012',
  time: '2026-11-20T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

function setUp(poke: (groups: readonly string[]) => Promise<void> = async () => {}) {
  const queue = new MemoryQueue();
  const clock = new ManualClock();
  const pace = new EventPace({ intervalMs: 1000, clock });
  const pokes: (readonly string[])[] = [];
  const outcomes: EventOutcome[] = [];
  const poller = new EventPoller({
    queue,
    strategies: [router()],
    poke: (groups) => {
      pokes.push(groups);
      return poke(groups);
    },
    pace,
    logger: silentLogger,
    onMessage: (o) => outcomes.push(o),
    retryMs: 1,
  });
  return { queue, pace, pokes, outcomes, poller };
}

describe('the AWS events queue', () => {
  it('looks once per poll group however many events of a batch name it, then deletes them', async () => {
    const { queue, pokes, outcomes, poller, pace } = setUp();
    const batch = [
      queue.send(event('a', { group: 'g1' })),
      queue.send(event('b', { group: 'g1' })),
      queue.send(event('c', { group: 'g2' })),
      queue.send(event('d', { group: 'g1' })),
    ];
    await poller.handle(batch);
    expect(pokes).toEqual([['g1', 'g2']]);
    expect(queue.deleted).toEqual(batch.map((m) => m.receipt));
    expect(outcomes).toEqual(['looked', 'looked', 'looked', 'looked']);
    expect(pace.flowing('g1') && pace.flowing('g2')).toBe(true);
    expect(pace.flowing('g3')).toBe(false);
  });

  it('an alarm state change makes the bakes be looked at now', async () => {
    const { queue, pokes, outcomes, poller } = setUp();
    await poller.handle([
      queue.send({
        ...event('alarm-1', { alarmName: 'todobackend-prod-5xx', state: { value: 'ALARM' } }),
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
      }),
    ]);
    expect(pokes).toEqual([['verify:alarms']]);
    expect(outcomes).toEqual(['looked']);
  });

  it('deletes a duplicate without looking again, within a batch and across batches', async () => {
    const { queue, pokes, outcomes, poller } = setUp();
    await poller.handle([queue.send(event('a', { group: 'g1' })), queue.send(event('a', { group: 'g1' }))]);
    await poller.handle([queue.send(event('a', { group: 'g1' }))]);
    expect(pokes).toEqual([['g1']]);
    expect(queue.deleted).toHaveLength(3);
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'looked']);
  });

  it('deletes events that concern no rollout, and unreadable messages, without looking', async () => {
    const { queue, pokes, outcomes, poller } = setUp();
    const batch = [
      queue.send(event('a', {})),
      queue.send('{oops'),
      queue.send({ Type: 'Notification', Message: '' }),
    ];
    await poller.handle(batch);
    expect(pokes).toEqual([]);
    expect(queue.deleted.sort()).toEqual(batch.map((m) => m.receipt).sort());
    expect(outcomes.sort()).toEqual(['unparseable', 'unparseable', 'unrelated']);
  });

  it('leaves events on the queue when looking fails, for SQS to deliver again', async () => {
    let fail = true;
    const { queue, outcomes, poller } = setUp(async () => {
      if (fail) throw new Error('store unavailable');
    });
    const m = queue.send(event('a', { group: 'g1' }));
    await poller.handle([m]);
    expect(queue.deleted).toEqual([]);
    expect(outcomes).toEqual(['failed']);

    // Redelivered: not taken for a duplicate, since it was never handled.
    fail = false;
    await poller.handle([m]);
    expect(queue.deleted).toEqual([m.receipt]);
    expect(outcomes).toEqual(['failed', 'looked']);
  });

  it('keeps an event it cannot route, and handles the rest of the batch', async () => {
    const { queue, pokes, outcomes, poller } = setUp();
    const bad = queue.send(event('a', { explode: true }));
    const good = queue.send(event('b', { group: 'g1' }));
    await poller.handle([bad, good]);
    expect(pokes).toEqual([['g1']]);
    expect(queue.deleted).toEqual([good.receipt]);
    expect(outcomes).toEqual(['failed', 'looked']);
  });

  it('a long look (a rollback starting) does not hold up the events that come next', async () => {
    let release = () => {};
    const slow = new Promise<void>((r) => (release = r));
    const { queue, poller } = setUp((groups) => (groups.includes('slow') ? slow : Promise.resolve()));
    poller.start();
    const first = queue.send(event('a', { group: 'slow' }));
    await new Promise((r) => setImmediate(r));
    const next = queue.send(event('b', { group: 'fast' }));
    while (!queue.deleted.includes(next.receipt)) await new Promise((r) => setImmediate(r));
    expect(queue.deleted).not.toContain(first.receipt);
    release();
    await poller.stop(); // waits for the batch still being handled
    expect(queue.deleted).toContain(first.receipt);
  });

  it('keeps polling after a failed receive, and stop() ends a long poll at once', async () => {
    const { queue, pokes, poller } = setUp();
    queue.failNextReceive = new Error('SQS unavailable');
    poller.start();
    const m = queue.send(event('a', { group: 'g1' }));
    while (!queue.deleted.includes(m.receipt)) await new Promise((r) => setImmediate(r));
    expect(pokes).toEqual([['g1']]);
    expect(queue.receives).toBeGreaterThanOrEqual(2);
    await poller.stop(); // the loop is waiting in receive(): the abort must end it
  });
});
