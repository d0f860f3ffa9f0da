import type { Catalog, Environment } from '../domain/catalog.js';
import type { Deployment, Lock } from '../domain/deployment.js';
import { isCapstanError } from '../domain/errors.js';
import type { Reported } from '../domain/facts/rollout.js';
import { type NextFreeze, type OpenFreeze, nextWindow, openWindow } from '../domain/freeze.js';
import { errorMessage } from '../lib/errors.js';
import { SingleFlight } from '../lib/singleFlight.js';
import { type Clock, systemClock } from '../ports/clock.js';
import { type AwsIdentity, CAPSTAN } from '../ports/identity.js';
import type { Store } from '../ports/store.js';
import type { Reading, TargetRegistry, TargetStrategy } from '../targets/strategy.js';
import { targetAs } from './actAs.js';
import { errorReported } from '../domain/reported.js';
import { type RunningVerdict, readVerdict } from './verifiedNow.js';

interface Common {
  readonly env: Environment;
  /** Where it runs, for people: "ECS service x in cluster y (us-east-1)". */
  readonly where: string;
  readonly lock?: Lock | undefined;
  readonly inFlight?: Deployment | undefined;
  /** The freeze in force, and the next one to open. */
  readonly freeze?:
    { readonly open?: OpenFreeze | undefined; readonly next?: NextFreeze | undefined } | undefined;
}

export type EnvStatus =
  | (Common &
      Reading & {
        readonly ok: true;
        /** Whether the version it runs was verified, as the ledger says (none: nothing to add). */
        readonly verdict?: RunningVerdict | undefined;
      })
  /** `error`: why it could not be read, a refusal's fact or the error's text. */
  | (Common & { readonly ok: false; readonly error: Reported });

export interface StatusDeps {
  readonly catalog: Catalog;
  readonly targets: TargetRegistry;
  readonly store: Store;
  /** Shares AWS reads among everyone asking within a short time (a burst of `status` costs one round). */
  readonly cache?: SingleFlight<ReadonlyMap<Environment, Reading | Error>> | undefined;
  readonly identity?: AwsIdentity | undefined;
  readonly clock?: Clock | undefined;
}

export function statusCache(ttlMs: number): SingleFlight<ReadonlyMap<Environment, Reading | Error>> {
  return new SingleFlight(ttlMs);
}

/** Reads every requested environment, each kind of target in one batch; one failing environment does not hide the others. */
export async function readStatus(
  deps: StatusDeps,
  scope: { readonly app?: string | undefined; readonly env?: string | undefined },
): Promise<EnvStatus[]> {
  const envs = deps.catalog.apps
    .filter((a) => scope.app === undefined || a.name === scope.app)
    .flatMap((a) => a.environments)
    .filter((e) => scope.env === undefined || e.name === scope.env);
  const detail = scope.env !== undefined;
  const byStrategy = new Map<TargetStrategy, Environment[]>();
  // Capstan's own reads; one batch per strategy and role, as one role session reads a batch.
  const as = new Map<TargetStrategy, Map<string | undefined, TargetStrategy>>();
  for (const e of envs) {
    const base = deps.targets.for(e);
    const roles = as.get(base) ?? new Map<string | undefined, TargetStrategy>();
    as.set(base, roles);
    const s = roles.get(e.roleArn) ?? targetAs(deps, e, CAPSTAN);
    roles.set(e.roleArn, s);
    byStrategy.set(s, [...(byStrategy.get(s) ?? []), e]);
  }
  const [locks, inFlight, ...readings] = await Promise.all([
    deps.store.locks(),
    deps.store.inFlight(),
    ...[...byStrategy].map(([strategy, group]) => {
      const read = () =>
        strategy.read(group, detail).catch((e: unknown) => {
          const err = e instanceof Error ? e : new Error(errorMessage(e));
          return new Map<Environment, Reading | Error>(group.map((g) => [g, err]));
        });
      const key = `${detail}|${group.map((g) => `${g.app}/${g.name}`).join(',')}`;
      return deps.cache ? deps.cache.get(key, read) : read();
    }),
  ]);
  const all = new Map<Environment, Reading | Error>();
  for (const r of readings) for (const [e, v] of r) all.set(e, v);
  const now = (deps.clock ?? systemClock).now();
  const statuses = envs.map((env): EnvStatus => {
    const freezes = env.freezes ?? [];
    const common: Common = {
      env,
      where: deps.targets.for(env).describe(env),
      lock: locks.find((l) => l.app === env.app && l.env === env.name),
      inFlight: inFlight.find((d) => d.app === env.app && d.env === env.name),
      freeze: freezes.length ? { open: openWindow(freezes, now), next: nextWindow(freezes, now) } : undefined,
    };
    const r = all.get(env) ?? new Error('not read');
    if (r instanceof Error)
      return {
        ...common,
        ok: false,
        error: isCapstanError(r) ? errorReported(r) : `unexpected error: ${r.message}`,
      };
    return { ...common, ...r, ok: true };
  });
  return Promise.all(statuses.map((s) => withVerdict(deps.store, s)));
}

/** The status with the ledger's verdict on the version it runs, where there is one (a ledger that cannot say hides nothing else). */
async function withVerdict(store: Store, s: EnvStatus): Promise<EnvStatus> {
  if (!s.ok) return s;
  const verdict = await readVerdict(store, s.env, s, s.inFlight).catch(() => undefined);
  return verdict ? { ...s, verdict } : s;
}
