import { describe, expect, it } from 'vitest';
import { type LongPollQueue, QueueLoop } from '../../src/lib/queueLoop.js';
import { ManualSleep } from '../fakes/sleep.js';

/**
 * A queue that long-polls the way SQS does with an abort signal: receive() waits for what the test
 * hands it, a failure, or the signal (then it rejects, as the SDK's send does).
 */
class HeldQueue implements LongPollQueue<string> {
  readonly receives: { waitSeconds: number; signal: AbortSignal }[] = [];
  private answer: { resolve: (m: string[]) => void; reject: (e: Error) => void } | undefined;

  receive(waitSeconds: number, signal: AbortSignal): Promise<readonly string[]> {
    this.receives.push({ waitSeconds, signal });
    return new Promise((resolve, reject) => {
      const aborted = () => reject(new Error('Request aborted'));
      const settled = () => signal.removeEventListener('abort', aborted);
      this.answer = {
        resolve: (m) => (settled(), resolve(m)),
        reject: (e) => (settled(), reject(e)),
      };
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  async receiving(n: number): Promise<void> {
    while (this.receives.length < n) await new Promise((r) => setImmediate(r));
  }

  give(messages: string[]): void {
    this.answer?.resolve(messages);
  }

  fail(e: Error): void {
    this.answer?.reject(e);
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

function setUp(o: { maxInFlight?: number; handle?: (batch: readonly string[]) => Promise<void> } = {}) {
  const queue = new HeldQueue();
  const sleep = new ManualSleep();
  const handled: (readonly string[])[] = [];
  const receiveErrors: { error: string; delayMs: number }[] = [];
  const handleErrors: unknown[] = [];
  const loop = new QueueLoop<string>({
    queue,
    sleep: sleep.sleep,
    maxInFlight: o.maxInFlight,
    handle:
      o.handle ??
      (async (batch) => {
        handled.push(batch);
      }),
    onReceiveError: (e, delayMs) => receiveErrors.push({ error: (e as Error).message, delayMs }),
    onHandleError: (e) => handleErrors.push(e),
  });
  return { queue, sleep, handled, receiveErrors, handleErrors, loop };
}

describe('QueueLoop (the one SQS long-poll loop)', () => {
  it('long-polls for 20 s, hands each batch over, and polls again', async () => {
    const { queue, handled, loop } = setUp();
    loop.start();
    await queue.receiving(1);
    expect(queue.receives[0]!.waitSeconds).toBe(20);
    queue.give(['a', 'b']);
    await queue.receiving(2);
    expect(handled).toEqual([['a', 'b']]);
    await loop.stop();
  });

  it('stop() aborts the long poll in flight and returns without waiting it out', async () => {
    const { queue, handled, receiveErrors, loop } = setUp();
    loop.start();
    await queue.receiving(1);
    await loop.stop();
    expect(queue.receives[0]!.signal.aborted).toBe(true);
    expect(receiveErrors).toEqual([]); // an abort is no failure
    expect(handled).toEqual([]);
    expect(queue.receives).toHaveLength(1);
  });

  it('after a failed receive waits 1 s, doubling up to a minute, and back to 1 s after a success', async () => {
    const { queue, sleep, receiveErrors, loop } = setUp();
    loop.start();
    const delays: number[] = [];
    for (let i = 1; i <= 8; i++) {
      await queue.receiving(i);
      queue.fail(new Error('SQS unavailable'));
      await sleep.pending();
      delays.push(sleep.waits[0]!.ms);
      sleep.release();
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(receiveErrors.map((e) => e.delayMs)).toEqual(delays);
    await queue.receiving(9);
    queue.give([]);
    await queue.receiving(10);
    queue.fail(new Error('SQS unavailable'));
    await sleep.pending();
    expect(sleep.waits[0]!.ms).toBe(1000);
    await loop.stop();
  });

  it('stop() ends a backoff wait at once', async () => {
    const { queue, sleep, loop } = setUp();
    loop.start();
    await queue.receiving(1);
    queue.fail(new Error('SQS unavailable'));
    await sleep.pending();
    await loop.stop();
    expect(sleep.waits).toEqual([]);
    expect(queue.receives).toHaveLength(1);
  });

  it('one batch at a time by default: the next receive waits until the batch is handled', async () => {
    let finish: (() => void) | undefined;
    const { queue, loop } = setUp({ handle: () => new Promise<void>((r) => (finish = r)) });
    loop.start();
    await queue.receiving(1);
    queue.give(['a']);
    await settle();
    await settle();
    expect(queue.receives).toHaveLength(1);
    finish!();
    await queue.receiving(2);
    await loop.stop();
  });

  it('with maxInFlight, receives while batches are handled, up to that many; stop() waits for them', async () => {
    const finishes: (() => void)[] = [];
    let done = 0;
    const { queue, loop } = setUp({
      maxInFlight: 2,
      handle: () => new Promise<void>((r) => finishes.push(r)).then(() => void (done += 1)),
    });
    loop.start();
    await queue.receiving(1);
    queue.give(['a']);
    await queue.receiving(2); // the first batch is still being handled
    queue.give(['b']);
    await settle();
    await settle();
    expect(queue.receives).toHaveLength(2); // two in flight: the third receive waits
    finishes[0]!();
    await queue.receiving(3);
    const stopped = loop.stop();
    await settle();
    expect(done).toBe(1);
    finishes[1]!();
    await stopped;
    expect(done).toBe(2);
  });

  it('a batch whose handling fails is told and the loop goes on', async () => {
    const { queue, handleErrors, loop } = setUp({ handle: async () => Promise.reject(new Error('boom')) });
    loop.start();
    await queue.receiving(1);
    queue.give(['a']);
    await queue.receiving(2);
    expect(handleErrors).toEqual([new Error('boom')]);
    await loop.stop();
  });
});
