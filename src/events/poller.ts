import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { QueueLoop } from '../lib/queueLoop.js';
import type { Sleep } from '../lib/sleep.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Queue, QueueMessage } from '../ports/pipelines.js';
import type { AwsEvent, TargetStrategy } from '../targets/strategy.js';
import { parseEvent } from './envelope.js';
import { alarmEventGroups } from '../usecases/verify/events.js';
import type { EventPace } from './pace.js';

/** What became of one message: looked at its groups, concerned no rollout, seen before, unreadable, or kept to retry. */
export type EventOutcome = 'looked' | 'unrelated' | 'duplicate' | 'unparseable' | 'failed';

export interface EventPollerDeps {
  readonly queue: Queue;
  /** The strategies in use; those with eventGroups() say which poll groups an event concerns. */
  readonly strategies: readonly TargetStrategy[];
  /** Looks at those poll groups now; resolves when the looks are done (the tracker's poke). */
  readonly poke: (groups: readonly string[]) => Promise<void>;
  readonly pace: EventPace;
  readonly logger: Logger;
  readonly onMessage?: ((outcome: EventOutcome) => void) | undefined;
  readonly waitSeconds?: number | undefined;
  /** The first wait after a failed receive, doubled up to a minute. */
  readonly retryMs?: number | undefined;
  readonly sleep?: Sleep | undefined;
  /** How old an event is, for the log. */
  readonly clock?: Clock | undefined;
}

/** Event ids remembered to drop duplicates: SQS and EventBridge both deliver at least once. */
const REMEMBERED_IDS = 2000;
/** Batches being handled at once before the next receive waits for one of them. */
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * Long-polls the queue EventBridge sends AWS events to. An event never decides anything: it names
 * the poll groups to look at now, and the strategies read the truth from AWS, so a duplicate, late
 * or out-of-order event costs at most one look. A message is deleted once its looks are done, or
 * at once when it can never be read; when handling it fails, it stays for SQS to deliver again.
 */
/** An event read from the queue, with the poll groups it names. */
interface Pending {
  readonly m: QueueMessage;
  readonly event: AwsEvent;
  readonly groups: readonly string[];
}

export class EventPoller {
  private readonly seen = new Set<string>();
  private readonly loop: QueueLoop<QueueMessage>;

  constructor(private readonly deps: EventPollerDeps) {
    this.loop = new QueueLoop({
      queue: deps.queue,
      waitSeconds: deps.waitSeconds,
      retryMs: deps.retryMs,
      sleep: deps.sleep,
      // A look can take long (a failed rollout starts Capstan's rollback): the next batch need not wait for it.
      maxInFlight: MAX_BATCHES_IN_FLIGHT,
      handle: (messages) => this.handle(messages),
      onReceiveError: (e, delayMs) =>
        deps.logger.warn('receiving AWS events failed; retrying', { error: errorMessage(e), delayMs }),
      onHandleError: (e) => deps.logger.error('handling AWS events failed', { error: errorMessage(e) }),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Aborts the long poll in flight and waits for the batches being handled. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Handles one batch as it came from the queue: one look per poll group, however many events name it. */
  async handle(messages: readonly QueueMessage[]): Promise<void> {
    const done: QueueMessage[] = [];
    const pending = this.route(messages, done);
    const groups = [...new Set(pending.flatMap((p) => p.groups))];
    const looked = groups.length === 0 || (await this.look(groups));
    for (const p of pending) {
      if (!looked) {
        this.tell('failed');
        continue;
      }
      this.remember(p.event.id);
      this.tell(p.groups.length > 0 ? 'looked' : 'unrelated');
      this.deps.logger.debug('AWS event', {
        eventId: p.event.id,
        type: p.event.detailType,
        groups: p.groups,
        ageMs: p.event.time === undefined ? undefined : (this.deps.clock ?? systemClock).now() - p.event.time,
      });
      done.push(p.m);
    }
    await this.deleteAll(done);
  }

  /**
   * The events of the batch with the poll groups each names. Those that cannot be read and duplicates
   * go to `done` (deleted from the queue); one that cannot be routed stays on the queue.
   */
  private route(messages: readonly QueueMessage[], done: QueueMessage[]): Pending[] {
    const { logger } = this.deps;
    const pending: Pending[] = [];
    const inBatch = new Set<string>();
    for (const m of messages) {
      const parsed = parseEvent(m.body);
      if (!parsed.ok) {
        logger.warn('AWS event dropped: cannot be read', { messageId: m.id, problem: parsed.problem });
        this.tell('unparseable');
        done.push(m);
        continue;
      }
      const { event } = parsed;
      if (this.seen.has(event.id) || inBatch.has(event.id)) {
        this.tell('duplicate');
        done.push(m);
        continue;
      }
      inBatch.add(event.id);
      try {
        pending.push({ m, event, groups: this.groupsOf(event) });
      } catch (e) {
        logger.error('AWS event could not be routed; left on the queue', {
          messageId: m.id,
          eventId: event.id,
          error: errorMessage(e),
        });
        this.tell('failed');
      }
    }
    return pending;
  }

  /** Looks at the rollouts of `groups` now; false when that failed (the events stay on the queue). */
  private async look(groups: string[]): Promise<boolean> {
    this.deps.pace.heard(groups);
    try {
      await this.deps.poke(groups);
      return true;
    } catch (e) {
      this.deps.logger.error('looking at rollouts after AWS events failed; events left on the queue', {
        groups,
        error: errorMessage(e),
      });
      return false;
    }
  }

  private async deleteAll(done: readonly QueueMessage[]): Promise<void> {
    await Promise.all(
      done.map((m) =>
        this.deps.queue.delete(m.receipt).catch((e: unknown) =>
          this.deps.logger.warn('could not delete an AWS event from the queue', {
            messageId: m.id,
            error: errorMessage(e),
          }),
        ),
      ),
    );
  }

  private groupsOf(event: AwsEvent): readonly string[] {
    const out = new Set<string>(alarmEventGroups(event));
    for (const s of this.deps.strategies) for (const g of s.eventGroups?.(event) ?? []) out.add(g);
    return [...out];
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.values().next().value!);
  }

  private tell(outcome: EventOutcome): void {
    this.deps.onMessage?.(outcome);
  }
}
