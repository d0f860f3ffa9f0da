import { errorMessage } from '../lib/errors.js';
import type { Queue } from '../ports/pipelines.js';
import { type InboundDeps, receiveEnvelope, receiveRaw } from './receive.js';

/**
 * SQS mode, for installations without a public endpoint: long-polls a queue subscribed to the
 * topic. A message is deleted only once handled, or once it is known it never can be (a bad
 * signature stays bad, a stale message only gets older); a handling failure leaves it for SQS to
 * deliver again.
 */
export class SqsPoller {
  private stopped = false;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly queue: Queue,
    private readonly deps: InboundDeps,
    private readonly trustRaw: boolean,
    private readonly waitSeconds = 20,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }

  /**
   * One message, whatever it holds: a failure here is logged and leaves the message for SQS to
   * deliver again (and, after maxReceiveCount, to its dead-letter queue); it never stops the loop
   * or the rest of the batch.
   */
  async handle(m: { id: string; body: string; receipt: string }): Promise<void> {
    let status: number;
    try {
      status = await this.judge(m);
    } catch (e) {
      this.deps.logger.error('could not handle an SQS message; left on the queue', {
        id: m.id,
        error: errorMessage(e),
      });
      return;
    }
    if (status >= 500) return;
    await this.queue
      .delete(m.receipt)
      .catch((e: unknown) =>
        this.deps.logger.warn('could not delete an SQS message', { id: m.id, error: errorMessage(e) }),
      );
  }

  private async judge(m: { id: string; body: string }): Promise<number> {
    let json: unknown;
    try {
      json = JSON.parse(m.body);
    } catch {
      json = undefined;
    }
    const enveloped = typeof json === 'object' && json !== null && 'Signature' in json && 'Type' in json;
    if (enveloped) return (await receiveEnvelope(this.deps, json)).status;
    if (this.trustRaw && m.id !== '') return (await receiveRaw(this.deps, m.id, m.body)).status;
    this.deps.logger.warn(
      this.trustRaw
        ? 'SQS message refused: no MessageId to remember it by'
        : 'SQS message refused: not an SNS envelope and raw messages are not trusted',
      { id: m.id },
    );
    return 400;
  }

  private async run(): Promise<void> {
    let delay = 1000;
    while (!this.stopped) {
      try {
        const messages = await this.queue.receive(this.waitSeconds, this.abort.signal);
        for (const m of messages) await this.handle(m);
        delay = 1000;
      } catch (e) {
        if (this.stopped) return;
        this.deps.logger.warn('SQS receive failed; retrying', { error: errorMessage(e), delayMs: delay });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 60_000);
      }
    }
  }
}
