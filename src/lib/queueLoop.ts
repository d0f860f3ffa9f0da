import { type Sleep, timerSleep } from './sleep.js';

/** The queue a long-poll loop reads: receive waits up to `waitSeconds` for messages, or until `signal` aborts. */
export interface LongPollQueue<M> {
  receive(waitSeconds: number, signal: AbortSignal): Promise<readonly M[]>;
}

export interface QueueLoopOptions<M> {
  readonly queue: LongPollQueue<M>;
  /** Handles one batch as it came from the queue; a rejection is told to onHandleError. */
  readonly handle: (batch: readonly M[]) => Promise<void>;
  /** Told of a receive that failed, with the wait before the next one. */
  readonly onReceiveError: (e: unknown, delayMs: number) => void;
  readonly onHandleError: (e: unknown) => void;
  readonly waitSeconds?: number | undefined;
  /** The first wait after a failed receive, doubled up to a minute. */
  readonly retryMs?: number | undefined;
  /**
   * Batches handled at once before the next receive waits for one of them: 1 handles each batch
   * before receiving the next.
   */
  readonly maxInFlight?: number | undefined;
  readonly sleep?: Sleep | undefined;
}

const MAX_RETRY_MS = 60_000;

/**
 * The one SQS long-poll loop (the SNS queue and the EventBridge queue both run on it): receive,
 * hand the batch over, and after a failed receive wait with a doubling backoff. stop() aborts the
 * receive in flight and the backoff wait, so it returns at once, then waits for the batches being
 * handled. A batch received as the loop stops is not handled: its messages stay on the queue and SQS
 * delivers them again.
 */
export class QueueLoop<M> {
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly o: QueueLoopOptions<M>) {}

  start(): void {
    if (this.abort) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    await Promise.allSettled([...this.handling]);
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { o } = this;
    const first = o.retryMs ?? 1000;
    const sleep = o.sleep ?? timerSleep;
    const maxInFlight = Math.max(1, o.maxInFlight ?? 1);
    let delay = first;
    while (!signal.aborted) {
      let batch: readonly M[];
      try {
        batch = await o.queue.receive(o.waitSeconds ?? 20, signal);
      } catch (e) {
        if (signal.aborted) return;
        o.onReceiveError(e, delay);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
        continue;
      }
      delay = first;
      if (signal.aborted) return;
      const handled: Promise<void> = o
        .handle(batch)
        .catch((e: unknown) => o.onHandleError(e))
        .finally(() => this.handling.delete(handled));
      this.handling.add(handled);
      if (this.handling.size >= maxInFlight) await Promise.race(this.handling);
    }
  }
}
