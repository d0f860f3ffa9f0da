import type { Environment } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { containerImage, runningVersion } from '../../domain/taskDefinition.js';
import { parseImage } from '../../domain/version.js';
import { errorMessage } from '../../lib/errors.js';
import type { EcsService } from '../../ports/ecs.js';
import { ecsPlatformAlarms } from '../shared/platformAlarms.js';
import type { Reading } from '../strategy.js';
import {
  type EcsEnvironment,
  type EcsStrategyDeps,
  batchesOf,
  clusterGroup,
  readService,
  serviceConsoleUrl,
  where,
} from './service.js';

const EVENTS_IN_DETAIL = 5;

/** What runs now, for `status`: the services of each cluster described together. */
export async function read(
  deps: EcsStrategyDeps,
  envs: readonly EcsEnvironment[],
  detail: boolean,
): Promise<ReadonlyMap<Environment, Reading | Error>> {
  const out = new Map<Environment, Reading | Error>();
  const byCluster = new Map<string, EcsEnvironment[]>();
  for (const e of envs) {
    const k = clusterGroup(e.target);
    byCluster.set(k, [...(byCluster.get(k) ?? []), e]);
  }
  await Promise.all(
    [...byCluster.values()].map(async (group) => {
      const services = await describeCluster(deps, group);
      await Promise.all(
        group.map(async (env) => {
          const t = env.target;
          const s = services.get(t.service);
          if (s === undefined) {
            out.set(env, new CapstanError('not_found', { kind: 'ecs.serviceNotFound', ...where(t) }));
          } else if (s instanceof Error) {
            out.set(env, s);
          } else {
            out.set(env, await readingOf(deps, env, s, detail).catch(asError));
          }
        }),
      );
    }),
  );
  return out;
}

/** The version running now, to pick a rollback target. */
export async function running(deps: EcsStrategyDeps, env: EcsEnvironment): Promise<string | undefined> {
  const t = env.target;
  const service = await readService(deps.ecs, t);
  return runningVersion(await deps.ecs.describeTaskDefinition(t.region, service.taskDefinition), t.container);
}

async function describeCluster(
  deps: EcsStrategyDeps,
  group: readonly EcsEnvironment[],
): Promise<Map<string, EcsService | Error>> {
  const loc = group[0]!.target;
  const services = new Map<string, EcsService | Error>();
  for (const batch of batchesOf([...new Set(group.map((e) => e.target.service))])) {
    try {
      const r = await deps.ecs.describeServices(loc, batch);
      for (const s of r.services) services.set(s.name, s);
      for (const f of r.failed ?? []) {
        const fact = {
          kind: 'ecs.describeFailed',
          ...where({ ...loc, service: f.name }),
          reason: f.reason,
        } as const;
        services.set(f.name, new CapstanError('upstream', fact));
      }
    } catch (e) {
      for (const n of batch) services.set(n, e instanceof Error ? e : new Error(String(e)));
    }
  }
  return services;
}

async function readingOf(
  deps: EcsStrategyDeps,
  env: EcsEnvironment,
  s: EcsService,
  detail: boolean,
): Promise<Reading> {
  const t = env.target;
  // For one environment, `status` shows the service's own alarm rollback too.
  const alarms = detail ? ecsPlatformAlarms(env, s) : undefined;
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  const td = await deps.ecs.describeTaskDefinition(t.region, primary?.taskDefinition ?? s.taskDefinition);
  const image = containerImage(td.taskDefinition, t.container);
  return {
    version: runningVersion(td, t.container),
    digest: image ? parseImage(image).digest : undefined,
    state: s.status,
    facts: [
      { kind: 'ecs.taskCount', running: s.runningCount, desired: s.desiredCount, pending: s.pendingCount },
      ...(alarms ? [alarms] : []),
    ],
    inProgress: s.deployments.length > 1 || s.deployments.some((d) => d.rolloutState === 'IN_PROGRESS'),
    changedAt: primary?.updatedAt ?? primary?.createdAt,
    events: detail ? s.events.slice(0, EVENTS_IN_DETAIL).map((e) => ({ at: e.at, message: e.message })) : [],
    consoleUrl: serviceConsoleUrl(t),
  };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(errorMessage(e));
}
