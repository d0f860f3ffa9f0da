import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { factForLog } from '../../domain/facts/index.js';
import { reported } from '../../domain/reported.js';
import { errorMessage } from '../../lib/errors.js';
import type { Alarms } from '../../ports/alarms.js';
import type { Observation, TargetStrategy } from '../../targets/strategy.js';
import type { DeployDeps } from '../deploy.js';
import { saveInFlight, showAndRecord } from '../record.js';
import { beginBake, verifies } from '../verify/begin.js';
import { saidBefore, why } from './cause.js';
import { followingSelfRollback, lateEnding, outcomeUnknown } from './endings.js';
import { progressTracking, recordProgress, stall } from './progressed.js';
import { rollBackToGoodVersion } from './rollback.js';
import type { Watchlist } from './watchlist.js';

export interface OutcomeOptions {
  readonly watchlist: Watchlist;
  /**
   * Whether this replica still owns a deployment (renews its lease): checked before anything is
   * written or posted, so a replica that stalled past its lease cannot overwrite the new owner.
   */
  readonly stillOwns?: (id: string) => Promise<boolean>;
  /** Told of each ending as the tracker reaches it, before Slack shows it (metrics). */
  readonly onFinished?: (d: Deployment, at: number) => void;
  /** CloudWatch, for the bakes of environments that verify their rollouts (usecases/verify/). */
  readonly alarms?: Alarms | undefined;
}

/**
 * What each observation of a rollout means, by the rules that hold for every target: the deadline,
 * Capstan's own rollback, and what each ending means. Each ending is saved, then shown.
 */
export class RolloutOutcomes {
  /** Capstan's rollbacks being started in this process (a bake's runs beside the rollout looks). */
  private readonly rollingBack = new Set<string>();

  constructor(
    private readonly deps: DeployDeps,
    private readonly opts: OutcomeOptions,
  ) {}

  /** AWS could not be read past the deadline: say so, with the last thing seen, and keep checking. */
  async unreadable(d: Deployment, env: Environment, e: unknown): Promise<void> {
    const now = this.deps.clock.now();
    const t = d.tracking!;
    if (d.state === 'outcome_unknown' || now - t.lastProgressAt <= env.rolloutTimeoutMs) return;
    if (this.opts.stillOwns && !(await this.opts.stillOwns(d.id))) return this.opts.watchlist.remove(d.id);
    const cur = await saveInFlight(this.deps.store, d, outcomeUnknown(d, e, now), now);
    if (!cur) return;
    this.opts.watchlist.keep(cur);
    await showAndRecord(this.deps, cur);
    this.deps.logger.warn('rollout outcome unknown', { id: d.id, error: errorMessage(e) });
  }

  async apply(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    obs: Exclude<Observation, { kind: 'unreadable' }>,
  ): Promise<void> {
    // The instant of this look, read before anything is awaited.
    const now = this.deps.clock.now();
    const writes = obs.kind !== 'progress' || obs.moved || obs.lines.length > 0;
    if (writes && this.opts.stillOwns && !(await this.opts.stillOwns(d.id))) {
      this.opts.watchlist.remove(d.id);
      return;
    }
    if (obs.lines.length > 0) this.deps.notifier.detail(d, obs.lines);
    if (d.state === 'outcome_unknown') {
      // The truth arrived after "outcome unknown" was said: it replaces it.
      const ending = lateEnding(d, strategy, obs);
      if (ending) await this.finish(d, ending);
      return;
    }
    const t = d.tracking!;
    switch (obs.kind) {
      case 'progress': {
        const tracking = progressTracking(t, obs, now);
        const stalled = stall(env, t, obs, now);
        if (stalled) await this.failed(d, env, strategy, tracking, stalled);
        else await recordProgress(this.deps, this.opts.watchlist, d, env, tracking, now);
        return;
      }
      case 'succeeded':
        return this.succeeded(d, env, strategy, obs);
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
      case 'failed':
        return this.reportedFailure(d, env, strategy, obs, now);
    }
  }

  private async succeeded(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    obs: Extract<Observation, { kind: 'succeeded' }>,
  ): Promise<void> {
    const t = d.tracking!;
    if (t.phase === 'rollout' && d.state === 'rolling_back') {
      // A bake decided to roll back a rollout AWS still shows done: the rollback goes on (again
      // after a restart cut it short), never a second bake.
      if (!this.rollingBack.has(d.id)) await this.rollBack(d, env, strategy, t, saidBefore(d) ?? '');
      return;
    }
    if (t.phase === 'rollout' && verifies(env) && this.opts.alarms) {
      const baking = await beginBake(this.deps, d, env, { ...t, data: obs.data }, obs.watched);
      if (baking) this.opts.watchlist.set(baking);
      return;
    }
    await this.finish(d, {
      state: t.phase === 'rollout' ? 'succeeded' : 'rolled_back',
      tracking: { ...t, data: obs.data },
    });
  }

  /** The target reports a failure: it follows its own rollback, has done one, or Capstan answers it. */
  private async reportedFailure(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    obs: Extract<Observation, { kind: 'failed' }>,
    now: number,
  ): Promise<void> {
    const deps = this.deps;
    const t = d.tracking!;
    const tracking = { ...t, data: obs.data };
    if (obs.selfRollback?.kind === 'following' && t.phase === 'rollout') {
      const change = followingSelfRollback(strategy, obs, obs.selfRollback.data, now);
      const cur = await saveInFlight(deps.store, d, change, now);
      if (!cur) return;
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
  async rollBack(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    tracking: Tracking,
    reason: Reported,
  ): Promise<void> {
    if (this.rollingBack.has(d.id)) return;
    this.rollingBack.add(d.id);
    try {
      await rollBackToGoodVersion(
        this.deps,
        this.opts.watchlist,
        (cur, change) => this.finish(cur, change),
        d,
        env,
        strategy,
        tracking,
        reason,
      );
    } finally {
      this.rollingBack.delete(d.id);
    }
  }

  private async finish(d: Deployment, change: Partial<Deployment>): Promise<void> {
    const deps = this.deps;
    const now = deps.clock.now();
    const cur = await saveInFlight(deps.store, d, { ...change, finishedAt: now }, now);
    // Moved on meanwhile (another replica ended it while this one stalled): what was decided stands.
    if (!cur) return;
    await this.ended(cur, now);
  }

  /** What every ending does once it is in the ledger: stop following, count it, say it. */
  async ended(cur: Deployment, now: number): Promise<void> {
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
