import type { Catalog, Environment } from '../../domain/catalog.js';
import { findEnvironment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { isCapstanError } from '../../domain/errors.js';
import { factForLog } from '../../domain/facts/index.js';
import { errorMessage } from '../../lib/errors.js';
import { sameJson } from '../../lib/sameJson.js';
import { type Sleep, heldSleep } from '../../lib/sleep.js';
import type { Observation, TargetStrategy } from '../../targets/strategy.js';
import { targetAs } from '../actAs.js';
import type { DeployDeps } from '../deploy.js';
import { applyOrReconcile, beginTracking } from '../execute.js';
import { save, showAndRecord } from '../record.js';
import { errorReported, reported } from '../../domain/reported.js';
import { saidBefore, why } from './cause.js';
import { rollBackInPlace } from './inPlace.js';
import type { Watchlist } from './watchlist.js';
import type { Alarms } from '../../ports/alarms.js';
import { beginBake, verifies } from '../verify/begin.js';
import { lookAtBakes } from '../verify/bakes.js';
import { BAKES_GROUP } from '../verify/events.js';

export interface TrackerOptions {
  readonly catalog: Catalog;
  readonly watchlist: Watchlist;
  /** How long a poll group that failed waits at most before it is asked again. */
  readonly maxBackoffMs: number;
  readonly intervalMs: number;
  readonly random?: () => number;
  /**
   * Whether this replica still owns a deployment (renews its lease): checked before anything is
   * written or posted, so a replica that stalled past its lease cannot overwrite the new owner.
   */
  readonly stillOwns?: (id: string) => Promise<boolean>;
  /**
   * How often tick() looks at a poll group (by its pollGroup key): at every tick when absent. While
   * events from AWS flow for a group, polling is only the safety net and runs slower.
   */
  readonly groupIntervalMs?: (group: string) => number;
  /** Told of each ending as the tracker reaches it, before Slack shows it (metrics). */
  readonly onFinished?: (d: Deployment, at: number) => void;
  /** How a look's time limit is waited; tests pass a manual one. */
  readonly sleep?: Sleep | undefined;
  /** CloudWatch, for the bakes of environments that verify their rollouts (usecases/verify/). */
  readonly alarms?: Alarms | undefined;
}

/** How long a rollout whose outcome is unknown is still checked in the background. */
export const KEEP_CHECKING_MS = 24 * 3_600_000;

/** The busy key of the bakes' look. */
const BAKES = 'verify:bakes';

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
 * backs off with jitter without holding up the others. The rules that hold for every target live
 * here: the deadline, Capstan's own rollback, and what each ending means.
 */
export class RolloutTracker {
  private readonly backoff = new Map<string, { until: number; delay: number }>();
  private readonly busy = new Set<string>();
  private readonly looking = new Map<string, Promise<void>>();
  private readonly again = new Map<string, Promise<void>>();
  private readonly lastLook = new Map<string, number>();
  /** Capstan's rollbacks being started in this process (a bake's runs beside the rollout looks). */
  private readonly rollingBack = new Set<string>();

  constructor(
    private readonly deps: DeployDeps,
    private readonly opts: TrackerOptions,
  ) {}

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
    const alarms = this.opts.alarms;
    if (!alarms || this.busy.has(BAKES)) return;
    this.busy.add(BAKES);
    try {
      await lookAtBakes({ deploy: this.deps, alarms }, this.opts, {
        rollBack: (d, env, reason) =>
          this.rollBack(d, env, targetAs(this.deps, env, d.requestedBy), d.tracking!, reason),
        ended: (d) => this.ended(d, this.deps.clock.now()),
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
          ),
          Math.min(...g.items.map(({ env }) => env.rolloutTimeoutMs)),
          this.opts.sleep ?? heldSleep,
        );
      } catch (e) {
        this.backOff(key, e);
        // Read errors count against the deadline too: nothing stays "rolling out" for ever.
        await Promise.all(g.items.map(({ d, env }) => this.unreadable(d, env, e)));
        return;
      }
      // An error about one rollout is that rollout's alone; the group backs off only when none could be read.
      const errors = g.items.flatMap(({ d }) => {
        const obs = observations.get(d.id);
        return obs?.kind === 'unreadable' ? [obs.error] : [];
      });
      if (errors.length > 0 && errors.length === g.items.length) this.backOff(key, errors[0]);
      else this.backoff.delete(key);
      await Promise.all(
        g.items.map(async ({ d, env }) => {
          const obs = observations.get(d.id);
          if (!obs) return;
          try {
            if (obs.kind === 'unreadable') {
              this.deps.logger.warn('could not read a rollout', { id: d.id, error: errorMessage(obs.error) });
              await this.unreadable(d, env, obs.error);
              return;
            }
            await this.apply(d, env, g.strategy, obs);
          } catch (e) {
            this.deps.logger.error('could not process a rollout observation', {
              id: d.id,
              error: errorMessage(e),
            });
          }
        }),
      );
    } finally {
      this.busy.delete(key);
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

  /** AWS could not be read past the deadline: say so, with the last thing seen, and keep checking. */
  private async unreadable(d: Deployment, env: Environment, e: unknown): Promise<void> {
    const now = this.deps.clock.now();
    const t = d.tracking!;
    if (d.state === 'outcome_unknown' || now - t.lastProgressAt <= env.rolloutTimeoutMs) return;
    const cur = await save(
      this.deps.store,
      d,
      {
        state: 'outcome_unknown',
        finishedAt: now,
        ...why({
          kind: 'rollout.outcomeUnknown',
          seconds: Math.round((now - t.lastProgressAt) / 1000),
          error: errorReported(e),
          lastSeen: { state: d.state, progress: t.progress },
        }),
      },
      now,
    );
    this.opts.watchlist.keep(cur);
    await showAndRecord(this.deps, cur);
    this.deps.logger.warn('rollout outcome unknown', { id: d.id, error: errorMessage(e) });
  }

  /** The truth arrived after "outcome unknown" was said: it replaces it; Capstan starts nothing this late. */
  private async late(
    d: Deployment,
    strategy: TargetStrategy,
    obs: Exclude<Observation, { kind: 'unreadable' }>,
  ): Promise<void> {
    const t = d.tracking!;
    switch (obs.kind) {
      case 'progress':
        return;
      case 'succeeded':
        await this.finish(d, {
          state: t.phase === 'rollout' ? 'succeeded' : 'rolled_back',
          cause: undefined,
          reason: undefined,
        });
        return;
      case 'superseded':
        await this.finish(d, {
          state: 'superseded',
          ...why({ kind: 'rollout.superseded', by: obs.by, late: true }),
        });
        return;
      case 'missing':
      case 'unrecorded':
        await this.finish(d, {
          state: 'failed',
          ...why({ kind: 'rollout.cannotFollow', cause: reported(obs.what) }),
        });
        return;
      case 'failed':
        await this.finish(d, {
          state: obs.selfRollback ? 'rolled_back' : 'failed',
          ...why({
            kind: 'rollout.failedLate',
            app: d.app,
            env: d.env,
            cause: reported(obs.reason),
            rolledBackBy: obs.selfRollback ? strategy.label : undefined,
          }),
        });
    }
  }

  private async apply(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    obs: Exclude<Observation, { kind: 'unreadable' }>,
  ): Promise<void> {
    const deps = this.deps;
    const now = deps.clock.now();
    const t = d.tracking!;
    const writes = obs.kind !== 'progress' || obs.moved || obs.lines.length > 0;
    if (writes && this.opts.stillOwns && !(await this.opts.stillOwns(d.id))) {
      this.opts.watchlist.remove(d.id);
      return;
    }
    if (obs.lines.length > 0) deps.notifier.detail(d, obs.lines);
    if (d.state === 'outcome_unknown') {
      await this.late(d, strategy, obs);
      return;
    }
    switch (obs.kind) {
      case 'progress': {
        const tracking: Tracking = {
          ...t,
          data: obs.data,
          progress: obs.progress,
          waiting: obs.waiting,
          waitingUntil: obs.waitingUntil,
          stage: obs.stage,
          pause: obs.pause,
          lastProgressAt: obs.moved || obs.waiting !== t.waiting ? now : t.lastProgressAt,
        };
        // A rollout waiting for people is not stalled: the target's own wait setting bounds it.
        // So is one the target's own clock holds (an ECS bake): its timeout governs, and is shown.
        if (!obs.moved && !obs.waiting && !obs.held && now - t.lastProgressAt > env.rolloutTimeoutMs) {
          await this.failed(d, env, strategy, tracking, {
            kind: 'rollout.noProgress',
            seconds: Math.round(env.rolloutTimeoutMs / 1000),
            progress: obs.progress,
          });
          return;
        }
        if (sameJson(tracking, t)) return;
        const visible =
          !sameJson(tracking.progress, t.progress) ||
          tracking.waiting !== t.waiting ||
          tracking.waitingUntil !== t.waitingUntil ||
          !sameJson([tracking.stage, tracking.pause], [t.stage, t.pause]);
        const cur = await save(deps.store, d, { tracking }, now);
        this.opts.watchlist.set(cur);
        if (visible) await deps.notifier.show(cur);
        if (tracking.waiting !== undefined && tracking.waiting !== t.waiting) {
          const { approvers, allowSelfApproval } = env.policy;
          deps.notifier.announce?.(cur, {
            kind: 'continue_requested',
            approvers,
            waiting: tracking.waiting,
            selfAllowed: allowSelfApproval,
          });
        }
        return;
      }
      case 'succeeded':
        if (t.phase === 'rollout' && d.state === 'rolling_back') {
          // A bake decided to roll back a rollout AWS still shows done: the rollback goes on (again
          // after a restart cut it short), never a second bake.
          if (!this.rollingBack.has(d.id)) await this.rollBack(d, env, strategy, t, saidBefore(d) ?? '');
          return;
        }
        if (t.phase === 'rollout' && verifies(env) && this.opts.alarms) {
          this.opts.watchlist.set(await beginBake(deps, d, env, { ...t, data: obs.data }, obs.watched));
          return;
        }
        await this.finish(d, {
          state: t.phase === 'rollout' ? 'succeeded' : 'rolled_back',
          tracking: { ...t, data: obs.data },
        });
        return;
      case 'superseded':
        await this.finish(d, {
          state: 'superseded',
          tracking: { ...t, data: obs.data },
          ...why({ kind: 'rollout.superseded', by: obs.by, late: false }),
        });
        return;
      case 'missing':
      case 'unrecorded':
        await this.finish(d, {
          state: t.phase === 'rollout' ? 'failed' : 'rollback_failed',
          tracking: { ...t, data: obs.data },
          ...why({ kind: 'rollout.cannotFollow', cause: reported(obs.what) }),
        });
        return;
      case 'failed': {
        const tracking = { ...t, data: obs.data };
        if (obs.selfRollback?.kind === 'following' && t.phase === 'rollout') {
          const cur = await save(
            deps.store,
            d,
            {
              state: 'rolling_back',
              ...why(reported(obs.reason)),
              tracking: {
                phase: 'rollback',
                rolledBackBy: strategy.label,
                startedAt: now,
                lastProgressAt: now,
                data: obs.selfRollback.data,
              },
            },
            now,
          );
          this.opts.watchlist.set(cur);
          await deps.notifier.show(cur);
          return;
        }
        if (obs.selfRollback?.kind === 'done') {
          await this.finish(d, {
            state: 'failed',
            tracking,
            ...why({
              kind: 'rollout.putBack',
              cause: reported(obs.reason),
              by: strategy.label,
              runsNow: obs.selfRollback.runsNow,
            }),
          });
          return;
        }
        await this.failed(d, env, strategy, tracking, reported(obs.reason));
      }
    }
  }

  /** A failure Capstan must answer: the end of a rollback, a report, or its own rollback. */
  private async failed(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    tracking: Tracking,
    reason: Reported,
  ): Promise<void> {
    if (tracking.phase === 'rollback') {
      await this.finish(d, {
        state: 'rollback_failed',
        tracking,
        ...why({ kind: 'rollout.rollbackFailed', before: saidBefore(d), cause: reason }),
      });
      return;
    }
    if (env.rollback === 'manual') {
      await this.finish(d, {
        state: 'failed',
        tracking,
        ...why({ kind: 'rollout.manualRollback', app: env.app, env: env.name, cause: reason }),
      });
      return;
    }
    await this.rollBack(d, env, strategy, tracking, reason);
  }

  /** Redeploys the last version that succeeded here, according to the ledger. */
  private async rollBack(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    tracking: Tracking,
    reason: Reported,
  ): Promise<void> {
    if (this.rollingBack.has(d.id)) return;
    this.rollingBack.add(d.id);
    try {
      await this.rollBackOnce(d, env, strategy, tracking, reason);
    } finally {
      this.rollingBack.delete(d.id);
    }
  }

  private async rollBackOnce(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    tracking: Tracking,
    reason: Reported,
  ): Promise<void> {
    const deps = this.deps;
    const inPlace = await rollBackInPlace(deps, d, env, strategy, tracking, reason);
    if (inPlace) {
      this.opts.watchlist.set(inPlace);
      await deps.notifier.show(inPlace);
      return;
    }
    const good = (await deps.store.goodVersions(env.app, env.name, 5)).find((g) => g.version !== d.toVersion);
    if (!good) {
      await this.finish(d, {
        state: 'failed',
        tracking,
        ...why({ kind: 'rollout.noGoodVersion', cause: reason }),
      });
      return;
    }
    deps.notifier.detail(d, [{ kind: 'rollout.rollingBackTo', version: good.version }]);
    let cur = await save(
      deps.store,
      d,
      { state: 'rolling_back', ...why(reason), rollbackVersion: good.version, tracking },
      deps.clock.now(),
    );
    this.opts.watchlist.set(cur);
    await deps.notifier.show(cur);
    try {
      const requestId = `${d.id}-rollback`;
      const checked = await strategy.check(env, good.version, { rollingBack: true });
      const prepared = await strategy.prepare(env, {
        requestId,
        version: good.version,
        requestedBy: d.requestedBy,
        checked,
      });
      // Recorded before AWS changes: a process that dies inside the call leaves enough to reconcile it.
      cur = await save(
        deps.store,
        cur,
        { rollbackPlan: prepared.plan, applyingSince: deps.clock.now() },
        deps.clock.now(),
      );
      this.opts.watchlist.set(cur);
      const { started, failure } = await applyOrReconcile(deps, strategy, env, {
        requestId,
        version: good.version,
        plan: prepared.plan,
        actor: d.requestedBy,
      });
      if (!started) throw failure;
      this.opts.watchlist.remove(d.id);
      cur = (await deps.store.get(d.id)) ?? cur;
      await beginTracking(deps, cur, started, 'rollback', failure);
    } catch (e) {
      await this.finish(cur, {
        state: 'rollback_failed',
        ...why({ kind: 'rollout.rollbackNotStarted', cause: reason, error: errorReported(e) }),
      });
    }
  }

  private async finish(d: Deployment, change: Partial<Deployment>): Promise<void> {
    const deps = this.deps;
    const now = deps.clock.now();
    await this.ended(await save(deps.store, d, { ...change, finishedAt: now }, now), now);
  }

  /** What every ending does once it is in the ledger: stop following, count it, say it. */
  private async ended(cur: Deployment, now: number): Promise<void> {
    const deps = this.deps;
    this.opts.watchlist.remove(cur.id);
    this.opts.onFinished?.(cur, now);
    // The requester hears how it ended; a failure is told to the channel too.
    const shown = await showAndRecord(deps, cur);
    deps.notifier.announce?.(shown, { kind: 'outcome' });
    deps.logger.info('rollout finished', {
      id: cur.id,
      app: cur.app,
      env: cur.env,
      state: cur.state,
      cause: cur.cause ? factForLog(cur.cause) : cur.reason,
    });
  }
}
