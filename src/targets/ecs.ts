import type { EcsTarget, Environment } from '../domain/catalog.js';
import { CapstanError, isCapstanError } from '../domain/errors.js';
import {
  ContainerNotFound,
  READ_ONLY_MEMBERS,
  type TaskDefinitionDocument,
  containerImage,
  diffTaskDefinitions,
  nextRevision,
  runningVersion,
} from '../domain/taskDefinition.js';
import { parseImage } from '../domain/version.js';
import { errorMessage } from '../lib/errors.js';
import { escapeMrkdwn } from '../lib/mrkdwn.js';
import type { Ecs, EcsService, StoppedTask } from '../ports/ecs.js';
import type { ImageDetails, Registry } from '../ports/registry.js';
import {
  type EcsTrack,
  REPEATED_FAILURES,
  evaluate,
  newTrack,
  progressOf,
  revisionOf,
} from './ecs/evaluate.js';
import { observeEach, unreadable } from './each.js';
import { requireImage } from './image.js';
import type { AwsEvent, Observation, Reading, Started, TargetStrategy } from './strategy.js';

export interface EcsStrategyDeps {
  readonly ecs: Ecs;
  readonly registry: Registry;
  readonly now: () => number;
}

/** What apply() registers and points the service at, exactly as reviewed. */
interface EcsPlan {
  readonly next: TaskDefinitionDocument;
  /** The revision the service ran when the plan was made: apply refuses if that changed. */
  readonly currentArn: string;
  readonly image: string;
}

interface EcsContext {
  readonly service: EcsService;
  readonly current: TaskDefinitionDocument;
  readonly image: ImageDetails;
}

const EVENTS_IN_DETAIL = 5;

export function ecsOf(env: Environment): EcsTarget {
  if (env.target.kind !== 'ecs') throw new Error(`${env.app}/${env.name} is not an ECS environment`);
  return env.target;
}

export function serviceConsoleUrl(t: EcsTarget): string {
  const host = t.region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  return `https://${host}/ecs/v2/clusters/${encodeURIComponent(t.cluster)}/services/${encodeURIComponent(t.service)}/deployments?region=${t.region}`;
}

/** An ECS service rolled out by UpdateService, followed by deployment id. */
export function createEcsStrategy(deps: EcsStrategyDeps): TargetStrategy {
  const { ecs } = deps;
  /** Looks at each followed rollout, to read stopped tasks every few looks while tasks are missing. */
  const looks = new Map<string, number>();

  async function readService(t: EcsTarget): Promise<EcsService> {
    const described = await ecs.describeServices(t, [t.service]);
    const service = described.services[0];
    if (!service) {
      throw new CapstanError(
        'not_found',
        `ECS service ${t.service} was not found in cluster ${t.cluster} (${t.region}).`,
      );
    }
    if (service.status !== 'ACTIVE')
      throw new CapstanError('invalid_state', `ECS service ${t.service} is ${service.status}, not ACTIVE.`);
    return service;
  }

  function revision(t: EcsTarget, ctx: EcsContext, version: string, requestedBy: string) {
    try {
      return nextRevision(ctx.current, {
        container: t.container,
        image: `${ctx.image.repositoryUri}@${ctx.image.digest}`,
        version,
        requestedBy,
      });
    } catch (e) {
      if (e instanceof ContainerNotFound) {
        throw new CapstanError(
          'invalid_state',
          `Task definition ${ctx.service.taskDefinition} has no container "${e.container}" (it has ${e.available.join(', ')}); fix \`container\` in capstan.yml.`,
        );
      }
      throw e;
    }
  }

  async function started(t: EcsTarget, arn: string, deploymentId: string, previous: string, image: string) {
    return {
      data: newTrack(arn, deploymentId, deps.now(), previous),
      lines: [
        `Registered \`${revisionOf(arn)}\` with \`${escapeMrkdwn(image.split('/').pop() ?? image)}\`; ECS deployment \`${deploymentId}\` started on service \`${escapeMrkdwn(t.service)}\`.`,
      ],
    } satisfies Started;
  }

  return {
    label: 'ECS',
    describe(env) {
      const t = ecsOf(env);
      return `ECS service ${t.service} in cluster ${t.cluster} (${t.region})`;
    },
    pollGroup(env) {
      const t = ecsOf(env);
      return `ecs|${t.region}|${t.cluster}`;
    },

    async check(env, version, options) {
      const t = ecsOf(env);
      const [image, clusterStatus, service] = await Promise.all([
        requireImage(deps.registry, t.region, t.repository, version),
        ecs.clusterStatus(t),
        readService(t),
      ]);
      if (clusterStatus !== 'ACTIVE') {
        throw new CapstanError(
          'invalid_state',
          `ECS cluster ${t.cluster} (${t.region}) is ${clusterStatus ?? 'missing'}, not ACTIVE.`,
        );
      }
      const busy = service.deployments.find((d) => d.rolloutState === 'IN_PROGRESS');
      if (busy && !options?.rollingBack) {
        throw new CapstanError(
          'conflict',
          `ECS service ${t.service} is already rolling out ${busy.id}; wait until it finishes.`,
        );
      }
      // The revision the service runs now, not the newest one in the family.
      const current = await ecs.describeTaskDefinition(t.region, service.taskDefinition);
      const ctx: EcsContext = { service, current, image };
      revision(t, ctx, version, 'check'); // refuses a missing container before anything is recorded
      return { fromVersion: runningVersion(current, t.container), digest: image.digest, context: ctx };
    },

    async prepare(env, req) {
      const t = ecsOf(env);
      const ctx =
        (req.checked.context as EcsContext | undefined) ??
        ((await this.check(env, req.version)).context as EcsContext);
      const next = revision(t, ctx, req.version, req.requestedBy);
      const image = `${ctx.image.repositoryUri}@${ctx.image.digest}`;
      // Read-only members (revision, registeredAt…) are not differences anyone asked for.
      const before: Record<string, unknown> = { ...ctx.current.taskDefinition };
      for (const m of READ_ONLY_MEMBERS) delete before[m];
      const lines = diffTaskDefinitions(before, next.taskDefinition);
      const plan: EcsPlan = { next, currentArn: ctx.service.taskDefinition, image };
      return {
        plan,
        unchanged: containerImage(ctx.current.taskDefinition, t.container) === image,
        review: {
          diff: { title: 'Task definition changes', lines },
          link: { label: `ECS service ${t.service}`, url: serviceConsoleUrl(t) },
        },
      };
    },

    async discard() {
      // Nothing is registered before apply().
    },

    async apply(env, req) {
      const t = ecsOf(env);
      const plan = req.plan as EcsPlan;
      const service = await readService(t);
      if (service.taskDefinition !== plan.currentArn) {
        throw new CapstanError(
          'conflict',
          `ECS service ${t.service} changed since this was reviewed: it now runs ${revisionOf(service.taskDefinition)}, not ${revisionOf(plan.currentArn)}. Request the deploy again.`,
        );
      }
      const arn = await ecs.registerTaskDefinition(t.region, plan.next);
      const deploymentId = await ecs.updateService(t, t.service, arn);
      return started(t, arn, deploymentId, plan.currentArn, plan.image);
    },

    async reconcile(env, req) {
      const t = ecsOf(env);
      const plan = req.plan as EcsPlan;
      const service = await readService(t);
      // Capstan's revision carries the request's image and tags; a deployment of it means the update took effect.
      // Newest first: a rollback's image is also the image of the old deployment still draining.
      const newestFirst = [...service.deployments].sort(
        (a, b) =>
          Number(b.status === 'PRIMARY') - Number(a.status === 'PRIMARY') ||
          (b.createdAt ?? 0) - (a.createdAt ?? 0),
      );
      for (const dep of newestFirst) {
        if (dep.taskDefinition === plan.currentArn) continue;
        const doc = await ecs.describeTaskDefinition(t.region, dep.taskDefinition);
        if (containerImage(doc.taskDefinition, t.container) === plan.image)
          return started(t, dep.taskDefinition, dep.id, plan.currentArn, plan.image);
      }
      return undefined;
    },

    async observe(items) {
      const out = new Map<string, Observation>();
      const first = items[0];
      if (!first) return out;
      const loc = ecsOf(first.env);
      const names = [...new Set(items.map((i) => ecsOf(i.env).service))];
      /** A service, or the error of the call that should have described it. */
      const found = new Map<string, EcsService | { readonly error: unknown }>();
      const batches: string[][] = [];
      for (let i = 0; i < names.length; i += 10) batches.push(names.slice(i, i + 10));
      let failures = 0;
      for (const batch of batches) {
        try {
          const r = await ecs.describeServices(loc, batch);
          for (const s of r.services) found.set(s.name, s);
          for (const f of r.failed ?? []) {
            const error = new CapstanError(
              'upstream',
              `ECS could not describe service ${f.name} in cluster ${loc.cluster} (${loc.region}): ${f.reason}`,
            );
            found.set(f.name, { error });
          }
        } catch (e) {
          // A deleted cluster ends its rollouts; any other error is the error of this batch's services.
          if (isCapstanError(e) && e.code === 'not_found') {
            const what = `ECS cluster ${loc.cluster} (${loc.region}) no longer exists`;
            for (const item of items) out.set(item.id, { kind: 'missing', data: item.data, lines: [], what });
            return out;
          }
          // Throttled or denied for the whole cluster: the look as a whole failed and backs off.
          if (++failures === batches.length) throw e;
          for (const n of batch) found.set(n, { error: e });
        }
      }
      const judged = await observeEach(items, async (item): Promise<Observation> => {
        const t = ecsOf(item.env);
        const track = item.data as EcsTrack;
        const service = found.get(t.service);
        if (service && 'error' in service) return unreadable(item, service.error);
        if (!service || service.status !== 'ACTIVE') {
          return {
            kind: 'missing',
            data: track,
            lines: [],
            what: `ECS service ${t.service} in cluster ${t.cluster} (${t.region}) ${service ? `is ${service.status}` : 'no longer exists'}`,
          };
        }
        const look = evaluate(service, track, item.phase);
        const j = look.judgement;
        const lines = look.events.map((e) => `:information_source: ${escapeMrkdwn(e)}`);
        let data: EcsTrack = j.track;
        // Counted in memory, not in the ledger: a count that changed every look would be a write every look.
        const n = (looks.get(item.id) ?? 0) + 1;
        if (j.kind === 'progress') looks.set(item.id, n);
        else looks.delete(item.id);
        // ECS stops counting failedTasks once a task has run, so a crash loop shows in stopped tasks:
        // read them when failures are counted, every few looks while tasks are missing, and for the
        // cause of a failure not known yet.
        const short = j.kind === 'progress' && data.running < data.desired;
        const causeWanted = j.kind === 'failed' && data.stopCause === undefined;
        if (j.kind !== 'succeeded' && (look.tasksStopped || (short && n % 4 === 0) || causeWanted)) {
          const stopped = await stoppedTaskLines(t, data);
          data = stopped.track;
          lines.push(...stopped.lines);
        }
        // A circuit breaker decides only on tasks it counts; tasks that ran and then exited it does not.
        const crashLoop =
          j.kind === 'progress' &&
          (!service.circuitBreaker.enable || data.failedTasks === 0) &&
          data.running < data.desired &&
          (data.crashes ?? 0) >= REPEATED_FAILURES;
        if (crashLoop) {
          const keeps = `containers of the new revision keep exiting (${data.crashes} tasks stopped)`;
          return {
            kind: 'failed',
            data,
            lines,
            reason: data.stopCause ? `${data.stopCause}: ${keeps}` : keeps,
          };
        }
        return toObservation(j, data, lines);
      });
      for (const [id, obs] of judged) out.set(id, obs);
      return out;
    },

    async read(envs, detail) {
      const out = new Map<Environment, Reading | Error>();
      const byCluster = new Map<string, Environment[]>();
      for (const e of envs) {
        const k = this.pollGroup(e);
        byCluster.set(k, [...(byCluster.get(k) ?? []), e]);
      }
      await Promise.all(
        [...byCluster.values()].map(async (group) => {
          const loc = ecsOf(group[0]!);
          const names = [...new Set(group.map((e) => ecsOf(e).service))];
          const services = new Map<string, EcsService | Error>();
          for (let i = 0; i < names.length; i += 10) {
            const batch = names.slice(i, i + 10);
            try {
              const r = await ecs.describeServices(loc, batch);
              for (const s of r.services) services.set(s.name, s);
              for (const f of r.failed ?? [])
                services.set(f.name, new Error(`ECS could not describe service ${f.name}: ${f.reason}`));
            } catch (e) {
              for (const n of batch) services.set(n, e instanceof Error ? e : new Error(String(e)));
            }
          }
          await Promise.all(
            group.map(async (env) => {
              const t = ecsOf(env);
              const s = services.get(t.service);
              if (s === undefined) {
                out.set(
                  env,
                  new Error(`ECS service ${t.service} was not found in cluster ${t.cluster} (${t.region}).`),
                );
                return;
              }
              if (s instanceof Error) {
                out.set(env, s);
                return;
              }
              try {
                out.set(env, await readingOf(t, s, detail));
              } catch (e) {
                out.set(env, e instanceof Error ? e : new Error(errorMessage(e)));
              }
            }),
          );
        }),
      );
      return out;
    },

    async running(env) {
      const t = ecsOf(env);
      const service = await readService(t);
      return runningVersion(await ecs.describeTaskDefinition(t.region, service.taskDefinition), t.container);
    },

    eventGroups: ecsEventGroups,
  };

  async function readingOf(t: EcsTarget, s: EcsService, detail: boolean): Promise<Reading> {
    const primary = s.deployments.find((d) => d.status === 'PRIMARY');
    const td = await ecs.describeTaskDefinition(t.region, primary?.taskDefinition ?? s.taskDefinition);
    const image = containerImage(td.taskDefinition, t.container);
    return {
      version: runningVersion(td, t.container),
      digest: image ? parseImage(image).digest : undefined,
      state: s.status,
      facts: [
        `tasks ${s.runningCount}/${s.desiredCount} running${s.pendingCount ? `, ${s.pendingCount} pending` : ''}`,
      ],
      inProgress: s.deployments.length > 1 || s.deployments.some((d) => d.rolloutState === 'IN_PROGRESS'),
      changedAt: primary?.updatedAt ?? primary?.createdAt,
      events: detail
        ? s.events.slice(0, EVENTS_IN_DETAIL).map((e) => ({ at: e.at, message: e.message }))
        : [],
      consoleUrl: serviceConsoleUrl(t),
    };
  }

  async function stoppedTaskLines(
    t: EcsTarget,
    track: EcsTrack,
  ): Promise<{ track: EcsTrack; lines: string[] }> {
    try {
      const tasks = await ecs.stoppedTasks(t, t.service, track.taskDefinitionArn);
      const fresh = tasks.filter((x) => !track.seenStoppedTasks.includes(x.arn));
      const newest = [...fresh].sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))[0];
      const crashed = fresh.filter((x) =>
        x.containers.some((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0)),
      ).length;
      return {
        track: {
          ...track,
          seenStoppedTasks: [...track.seenStoppedTasks, ...fresh.map((x) => x.arn)].slice(-50),
          crashes: (track.crashes ?? 0) + crashed,
          stopCause: newest ? stopCauseOf(newest) : track.stopCause,
        },
        lines: fresh.map(
          (x) =>
            `:x: Task \`${escapeMrkdwn(x.arn.split('/').pop() ?? x.arn)}\` stopped: ${escapeMrkdwn(stopCauseOf(x))}`,
        ),
      };
    } catch (e) {
      return { track, lines: [`:warning: Could not read stopped tasks: ${escapeMrkdwn(errorMessage(e))}`] };
    }
  }

  function toObservation(
    j: ReturnType<typeof evaluate>['judgement'],
    data: EcsTrack,
    lines: string[],
  ): Observation {
    switch (j.kind) {
      case 'progress':
        return { kind: 'progress', data, lines, progress: progressOf(data), moved: j.moved };
      case 'succeeded':
        return { kind: 'succeeded', data, lines };
      case 'superseded':
        return { kind: 'superseded', data, lines, by: j.by };
      case 'failed': {
        // Cause first: why the tasks stopped; how ECS reacted (its circuit breaker) goes to the thread.
        const said = j.reason.replace(/[.;\s]+$/, '');
        if (j.judgedByCapstan) {
          const reason = data.stopCause ? `${data.stopCause}: ${j.reason}` : j.reason;
          return { kind: 'failed', data, lines, reason };
        }
        const reason = data.stopCause ?? j.reason;
        if (!j.ecsRollback) {
          const how = data.stopCause ? [`:octagonal_sign: ${escapeMrkdwn(said)}.`] : [];
          return { kind: 'failed', data, lines: [...lines, ...how], reason };
        }
        const rollbackTrack: EcsTrack = {
          ...newTrack(
            j.ecsRollback.taskDefinitionArn ?? data.taskDefinitionArn,
            j.ecsRollback.deploymentId,
            deps.now(),
          ),
          lastEventAt: data.lastEventAt,
        };
        return {
          kind: 'failed',
          data,
          lines: [
            ...lines,
            `:rewind: ECS is rolling back by itself (${escapeMrkdwn(said)}). Capstan follows that rollback and does not start another.`,
          ],
          reason,
          selfRollback: { kind: 'following', data: rollbackTrack },
        };
      }
    }
  }
}

/**
 * The cluster an ECS event is about, for the events that can change a rollout's outcome: deployment
 * state changes, tasks that stopped (except old tasks a deployment replaces), service warnings and
 * errors. Task starts are left to the next look: they move progress, never the outcome.
 */
function ecsEventGroups(e: AwsEvent): readonly string[] {
  if (e.source !== 'aws.ecs') return [];
  const d = e.detail;
  let cluster: string | undefined;
  switch (e.detailType) {
    case 'ECS Deployment State Change':
      cluster = clusterOfServiceArn(e.resources[0]);
      break;
    case 'ECS Task State Change':
      if (d.lastStatus !== 'STOPPED') return [];
      if (typeof d.group === 'string' && !d.group.startsWith('service:')) return [];
      if (typeof d.stoppedReason === 'string' && d.stoppedReason.startsWith('Scaling activity initiated by'))
        return [];
      cluster = arnPath(d.clusterArn)?.[1];
      break;
    case 'ECS Service Action':
      if (d.eventType !== 'WARN' && d.eventType !== 'ERROR') return [];
      cluster = arnPath(d.clusterArn)?.[1] ?? clusterOfServiceArn(e.resources[0]);
      break;
    default:
      return [];
  }
  if (!cluster) return [];
  // capstan.yml may name the cluster or give its ARN.
  const arn = typeof e.resources[0] === 'string' ? e.resources[0].split(':') : [];
  const clusterArn = arn.length >= 6 ? `${arn.slice(0, 5).join(':')}:cluster/${cluster}` : undefined;
  return [`ecs|${e.region}|${cluster}`, ...(clusterArn ? [`ecs|${e.region}|${clusterArn}`] : [])];
}

/** `arn:aws:ecs:r:a:service/<cluster>/<service>`; services made before long ARNs omit the cluster. */
function clusterOfServiceArn(arn: unknown): string | undefined {
  const path = arnPath(arn);
  return path?.[0] === 'service' && path.length === 3 ? path[1] : undefined;
}

/** The resource part of an ARN, split at "/": `cluster/name` → ["cluster", "name"]. */
function arnPath(arn: unknown): string[] | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  return resource ? resource.split('/') : undefined;
}

/**
 * Why a task stopped, for people: ECS's stoppedReason, and what its containers add to it (an exit
 * code, a reason the stoppedReason does not already say).
 */
export function stopCauseOf(task: StoppedTask): string {
  const stopped = task.stoppedReason ?? 'no reason given';
  const detail = task.containers
    .filter(
      (c) => (c.reason && !stopped.includes(c.reason)) || (c.exitCode !== undefined && c.exitCode !== 0),
    )
    .map(
      (c) => `${c.name}: ${c.reason && !stopped.includes(c.reason) ? c.reason : `exit code ${c.exitCode}`}`,
    )
    .join('; ');
  return detail ? `${stopped} (${detail})` : stopped;
}
