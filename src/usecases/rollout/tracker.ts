import type { Catalog, Environment } from '../../domain/catalog.js';
import { findEnvironment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import { isCapstanError } from '../../domain/errors.js';
import { errorMessage } from '../../lib/errors.js';
import { escapeMrkdwn } from '../../lib/mrkdwn.js';
import type { Observation, TargetStrategy } from '../../targets/strategy.js';
import type { DeployDeps } from '../deploy.js';
import { beginTracking } from '../execute.js';
import { save, showAndRecord } from '../record.js';
import type { Watchlist } from './watchlist.js';

export interface TrackerOptions {
  readonly catalog: Catalog;
  readonly watchlist: Watchlist;
  /** How long a poll group that failed waits at most before it is asked again. */
  readonly maxBackoffMs: number;
  readonly intervalMs: number;
  readonly random?: () => number;
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

  constructor(
    private readonly deps: DeployDeps,
    private readonly opts: TrackerOptions,
  ) {}

  get size(): number {
    return this.opts.watchlist.size;
  }

  /** Starts a look at every group that is neither busy nor backing off; resolves when those looks are done. */
  tick(): Promise<void> {
    const now = this.deps.clock.now();
    const groups = new Map<string, Group>();
    for (const d of this.opts.watchlist.values()) {
      const env = findEnvironment(this.opts.catalog, d.app, d.env);
      if (!env || !d.tracking) {
        this.opts.watchlist.remove(d.id);
        continue;
      }
      const strategy = this.deps.targets.for(env);
      const key = strategy.pollGroup(env);
      if (this.busy.has(key) || (this.backoff.get(key)?.until ?? 0) > now) continue;
      const g = groups.get(key) ?? { strategy, items: [] };
      g.items.push({ d, env });
      groups.set(key, g);
    }
    return Promise.all([...groups].map(([key, g]) => this.poll(key, g))).then(() => undefined);
  }

  private async poll(key: string, g: Group): Promise<void> {
    this.busy.add(key);
    try {
      let observations: ReadonlyMap<string, Observation>;
      try {
        observations = await g.strategy.observe(
          g.items.map(({ d, env }) => ({
            id: d.id,
            env,
            phase: d.tracking!.phase,
            data: d.tracking!.data,
            startedAt: d.tracking!.startedAt,
          })),
        );
        this.backoff.delete(key);
      } catch (e) {
        this.backOff(key, e);
        return;
      }
      await Promise.all(
        g.items.map(async ({ d, env }) => {
          const obs = observations.get(d.id);
          if (!obs) return;
          try {
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

  private async apply(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    obs: Observation,
  ): Promise<void> {
    const deps = this.deps;
    const now = deps.clock.now();
    const t = d.tracking!;
    if (obs.lines.length > 0) deps.notifier.detail(d, obs.lines);
    switch (obs.kind) {
      case 'progress': {
        const tracking: Tracking = {
          ...t,
          data: obs.data,
          progress: obs.progress,
          waiting: obs.waiting,
          lastProgressAt: obs.moved || obs.waiting !== t.waiting ? now : t.lastProgressAt,
        };
        // A rollout waiting for people is not stalled: the target's own wait setting bounds it.
        if (!obs.moved && !obs.waiting && now - t.lastProgressAt > env.rolloutTimeoutMs) {
          const done = obs.progress ? ` (${obs.progress.done}/${obs.progress.total} done)` : '';
          await this.failed(
            d,
            env,
            strategy,
            tracking,
            `no progress for ${Math.round(env.rolloutTimeoutMs / 1000)}s${done}`,
          );
          return;
        }
        if (JSON.stringify(tracking) === JSON.stringify(t)) return;
        const visible =
          JSON.stringify(tracking.progress) !== JSON.stringify(t.progress) || tracking.waiting !== t.waiting;
        const cur = await save(deps.store, d, { tracking }, now);
        this.opts.watchlist.set(cur);
        if (visible) await deps.notifier.show(cur);
        return;
      }
      case 'succeeded':
        await this.finish(d, {
          state: t.phase === 'rollout' ? 'succeeded' : 'rolled_back',
          tracking: { ...t, data: obs.data },
        });
        return;
      case 'superseded':
        await this.finish(d, {
          state: 'superseded',
          tracking: { ...t, data: obs.data },
          reason: `Superseded by ${obs.by}: someone else's change replaced this one, so Capstan did not roll back over it.`,
        });
        return;
      case 'missing':
        await this.finish(d, {
          state: t.phase === 'rollout' ? 'failed' : 'rollback_failed',
          tracking: { ...t, data: obs.data },
          reason: `${obs.what}.`,
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
              reason: obs.reason,
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
            reason: `${obs.reason}${obs.selfRollback.runsNow ? `; ${strategy.label} put \`${escapeMrkdwn(obs.selfRollback.runsNow)}\` back` : ''}`,
          });
          return;
        }
        await this.failed(d, env, strategy, tracking, obs.reason);
      }
    }
  }

  /** A failure Capstan must answer: the end of a rollback, a report, or its own rollback. */
  private async failed(
    d: Deployment,
    env: Environment,
    strategy: TargetStrategy,
    tracking: Tracking,
    reason: string,
  ): Promise<void> {
    if (tracking.phase === 'rollback') {
      await this.finish(d, {
        state: 'rollback_failed',
        tracking,
        reason: `${d.reason ? `${d.reason}; ` : ''}the rollback failed too: ${reason}`,
      });
      return;
    }
    if (env.rollback === 'manual') {
      await this.finish(d, {
        state: 'failed',
        tracking,
        reason: `${reason}. Automatic rollback is off here: \`/deploy rollback ${env.app} ${env.name}\`.`,
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
    reason: string,
  ): Promise<void> {
    const deps = this.deps;
    const good = (await deps.store.goodVersions(env.app, env.name, 5)).find((g) => g.version !== d.toVersion);
    if (!good) {
      await this.finish(d, {
        state: 'failed',
        tracking,
        reason: `${reason}. Capstan knows no earlier good version here, so it did not roll back.`,
      });
      return;
    }
    deps.notifier.detail(d, [
      `:rewind: Rolling back to \`${escapeMrkdwn(good.version)}\`, the last version that succeeded here.`,
    ]);
    let cur = await save(
      deps.store,
      d,
      { state: 'rolling_back', reason, rollbackVersion: good.version, tracking },
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
      const started = await strategy.apply(env, {
        requestId,
        version: good.version,
        plan: prepared.plan,
        actor: d.requestedBy,
      });
      this.opts.watchlist.remove(d.id);
      cur = (await deps.store.get(d.id)) ?? cur;
      await beginTracking(deps, cur, started, 'rollback');
    } catch (e) {
      await this.finish(cur, {
        state: 'rollback_failed',
        reason: `${reason}; starting the rollback failed: ${errorMessage(e)}`,
      });
    }
  }

  private async finish(d: Deployment, change: Partial<Deployment>): Promise<void> {
    const deps = this.deps;
    const now = deps.clock.now();
    const cur = await save(deps.store, d, { ...change, finishedAt: now }, now);
    this.opts.watchlist.remove(d.id);
    await showAndRecord(deps, cur);
    deps.logger.info('rollout finished', {
      id: cur.id,
      app: cur.app,
      env: cur.env,
      state: cur.state,
      reason: cur.reason,
    });
  }
}
