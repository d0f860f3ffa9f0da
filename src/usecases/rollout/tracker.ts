import type { Catalog, Environment } from '../../domain/catalog.js';
import { findEnvironment } from '../../domain/catalog.js';
import type { Deployment } from '../../domain/deployment.js';
import { isCapstanError } from '../../domain/errors.js';
import { errorMessage } from '../../lib/errors.js';
import { type Sleep, heldSleep } from '../../lib/sleep.js';
import type { Alarms } from '../../ports/alarms.js';
import type { Observation, TargetStrategy } from '../../targets/strategy.js';
import { targetAs } from '../actAs.js';
import type { DeployDeps } from '../deploy.js';
import { lookAtBakes } from '../verify/bakes.js';
import { BAKES_GROUP } from '../verify/events.js';
import { type OutcomeOptions, RolloutOutcomes } from './outcomes.js';

export interface TrackerOptions extends OutcomeOptions {
  readonly catalog: Catalog;
  /** How long a poll group that failed waits at most before it is asked again. */
  readonly maxBackoffMs: number;
  readonly intervalMs: number;
  readonly random?: () => number;
  /**
   * How often tick() looks at a poll group (by its pollGroup key): at every tick when absent. While
   * events from AWS flow for a group, polling is only the safety net and runs slower.
   */
  readonly groupIntervalMs?: (group: string) => number;
  /** How a look's time limit is waited; tests pass a manual one. */
  readonly sleep?: Sleep | undefined;
}

/** How long a rollout whose outcome is unknown is still checked in the background. */
export const KEEP_CHECKING_MS = 24 * 3_600_000;

/** The busy key of the bakes' look. */
const BAKES = 'verify:bakes';

/**
 * How long one read of the alarms may take. One CloudWatch call that never answers would hold the
 * bakes' look busy for good (none looked at again, none ended, the leases still renewed); past this it
 * counts as unreadable, which a bake says once and ends nothing on, and the next look reads again.
 */
export const ALARM_READ_TIMEOUT_MS = 30_000;

/** The alarms, each read given up after `ms`. */
function alarmsWithin(alarms: Alarms, ms: number, sleep: Sleep): Alarms {
  return {
    describe: (region, patterns) => withinTimeout(alarms.describe(region, patterns), ms, sleep),
    enteredAlarm: (region, name, since) => withinTimeout(alarms.enteredAlarm(region, name, since), ms, sleep),
  };
}

/**
 * A look that takes longer than a rollout's whole timeout is as good as unreadable: it counts
 * against the deadline like any read error, so a call AWS never answers cannot hold a rollout open.
 */
async function withinTimeout<T>(work: Promise<T>, ms: number, sleep: Sleep): Promise<T> {
  const done = new AbortController();
  const late = sleep(ms, done.signal).then(() => {
    if (!done.signal.aborted)
      throw new Error(`AWS did not answer within ${Math.max(1, Math.round(ms / 1000))}s`);
  });
  try {
    return await Promise.race([work, late.then(() => work)]);
  } finally {
    done.abort();
  }
}

interface Group {
  readonly strategy: TargetStrategy;
  readonly items: { readonly d: Deployment; readonly env: Environment }[];
}

/**
 * Follows every rollout in flight, on every kind of target. Rollouts are grouped as their strategy
 * says (one ECS cluster, one stack…); each group is asked on its own, so a slow or throttled group
 * backs off with jitter without holding up the others. What each observation means is
 * RolloutOutcomes' (outcomes.ts).
 */
export class RolloutTracker {
  private readonly backoff = new Map<string, { until: number; delay: number }>();
  private readonly busy = new Set<string>();
  private readonly looking = new Map<string, Promise<void>>();
  private readonly again = new Map<string, Promise<void>>();
  private readonly lastLook = new Map<string, number>();
  private readonly outcomes: RolloutOutcomes;

  constructor(
    private readonly deps: DeployDeps,
    private readonly opts: TrackerOptions,
  ) {
    this.outcomes = new RolloutOutcomes(deps, opts);
  }

  get size(): number {
    return this.opts.watchlist.size;
  }

  /**
   * Starts a look at every group that is neither busy, nor backing off, nor looked at recently enough
   * (groupIntervalMs); resolves when those looks are done.
   */
  tick(): Promise<void> {
    const now = this.deps.clock.now();
    const groups = this.collect(
      now,
      (key, base) =>
        !this.busy.has(key) && (this.backoff.get(key)?.until ?? 0) <= now && this.due(key, base, now),
    );
    return Promise.all([...[...groups].map(([key, g]) => this.look(key, g)), this.bakes()]).then(
      () => undefined,
    );
  }

  /** Looks at every bake in progress (verifying after success), unless the last look is still going. */
  private async bakes(): Promise<void> {
    if (!this.opts.alarms || this.busy.has(BAKES)) return;
    const alarms = alarmsWithin(this.opts.alarms, ALARM_READ_TIMEOUT_MS, this.opts.sleep ?? heldSleep);
    this.busy.add(BAKES);
    try {
      await lookAtBakes({ deploy: this.deps, alarms }, this.opts, {
        rollBack: (d, env, reason) =>
          this.outcomes.rollBack(d, env, targetAs(this.deps, env, d.requestedBy), d.tracking!, reason),
        ended: (d) => this.outcomes.ended(d, this.deps.clock.now()),
        kept: (d) => this.opts.watchlist.set(d),
      });
    } finally {
      this.busy.delete(BAKES);
    }
  }

  /**
   * Looks now at the poll groups an event from AWS concerns (pollGroup keys) rather than at the next
   * tick. A group being looked at is looked at once more right after, so what the event announced is
   * not missed; many events during one look make one more look. A group backing off stays backed off.
   * Resolves when those looks are done.
   */
  poke(groupKeys: readonly string[]): Promise<void> {
    const wanted = new Set(groupKeys);
    if (wanted.size === 0) return Promise.resolve();
    const now = this.deps.clock.now();
    const groups = this.collect(
      now,
      (key, base) => wanted.has(base) && (this.backoff.get(key)?.until ?? 0) <= now,
    );
    return Promise.all([
      ...[...groups].map(([key, g]) => (this.busy.has(key) ? this.lookAgain(key) : this.look(key, g))),
      wanted.has(BAKES_GROUP) ? this.bakes() : undefined,
    ]).then(() => undefined);
  }

  private due(key: string, base: string, now: number): boolean {
    const every = this.opts.groupIntervalMs?.(base);
    if (every === undefined) return true;
    // Ticks come every intervalMs: half of one is the slack that keeps a group from skipping a round.
    return now - (this.lastLook.get(key) ?? -Infinity) >= every - this.opts.intervalMs / 2;
  }

  private look(key: string, g: Group): Promise<void> {
    this.lastLook.set(key, this.deps.clock.now());
    const p = this.poll(key, g);
    this.looking.set(key, p);
    const done = () => {
      if (this.looking.get(key) === p) this.looking.delete(key);
    };
    p.then(done, done);
    return p;
  }

  private lookAgain(key: string): Promise<void> {
    let next = this.again.get(key);
    if (next) return next;
    const settled = () => undefined;
    next = (this.looking.get(key) ?? Promise.resolve()).then(settled, settled).then(() => {
      this.again.delete(key);
      // A tick may have started a look meanwhile: it began after the event, so it is the look wanted.
      if (this.busy.has(key)) return this.looking.get(key);
      const g = this.collect(this.deps.clock.now(), (k) => k === key).get(key);
      return g ? this.look(key, g) : undefined;
    });
    this.again.set(key, next);
    return next;
  }

  /** The rollouts being followed, by poll group, in the groups `include` accepts (full key, strategy's key). */
  private collect(now: number, include: (key: string, base: string) => boolean): Map<string, Group> {
    const groups = new Map<string, Group>();
    for (const d of this.opts.watchlist.values()) {
      const env = findEnvironment(this.opts.catalog, d.app, d.env);
      const givenUp = d.state === 'outcome_unknown' && now - (d.finishedAt ?? now) > KEEP_CHECKING_MS;
      if (!env || !d.tracking || givenUp) {
        this.opts.watchlist.remove(d.id);
        continue;
      }
      if (d.state === 'verifying') continue; // its target is done: bakes() watches its alarms
      // Observed (and rolled back) as the person who asked: with a role, one session per group.
      const strategy = targetAs(this.deps, env, d.requestedBy);
      const base = strategy.pollGroup(env);
      const key = `${base}${env.roleArn ? `|${env.roleArn}|${d.requestedBy}` : ''}`;
      if (!include(key, base)) continue;
      const g = groups.get(key) ?? { strategy, items: [] };
      g.items.push({ d, env });
      groups.set(key, g);
    }
    return groups;
  }

  private async poll(key: string, g: Group): Promise<void> {
    this.busy.add(key);
    // Each rollout's observation is acted on once: as soon as its part of the look answered, or at the end.
    const items = new Map(g.items.map((item) => [item.d.id, item]));
    const acting: Promise<void>[] = [];
    const act = (id: string, obs: Observation) => {
      const item = items.get(id);
      if (!item) return;
      items.delete(id);
      acting.push(this.act(item, g.strategy, obs));
    };
    try {
      let observations: ReadonlyMap<string, Observation>;
      try {
        observations = await withinTimeout(
          g.strategy.observe(
            g.items.map(({ d, env }) => ({
              id: d.id,
              env,
              phase: d.tracking!.phase,
              data: d.tracking!.data,
              startedAt: d.tracking!.startedAt,
            })),
            // What is read is acted on at once; read errors wait for the whole look (backoff).
            (part) => {
              for (const [id, obs] of part) if (obs.kind !== 'unreadable') act(id, obs);
            },
          ),
          Math.min(...g.items.map(({ env }) => env.rolloutTimeoutMs)),
          this.opts.sleep ?? heldSleep,
        );
      } catch (e) {
        this.backOff(key, e);
        // Read errors count against the deadline too: nothing stays "rolling out" for ever.
        const unread = [...items.values()];
        items.clear();
        await Promise.all([...acting, ...unread.map(({ d, env }) => this.outcomes.unreadable(d, env, e))]);
        return;
      }
      // An error about one rollout is that rollout's alone; the group backs off only when none could be read.
      const errors = g.items.flatMap(({ d }) => {
        const obs = observations.get(d.id);
        return obs?.kind === 'unreadable' ? [obs.error] : [];
      });
      if (errors.length > 0 && errors.length === g.items.length) this.backOff(key, errors[0]);
      else this.backoff.delete(key);
      for (const { d } of g.items) {
        const obs = observations.get(d.id);
        if (obs) act(d.id, obs);
      }
      await Promise.all(acting);
    } finally {
      this.busy.delete(key);
    }
  }

  /** What one observation of a rollout makes happen; a failure is logged and stays that rollout's. */
  private async act(
    { d, env }: Group['items'][number],
    strategy: TargetStrategy,
    obs: Observation,
  ): Promise<void> {
    try {
      if (obs.kind === 'unreadable') {
        this.deps.logger.warn('could not read a rollout', { id: d.id, error: errorMessage(obs.error) });
        await this.outcomes.unreadable(d, env, obs.error);
        return;
      }
      await this.outcomes.apply(d, env, strategy, obs);
    } catch (e) {
      this.deps.logger.error('could not process a rollout observation', {
        id: d.id,
        error: errorMessage(e),
      });
    }
  }

  private backOff(key: string, e: unknown): void {
    const prev = this.backoff.get(key)?.delay ?? this.opts.intervalMs;
    const delay = Math.min(prev * 2, this.opts.maxBackoffMs);
    const jitter = delay * (0.5 + (this.opts.random ?? Math.random)() * 0.5);
    this.backoff.set(key, { until: this.deps.clock.now() + jitter, delay });
    this.deps.logger.warn('could not read rollouts; backing off', {
      group: key,
      delayMs: Math.round(jitter),
      error: errorMessage(e),
      throttled: isCapstanError(e) && e.code === 'throttled',
    });
  }
}
