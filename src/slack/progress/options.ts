import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { type Chat, ChatError, type ChatFailure, type GroupResolver } from '../../ports/chat.js';
import type { Clock } from '../../ports/clock.js';
import type { Deployment } from '../../domain/deployment.js';
import type { SlackMessage } from '../../views/message.js';

export interface ProgressOptions {
  readonly chat: Chat;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Posts per channel: Slack allows about one a second. */
  readonly postIntervalMs?: number;
  /**
   * Progress edits (chat.update) per channel: about one a second, with short bursts. An outcome does
   * not wait for this pace; Slack's 429s are waited out as Retry-After says.
   */
  readonly updateIntervalMs?: number;
  readonly updateBurst?: number;
  /**
   * A different rendering for some deployments (releases and approvals). `groupIds` (handle → id)
   * is given while a review waits, so approver groups show as mentions.
   */
  readonly render?: (
    d: Deployment,
    now: number,
    groupIds: ReadonlyMap<string, string>,
  ) => SlackMessage | undefined;
  /** User-group ids, so approver groups are mentioned (and notified) rather than named as text. */
  readonly groups?: GroupResolver | undefined;
  /** Told of each Slack call that failed (metrics); the failure is logged either way. */
  readonly onError?: ((method: string, e: unknown) => void) | undefined;
  /**
   * Since when this replica can no longer be sure it follows a deployment (its lease ran out or was
   * taken: it stalled past it), if so. A state of the deployment recorded before that instant is then
   * not shown: the new owner shows the rollout now. A final ending is always shown: it is the ledger's.
   * Only replicas sharing a ledger pass it.
   */
  readonly lapsedAt?: ((id: string) => number | undefined) | undefined;
  /** Told when Slack shows a deployment's end (metrics). */
  readonly onOutcomeShown?: ((d: Deployment) => void) | undefined;
  /** Attempts in all for a call that failed for a passing reason (5xx, 429, network): default 5. */
  readonly attempts?: number | undefined;
  /** The wait after the first such failure, doubled after each next one: default updateIntervalMs. */
  readonly retryDelayMs?: number | undefined;
  /** The longest of those waits (default 30 s); a 429's Retry-After is waited out in full. */
  readonly maxRetryDelayMs?: number | undefined;
  /** How waits between attempts are waited (tests pass their own); by default a timer. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export const NO_GROUPS: ReadonlyMap<string, string> = new Map();
/** Calls this notifier makes try once: it retries them itself, paced, with the latest state. */
export const CALLER = { callerRetries: true } as const;
/** Deployments remembered at most (their parent message, their last thread message). */
export const KEEP = 1000;

export const failureOf = (e: unknown): ChatFailure => (e instanceof ChatError ? e.failure : 'passing');

/** Logs a Slack call that failed and tells the metrics. */
export function reportFailure(o: ProgressOptions, method: string, e: unknown): void {
  const what = e instanceof ChatError ? e.method : method;
  o.logger.warn(`${what} failed`, { error: errorMessage(e) });
  o.onError?.(what, e);
}
