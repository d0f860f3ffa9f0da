import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { factForLog } from '../../domain/facts/index.js';
import { errorReported, reported } from '../../domain/reported.js';
import { errorMessage } from '../../lib/errors.js';
import { sameJson } from '../../lib/sameJson.js';
import type { Alarms } from '../../ports/alarms.js';
import type { Observation, TargetStrategy } from '../../targets/strategy.js';
import type { DeployDeps } from '../deploy.js';
import { save, showAndRecord } from '../record.js';
import { beginBake, verifies } from '../verify/begin.js';
import { saidBefore, why } from './cause.js';
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

  async apply(
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
    await this.ended(await save(deps.store, d, { ...change, finishedAt: now }, now), now);
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
