import type { Catalog, EcsTarget, Environment, StackTarget } from '../domain/catalog.js';
import type { Deployment, Lock } from '../domain/deployment.js';
import { isCapstanError } from '../domain/errors.js';
import { containerImage, runningVersion } from '../domain/taskDefinition.js';
import { parseImage } from '../domain/version.js';
import { errorMessage } from '../lib/errors.js';
import type { Ecs, EcsService } from '../ports/ecs.js';
import type { Stacks } from '../ports/stacks.js';
import type { Store } from '../ports/store.js';

export interface RecentEvent {
  readonly at: number;
  readonly message: string;
}

interface Common {
  readonly env: Environment;
  readonly lock?: Lock | undefined;
  readonly inFlight?: Deployment | undefined;
}

export type EnvStatus =
  | (Common & {
      readonly ok: true;
      readonly version?: string | undefined;
      readonly digest?: string | undefined;
      readonly tasks?:
        { readonly desired: number; readonly running: number; readonly pending: number } | undefined;
      readonly rolloutInProgress: boolean;
      readonly changedAt?: number | undefined;
      /** ECS service status or CloudFormation stack status. */
      readonly state: string;
      readonly events: readonly RecentEvent[];
    })
  | (Common & { readonly ok: false; readonly error: string });

export interface StatusDeps {
  readonly catalog: Catalog;
  readonly ecs: Ecs;
  readonly stacks: Stacks;
  readonly store: Store;
}

const EVENTS_IN_DETAIL = 5;

/** Reads every requested environment in parallel; one failing environment does not hide the others. */
export async function readStatus(
  deps: StatusDeps,
  scope: { readonly app?: string | undefined; readonly env?: string | undefined },
): Promise<EnvStatus[]> {
  const envs = deps.catalog.apps
    .filter((a) => scope.app === undefined || a.name === scope.app)
    .flatMap((a) => a.environments)
    .filter((e) => scope.env === undefined || e.name === scope.env);
  const [locks, inFlight] = await Promise.all([deps.store.locks(), deps.store.inFlight()]);
  const services = await describeEcsServices(deps.ecs, envs);
  return Promise.all(
    envs.map(async (env): Promise<EnvStatus> => {
      const common: Common = {
        env,
        lock: locks.find((l) => l.app === env.app && l.env === env.name),
        inFlight: inFlight.find((d) => d.app === env.app && d.env === env.name),
      };
      try {
        const read =
          env.target.kind === 'ecs'
            ? await ecsStatus(deps.ecs, env.target, services)
            : await stackStatus(deps.stacks, env.target, scope.env !== undefined);
        return { ...common, ...read };
      } catch (e) {
        return {
          ...common,
          ok: false,
          error: isCapstanError(e) ? e.message : `unexpected error: ${errorMessage(e)}`,
        };
      }
    }),
  );
}

type ServiceResult = EcsService | Error | 'missing';
const key = (t: EcsTarget, name = t.service) => `${t.region}|${t.cluster}|${name}`;

/** One DescribeServices call per 10 services of a cluster. */
async function describeEcsServices(
  ecs: Ecs,
  envs: readonly Environment[],
): Promise<Map<string, ServiceResult>> {
  const byCluster = new Map<string, EcsTarget[]>();
  for (const e of envs) {
    if (e.target.kind !== 'ecs') continue;
    const k = `${e.target.region}|${e.target.cluster}`;
    byCluster.set(k, [...(byCluster.get(k) ?? []), e.target]);
  }
  const out = new Map<string, ServiceResult>();
  const calls: Promise<void>[] = [];
  for (const targets of byCluster.values()) {
    const names = [...new Set(targets.map((t) => t.service))];
    const first = targets[0]!;
    for (let i = 0; i < names.length; i += 10) {
      const batch = names.slice(i, i + 10);
      calls.push(
        ecs.describeServices(first, batch).then(
          (r) => {
            for (const s of r.services) out.set(key(first, s.name), s);
            for (const m of r.missing) out.set(key(first, m), 'missing');
          },
          (err: unknown) => {
            for (const n of batch)
              out.set(key(first, n), err instanceof Error ? err : new Error(String(err)));
          },
        ),
      );
    }
  }
  await Promise.all(calls);
  return out;
}

async function ecsStatus(ecs: Ecs, t: EcsTarget, services: Map<string, ServiceResult>) {
  const s = services.get(key(t));
  if (s === undefined || s === 'missing') {
    throw new Error(`ECS service ${t.service} was not found in cluster ${t.cluster} (${t.region}).`);
  }
  if (s instanceof Error) throw s;
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  const td = await ecs.describeTaskDefinition(t.region, primary?.taskDefinition ?? s.taskDefinition);
  const image = containerImage(td.taskDefinition, t.container);
  const ref = image ? parseImage(image) : undefined;
  return {
    ok: true as const,
    version: runningVersion(td, t.container),
    digest: ref?.digest,
    tasks: { desired: s.desiredCount, running: s.runningCount, pending: s.pendingCount },
    rolloutInProgress:
      s.deployments.length > 1 || s.deployments.some((d) => d.rolloutState === 'IN_PROGRESS'),
    changedAt: primary?.updatedAt ?? primary?.createdAt,
    state: s.status,
    events: s.events.slice(0, EVENTS_IN_DETAIL).map((e) => ({ at: e.at, message: e.message })),
  };
}

async function stackStatus(stacks: Stacks, t: StackTarget, detail: boolean) {
  const [stack, events] = await Promise.all([
    stacks.describeStack(t.region, t.stack),
    detail ? stacks.events(t.region, t.stack, EVENTS_IN_DETAIL) : Promise.resolve([]),
  ]);
  return {
    ok: true as const,
    version: stack.parameters[t.imageParameter],
    rolloutInProgress: stack.status.endsWith('_IN_PROGRESS'),
    changedAt: Date.parse(stack.updatedAt),
    state: stack.status,
    events: events.map((e) => ({
      at: e.at,
      message: `${e.logicalId} ${e.status}${e.reason ? `: ${e.reason}` : ''}`,
    })),
  };
}
