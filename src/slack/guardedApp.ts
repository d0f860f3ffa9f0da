import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import { AckFirst } from '../lib/ackFirst.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { deliveryKey, inboundProblem, kindOf } from './inbound.js';
import { routeListenersByKind } from './listenerRouting.js';

/** true for the first delivery of `key` across every replica sharing the ledger (Store.claimOnce). */
export type ClaimDelivery = (key: string) => Promise<boolean>;

export interface GuardOptions {
  readonly logger: Logger;
  /** Without it, only this process's own memory of recent deliveries de-duplicates. */
  readonly claim?: ClaimDelivery | undefined;
  /** Shared with the receiver, which counts a delivery in as soon as it arrives. */
  readonly ackFirst?: AckFirst | undefined;
}

/** Thrown out of a listener's ack() when the delivery was acted on before: nothing after the ack runs. */
export class SeenBefore extends Error {
  readonly code = 'capstan_seen_before';
  constructor(readonly key: string) {
    super(`Slack delivery ${key} was acted on before`);
  }
}

export const isSeenBefore = (e: unknown): e is SeenBefore =>
  e instanceof SeenBefore || (e as { code?: unknown } | null)?.code === 'capstan_seen_before';

/** Deliveries remembered in memory, so a retry reaching this replica costs no ledger write. */
const REMEMBERED = 2000;

/** A delivery's acknowledgement, sent at most once; sending it counts the delivery out of AckFirst. */
interface AckOnce {
  readonly acked: boolean;
  readonly send: ReceiverEvent['ack'];
}

function ackOnce(event: ReceiverEvent, acknowledged: () => void): AckOnce {
  let acked = false;
  return {
    get acked() {
      return acked;
    },
    send: async (response) => {
      if (acked) return;
      acked = true;
      try {
        await event.ack(response);
      } finally {
        acknowledged();
      }
    },
  };
}

/**
 * Bolt's App with one gate in front of every listener, for both receivers:
 * - a payload Capstan cannot act on (wrong types, missing fields) is logged by kind and reason,
 *   never by content, and acknowledged so that Slack does not send it again;
 * - a delivery Slack repeats (a Socket Mode envelope sent again, an HTTP retry with
 *   X-Slack-Retry-Num) is acknowledged and acted on no more: the first delivery claims its key in
 *   the shared ledger, so a retry reaching another replica is dropped there too. The claim comes
 *   right after the acknowledgement and before anything the listener does after it (every listener
 *   acknowledges first), once no other delivery waits for its acknowledgement (AckFirst): the
 *   acknowledgements of a burst go out before any ledger write or work;
 * - whatever a listener throws is logged and never leaves the App, and a delivery nobody
 *   acknowledged is acknowledged when its listeners are done.
 */
export class GuardedApp extends App {
  private readonly log: Logger;
  private readonly claim: ClaimDelivery | undefined;
  private readonly recent = new Set<string>();
  private readonly ackFirst: AckFirst;

  constructor(options: AppOptions, guard: GuardOptions) {
    super(options);
    this.log = guard.logger.child({ component: 'inbound' });
    this.claim = guard.claim;
    this.ackFirst = guard.ackFirst ?? new AckFirst();
    // Each delivery goes through the listeners of its kind only (a command past no button's chain).
    routeListenersByKind(this);
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    const once = ackOnce(event, this.ackFirst.arrive());
    const settle = async () => {
      if (!once.acked)
        await once
          .send()
          .catch((e: unknown) =>
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
    try {
      await super.processEvent({ ...event, ack: this.claimingAck(event, once) });
    } catch (e) {
      this.logListenerFailure(e, event, kind);
    } finally {
      await settle();
    }
  }

  /**
   * What listeners call. A plain acknowledgement goes out at once and the delivery is claimed
   * before the listener goes on; one that is itself the answer (help, a typo) is claimed first,
   * so that a retry gets a plain acknowledgement and the answer is given once.
   */
  private claimingAck(event: ReceiverEvent, once: AckOnce): ReceiverEvent['ack'] {
    let gate: Promise<void> | undefined;
    return async (response) => {
      if (once.acked) return gate;
      if (response === undefined || response === '') {
        await once.send();
        gate = this.claimed(event, true);
        return gate;
      }
      gate = this.claimed(event, false);
      const first = await gate.then(
        () => true,
        (e: unknown) => {
          if (isSeenBefore(e)) return false;
          throw e;
        },
      );
      await once.send(first ? response : undefined);
      return gate;
    };
  }

  /** A repeated delivery is told once, at info; anything else a listener threw, as an error. */
  private logListenerFailure(e: unknown, event: ReceiverEvent, kind: string): void {
    if (isSeenBefore(e)) {
      this.log.info('Slack delivery seen before; acknowledged, not acted on again', {
        kind,
        key: e.key,
        retryNum: event.retryNum,
        retryReason: event.retryReason,
      });
    } else {
      this.log.error('a Slack listener failed', {
        kind,
        error: errorMessage(e),
        stack: e instanceof Error ? e.stack : undefined,
      });
    }
  }

  /**
   * Throws SeenBefore unless this is the delivery's first time; after a plain acknowledgement, once
   * no other delivery waits for its own.
   */
  private async claimed(event: ReceiverEvent, afterAck: boolean): Promise<void> {
    if (afterAck) await this.ackFirst.turn();
    const key = deliveryKey(event.body);
    if (!(await this.first(key))) throw new SeenBefore(key);
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
