import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { deliveryKey, inboundProblem, kindOf } from './inbound.js';

/** true for the first delivery of `key` across every replica sharing the ledger (Store.claimOnce). */
export type ClaimDelivery = (key: string) => Promise<boolean>;

export interface GuardOptions {
  readonly logger: Logger;
  /** Without it, only this process's own memory of recent deliveries de-duplicates. */
  readonly claim?: ClaimDelivery | undefined;
}

/** Deliveries remembered in memory, so a retry reaching this replica costs no ledger write. */
const REMEMBERED = 2000;

/**
 * Bolt's App with one gate in front of every listener, for both receivers:
 * - a payload Capstan cannot act on (wrong types, missing fields) is logged by kind and reason,
 *   never by content, and acknowledged so that Slack does not send it again;
 * - a delivery Slack repeats (a Socket Mode envelope sent again, an HTTP retry with
 *   X-Slack-Retry-Num) is acknowledged and acted on no more: the first delivery claims its key in
 *   the shared ledger, so a retry reaching another replica is dropped there too;
 * - whatever a listener throws is logged and never leaves the App, and a delivery nobody
 *   acknowledged is acknowledged when its listeners are done.
 */
export class GuardedApp extends App {
  private readonly log: Logger;
  private readonly claim: ClaimDelivery | undefined;
  private readonly recent = new Set<string>();

  constructor(options: AppOptions, guard: GuardOptions) {
    super(options);
    this.log = guard.logger.child({ component: 'inbound' });
    this.claim = guard.claim;
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    let acked = false;
    const ack: ReceiverEvent['ack'] = async (response) => {
      if (acked) return;
      acked = true;
      await event.ack(response);
    };
    const settle = async () => {
      if (!acked)
        await ack().catch((e: unknown) =>
          this.log.warn('could not acknowledge a Slack delivery', { error: errorMessage(e) }),
        );
    };
    const body: unknown = event.body;
    const kind = kindOf(body);
    const problem = inboundProblem(body);
    if (problem !== undefined) {
      this.log.warn('Slack payload dropped', { kind, reason: problem.slice(0, 200) });
      return settle();
    }
    const key = deliveryKey(event.body);
    if (!(await this.first(key))) {
      this.log.info('Slack delivery seen before; acknowledged, not acted on again', {
        kind,
        key,
        retryNum: event.retryNum,
        retryReason: event.retryReason,
      });
      return settle();
    }
    try {
      await super.processEvent({ ...event, ack });
    } catch (e) {
      this.log.error('a Slack listener failed', {
        kind,
        error: errorMessage(e),
        stack: e instanceof Error ? e.stack : undefined,
      });
    } finally {
      await settle();
    }
  }

  private async first(key: string): Promise<boolean> {
    if (this.recent.has(key)) return false;
    this.recent.add(key);
    if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.values().next().value!);
    if (!this.claim) return true;
    try {
      return await this.claim(key);
    } catch (e) {
      // Acting twice on a rare retry beats dropping every request while the ledger is away.
      this.log.warn('could not claim a Slack delivery; acting on it', { key, error: errorMessage(e) });
      return true;
    }
  }
}
