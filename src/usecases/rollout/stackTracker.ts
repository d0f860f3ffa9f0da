import { isTerminal, type Deployment } from '../../domain/deployment.js';
import { errorMessage } from '../../lib/errors.js';
import { PollLoop } from '../../lib/pollLoop.js';
import type { StackEvent } from '../../ports/stacks.js';
import { save, showAndRecord } from '../deploy.js';
import type { ReleaseDeps } from '../release.js';

const SUCCESS = new Set(['UPDATE_COMPLETE']);
const FAILURE = new Set([
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
]);

/** The first resource that failed, oldest first: the cause, not its consequences. */
export function firstFailure(events: readonly StackEvent[]): string | undefined {
  const failed = [...events]
    .sort((a, b) => a.at - b.at)
    .find((e) => e.status.endsWith('_FAILED') && e.reason);
  return failed ? `${failed.logicalId} (${failed.resourceType}): ${failed.reason}` : undefined;
}

/** Follows executing change sets through stack status and events, and expires stale approval requests. */
export class StackTracker {
  private readonly watched = new Map<string, Deployment>();
  private readonly loop: PollLoop;
  private deps!: ReleaseDeps;
  /** Called for each request that expired, so its change set can be cleaned up and its message updated. */
  onExpired: (d: Deployment) => Promise<void> = async () => {};

  constructor(intervalMs: number) {
    this.loop = new PollLoop(
      intervalMs,
      () => this.tick(),
      (e) => this.deps.logger.error('stack poll failed', { error: errorMessage(e) }),
    );
  }

  bind(deps: ReleaseDeps): void {
    this.deps = deps;
  }

  follow(d: Deployment): void {
    if (!isTerminal(d.state)) this.watched.set(d.id, d);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async tick(): Promise<void> {
    await Promise.all(
      [...this.watched.values()].map((d) =>
        this.poll(d).catch((e: unknown) =>
          this.deps.logger.warn('stack poll failed', { id: d.id, error: errorMessage(e) }),
        ),
      ),
    );
    await this.expire();
  }

  private async expire(): Promise<void> {
    const now = this.deps.clock.now();
    for (const d of await this.deps.store.inFlight()) {
      if (d.state === 'awaiting_approval' && d.expiresAt !== undefined && d.expiresAt <= now)
        await this.onExpired(d);
    }
  }

  private async poll(d: Deployment): Promise<void> {
    const deps = this.deps;
    const r = d.release;
    if (!r?.executedAt) return;
    const [stack, events] = await Promise.all([
      deps.stacks.describeStack(r.region, r.stack),
      deps.stacks.events(r.region, r.stack, 100),
    ]);
    const seen = new Set(r.seenEvents ?? []);
    const fresh = events
      .filter((e) => e.at >= r.executedAt! - 1000 && !seen.has(e.id))
      .sort((a, b) => a.at - b.at);
    if (fresh.length > 0) {
      deps.notifier.detail(
        d,
        fresh.map(
          (e) => `\`${e.logicalId}\` ${e.resourceType} *${e.status}*${e.reason ? `: ${e.reason}` : ''}`,
        ),
      );
    }
    // Until the stack's LastUpdatedTime moves, its status is the one from before this execution.
    const started = stack.updatedAt !== r.stackUpdatedAt || stack.status.endsWith('_IN_PROGRESS');
    const now = deps.clock.now();
    const release = { ...r, seenEvents: [...(r.seenEvents ?? []), ...fresh.map((e) => e.id)].slice(-500) };
    if (started && SUCCESS.has(stack.status)) {
      await this.finish(d, { state: 'succeeded', release, finishedAt: now });
    } else if (started && FAILURE.has(stack.status)) {
      const all = events.filter((e) => e.at >= r.executedAt! - 1000);
      const cause = firstFailure(all) ?? stack.statusReason ?? 'no failing resource reported';
      await this.finish(d, {
        state: 'failed',
        release,
        finishedAt: now,
        reason: `Stack ${r.stack} ended ${stack.status}. First failure: ${cause}`,
      });
    } else if (fresh.length > 0) {
      this.watched.set(d.id, await save(deps.store, d, { release }, now));
    }
  }

  private async finish(d: Deployment, change: Partial<Deployment>): Promise<void> {
    const done = await save(this.deps.store, d, change, this.deps.clock.now());
    this.watched.delete(d.id);
    await showAndRecord(this.deps, done);
    this.deps.logger.info('release finished', { id: done.id, state: done.state, reason: done.reason });
  }
}
