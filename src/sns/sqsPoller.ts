import { errorMessage } from '../lib/errors.js';
import { QueueLoop } from '../lib/queueLoop.js';
import type { Sleep } from '../lib/sleep.js';
import type { Queue, QueueMessage } from '../ports/pipelines.js';
import { type InboundDeps, receiveEnvelope, receiveRaw } from './receive.js';

/**
 * SQS mode, for installations without a public endpoint: long-polls a queue subscribed to the
 * topic. A message is deleted only once handled, or once it is known it never can be (a bad
 * signature stays bad, a stale message only gets older); a handling failure leaves it for SQS to
 * deliver again.
 */
export class SqsPoller {
  private readonly loop: QueueLoop<QueueMessage>;

  constructor(
    private readonly queue: Queue,
    private readonly deps: InboundDeps,
    private readonly trustRaw: boolean,
    opts: { readonly waitSeconds?: number | undefined; readonly sleep?: Sleep | undefined } = {},
  ) {
    this.loop = new QueueLoop({
      queue,
      waitSeconds: opts.waitSeconds,
      sleep: opts.sleep,
      handle: async (messages) => {
        for (const m of messages) await this.handle(m);
      },
      onReceiveError: (e, delayMs) =>
        deps.logger.warn('SQS receive failed; retrying', { error: errorMessage(e), delayMs }),
      onHandleError: (e) => deps.logger.error('handling SQS messages failed', { error: errorMessage(e) }),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Aborts the long poll in flight and waits for the batch being handled. */
  stop(): Promise<void> {
    return this.loop.stop();
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
}
