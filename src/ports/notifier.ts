import type { Principal } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import type { Fact } from '../domain/facts/index.js';
import type { VerifyAlarmed } from '../domain/facts/verify.js';

/** A turn of a deployment that people must hear about, not only see in its message. */
export type Announcement =
  /** The review waits: the approvers are asked for it. */
  | {
      readonly kind: 'review_requested';
      readonly approvers: readonly Principal[];
      /** Approvals needed in all. */
      readonly required: number;
    }
  /** The rollout waits for one of the approvers to let it go on (blue/green traffic reroute). */
  | {
      readonly kind: 'continue_requested';
      readonly approvers: readonly Principal[];
      /** What it waits at, as the target says it. */
      readonly waiting: string;
      /** Whether the person who asked may press Continue too. */
      readonly selfAllowed: boolean;
    }
  /** An alarm went off during the bake (onAlarm: ask): the requester and the approvers choose Roll back or Keep. */
  | {
      readonly kind: 'alarm_ask';
      readonly approvers: readonly Principal[];
      readonly alarm: VerifyAlarmed;
      /** A reminder: it has waited for people since `waitingSince` (set together; each reminder its own event). */
      readonly remindedAt?: number | undefined;
      readonly waitingSince?: number | undefined;
    }
  /** `by` approved; `remaining` more approvals are needed (0: it goes ahead). */
  | { readonly kind: 'approved'; readonly by: string; readonly remaining: number }
  /** The deployment ended (its state is terminal): succeeded, failed, rolled back, rejected, expired… */
  | { readonly kind: 'outcome' };

/** Where a deployment's parent message is. */
export interface ShownMessage {
  readonly messageTs: string;
  readonly permalink?: string | undefined;
}

/** Records where a deployment's parent message landed (in the ledger). */
export type Placed = (m: ShownMessage) => Promise<void>;

/**
 * Where people follow a deployment: one parent message kept up to date, details in its thread.
 * Implementations pace their calls to stay inside Slack's rate limits.
 */
export interface DeployNotifier {
  /**
   * Shows the deployment's current state; posts the parent message first when it has none. Resolves
   * with where the message is now. When it lands elsewhere later (the first post had to be retried,
   * or the message could not be edited and was posted anew), `placed` is told, before flush() returns.
   */
  show(d: Deployment, placed?: Placed): Promise<ShownMessage | undefined>;
  /** Adds lines to the thread; lines given close together are sent as one message. */
  detail(d: Deployment, lines: readonly Fact[]): void;
  /**
   * Says it in the thread, mentioning who must act or know (the requester, the approvers); a
   * failure is shown in the channel too. Optional: notifiers that only keep a record may skip it.
   */
  announce?(d: Deployment, a: Announcement): void;
  /** Sends everything still queued. */
  flush(): Promise<void>;
}
