import type { Catalog, EcsTarget, Environment } from '../../domain/catalog.js';
import { findEnvironment } from '../../domain/catalog.js';
import type { Deployment, EcsWatch } from '../../domain/deployment.js';
import { isTerminal } from '../../domain/deployment.js';
import { isCapstanError } from '../../domain/errors.js';
import { errorMessage } from '../../lib/errors.js';
import { PollLoop } from '../../lib/pollLoop.js';
import type { EcsService } from '../../ports/ecs.js';
import { type DeployDeps, planEcsDeploy, save, showAndRecord } from '../deploy.js';
import { evaluate, newWatch, type Observation, revisionOf } from './evaluate.js';

export interface TrackerOptions {
  readonly catalog: Catalog;
  /** How often one deployment is polled. */
  readonly intervalMs: number;
  readonly maxBackoffMs?: number;
  readonly random?: () => number;
}

interface Watched {
  d: Deployment;
  busy: boolean;
}

/**
 * One poller for every rollout in flight. Each tick groups the watched services by cluster and
 * asks ECS about up to 10 of them per DescribeServices call; a throttled cluster backs off with
 * jitter while the others carry on.
 */
export class RolloutTracker {
  private readonly watched = new Map<string, Watched>();
  private readonly backoff = new Map<string, { until: number; delay: number }>();
  private readonly loop: PollLoop;
  private deps!: DeployDeps;

  constructor(private readonly opts: TrackerOptions) {
    this.loop = new PollLoop(
      opts.intervalMs,
      () => this.tick(),
      (e) => this.deps.logger.error('rollout poll failed', { error: errorMessage(e) }),
    );
  }

  bind(deps: DeployDeps): void {
    this.deps = deps;
  }

  get size(): number {
    return this.watched.size;
  }

  follow(d: Deployment): void {
    if (isTerminal(d.state) || !d.watch) return;
    this.watched.set(d.id, { d, busy: false });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One polling round over every watched rollout. */
  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    const groups = new Map<
      string,
      { target: EcsTarget; items: { w: Watched; env: Environment; target: EcsTarget }[] }
    >();
    for (const w of this.watched.values()) {
      if (w.busy) continue;
      const env = findEnvironment(this.opts.catalog, w.d.app, w.d.env);
      if (!env || env.target.kind !== 'ecs') {
        this.watched.delete(w.d.id);
        continue;
      }
      const key = `${env.target.region}|${env.target.cluster}`;
      const b = this.backoff.get(key);
      if (b && b.until > now) continue;
      const g = groups.get(key) ?? { target: env.target, items: [] };
      g.items.push({ w, env, target: env.target });
      groups.set(key, g);
    }
    const calls: Promise<void>[] = [];
    for (const [key, g] of groups) {
      const names = [...new Set(g.items.map((i) => i.target.service))];
      for (let i = 0; i < names.length; i += 10) {
        const batch = names.slice(i, i + 10);
        calls.push(
          this.pollBatch(
            key,
            g.target,
            batch,
            g.items.filter((it) => batch.includes(it.target.service)),
          ),
        );
      }
    }
    await Promise.all(calls);
  }

  private async pollBatch(
    key: string,
    target: EcsTarget,
    services: string[],
    items: { w: Watched; env: Environment }[],
  ): Promise<void> {
    let result;
    try {
      result = await this.deps.ecs.describeServices(target, services);
      this.backoff.delete(key);
    } catch (e) {
      const prev = this.backoff.get(key)?.delay ?? this.opts.intervalMs;
      const delay = Math.min(prev * 2, this.opts.maxBackoffMs ?? 60_000);
      const jitter = delay * (0.5 + (this.opts.random ?? Math.random)() * 0.5);
      this.backoff.set(key, { until: this.deps.clock.now() + jitter, delay });
      this.deps.logger.warn('DescribeServices failed; backing off', {
        cluster: target.cluster,
        delayMs: Math.round(jitter),
        error: errorMessage(e),
        throttled: isCapstanError(e) && e.code === 'throttled',
      });
      return;
    }
    const byName = new Map(result.services.map((s) => [s.name, s]));
    await Promise.all(
      items.map(async ({ w, env }) => {
        const service = byName.get(env.target.kind === 'ecs' ? env.target.service : '');
        w.busy = true;
        try {
          if (service) await this.observe(w, env, service);
        } catch (e) {
          this.deps.logger.error('could not process a rollout observation', {
            id: w.d.id,
            error: errorMessage(e),
          });
        } finally {
          w.busy = false;
        }
      }),
    );
  }

  private async observe(w: Watched, env: Environment, service: EcsService): Promise<void> {
    const watch = w.d.watch;
    if (!watch) return;
    const now = this.deps.clock.now();
    const obs = evaluate(service, watch, now, env.rolloutTimeoutMs);
    const lines = obs.events.map((e) => `:information_source: ${e}`);
    if (obs.kind !== 'succeeded' && obs.tasksStopped)
      lines.push(...(await this.stoppedTaskLines(w, env, obs.watch)));
    if (lines.length > 0) this.deps.notifier.detail(w.d, lines);
    await this.apply(w, env, obs, watch);
  }

  private async stoppedTaskLines(w: Watched, env: Environment, watch: EcsWatch): Promise<string[]> {
    const target = env.target as EcsTarget;
    try {
      const tasks = await this.deps.ecs.stoppedTasks(target, target.service, watch.taskDefinitionArn);
      const fresh = tasks.filter((t) => !watch.seenStoppedTasks.includes(t.arn));
      w.d = {
        ...w.d,
        watch: {
          ...watch,
          seenStoppedTasks: [...watch.seenStoppedTasks, ...fresh.map((t) => t.arn)].slice(-50),
        },
      };
      return fresh.map((t) => {
        const containers = t.containers.filter(
          (c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0),
        );
        const detail = containers
          .map((c) => `${c.name}: ${c.reason ?? `exit code ${c.exitCode}`}`)
          .join('; ');
        return `:x: Task \`${t.arn.split('/').pop()}\` stopped: ${t.stoppedReason ?? 'no reason given'}${detail ? ` (${detail})` : ''}`;
      });
    } catch (e) {
      return [`:warning: Could not read stopped tasks: ${errorMessage(e)}`];
    }
  }

  private async apply(w: Watched, env: Environment, obs: Observation, before: EcsWatch): Promise<void> {
    const deps = this.deps;
    const now = deps.clock.now();
    const watch = {
      ...obs.watch,
      seenStoppedTasks: w.d.watch?.seenStoppedTasks ?? obs.watch.seenStoppedTasks,
    };
    if (obs.kind === 'progress') {
      const changed = JSON.stringify(watch) !== JSON.stringify(before);
      if (!changed) return;
      const visible =
        watch.running !== before.running ||
        watch.desired !== before.desired ||
        watch.ecsDeploymentId !== before.ecsDeploymentId;
      w.d = await save(deps.store, w.d, { watch }, now);
      if (visible) await deps.notifier.show(w.d);
      return;
    }
    if (obs.kind === 'succeeded') {
      const state = watch.phase === 'rollout' ? 'succeeded' : 'rolled_back';
      await this.finish(w, { state, watch, finishedAt: now });
      return;
    }
    // Failed.
    if (watch.phase === 'rollback') {
      await this.finish(w, {
        state: 'rollback_failed',
        watch,
        finishedAt: now,
        reason: `${w.d.reason ?? ''}; the rollback failed too: ${obs.reason}`.replace(/^; /, ''),
      });
      return;
    }
    if (obs.ecsRollback) {
      const ecsWatch = {
        ...newWatch(
          'rollback',
          obs.ecsRollback.taskDefinitionArn ?? watch.taskDefinitionArn,
          obs.ecsRollback.deploymentId,
          now,
          true,
        ),
        lastEventAt: watch.lastEventAt,
      };
      deps.notifier.detail(w.d, [
        `:rewind: ECS is rolling back by itself (${obs.reason}). Capstan follows that rollback and does not start another.`,
      ]);
      w.d = await save(deps.store, w.d, { state: 'rolling_back', reason: obs.reason, watch: ecsWatch }, now);
      await deps.notifier.show(w.d);
      return;
    }
    if (env.rollback === 'manual') {
      await this.finish(w, {
        state: 'failed',
        reason: `${obs.reason}. Automatic rollback is off here: \`/deploy rollback ${env.app} ${env.name}\`.`,
        watch,
        finishedAt: now,
      });
      return;
    }
    await this.autoRollback(w, env, obs.reason, watch);
  }

  private async autoRollback(w: Watched, env: Environment, reason: string, watch: EcsWatch): Promise<void> {
    const deps = this.deps;
    const now = deps.clock.now();
    const good = (await deps.store.goodVersions(env.app, env.name, 5)).find(
      (g) => g.version !== w.d.toVersion,
    );
    if (!good) {
      await this.finish(w, {
        state: 'failed',
        reason: `${reason}. Capstan knows no earlier good version here, so it did not roll back.`,
        watch,
        finishedAt: now,
      });
      return;
    }
    deps.notifier.detail(w.d, [
      `:rewind: Rolling back to \`${good.version}\`, the last version that succeeded here.`,
    ]);
    w.d = await save(
      deps.store,
      w.d,
      { state: 'rolling_back', reason, rollbackVersion: good.version, watch },
      now,
    );
    await deps.notifier.show(w.d);
    try {
      const plan = await planEcsDeploy(deps, env, good.version, w.d.requestedBy, { checkIdle: false });
      const arn = await deps.ecs.registerTaskDefinition(plan.target.region, plan.next);
      const deploymentId = await deps.ecs.updateService(plan.target, plan.target.service, arn);
      deps.notifier.detail(w.d, [
        `Rollback: registered \`${revisionOf(arn)}\`; ECS deployment \`${deploymentId}\` started.`,
      ]);
      w.d = await save(
        deps.store,
        w.d,
        {
          watch: {
            ...newWatch('rollback', arn, deploymentId, deps.clock.now()),
            lastEventAt: watch.lastEventAt,
          },
        },
        deps.clock.now(),
      );
    } catch (e) {
      await this.finish(w, {
        state: 'rollback_failed',
        reason: `${reason}; starting the rollback failed: ${errorMessage(e)}`,
        finishedAt: deps.clock.now(),
      });
    }
  }

  private async finish(w: Watched, change: Partial<Deployment>): Promise<void> {
    const deps = this.deps;
    w.d = await save(deps.store, w.d, change, deps.clock.now());
    this.watched.delete(w.d.id);
    await showAndRecord(deps, w.d);
    deps.logger.info('rollout finished', {
      id: w.d.id,
      app: w.d.app,
      env: w.d.env,
      state: w.d.state,
      reason: w.d.reason,
    });
  }
}
