import type { Catalog, Environment } from '../../domain/catalog.js';
import type { Deployment } from '../../domain/deployment.js';
import { countsAsVerified } from '../../domain/verified.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import {
  DAY_MS,
  type DeliveryFigures,
  ROLLBACK_FOLLOWS_MS,
  type Window,
  deliveryFigures,
} from './figures.js';
import { chartWeeks } from './weeks.js';

export interface StatsDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly clock: Clock;
}

export interface StatsScope {
  readonly app?: string | undefined;
  readonly env?: string | undefined;
  readonly days: number;
}

export interface EnvFigures {
  readonly app: string;
  readonly env: string;
  readonly figures: DeliveryFigures;
  /** The ledger held more than was read: the oldest part of the window is left out. */
  readonly partial: boolean;
}

export interface DeliveryStats {
  readonly from: number;
  readonly to: number;
  readonly days: number;
  /** The chart's weeks (chartWeeks()): whole 7-day weeks ending with today, UTC. */
  readonly weeks: Window;
  readonly envs: readonly EnvFigures[];
}

/** Entries read per environment: years of daily deploys, and a bound on one reply's work. */
export const MAX_ENTRIES = 2000;

export function environmentsIn(catalog: Catalog, scope: Omit<StatsScope, 'days'>): Environment[] {
  return catalog.apps
    .filter((a) => scope.app === undefined || a.name === scope.app)
    .flatMap((a) => a.environments)
    .filter((e) => scope.env === undefined || e.name === scope.env);
}

/** One environment's ledger from a day before the window (a rollback may undo a deploy made just before it). */
export async function ledgerSince(
  store: Store,
  env: Environment,
  since: number,
): Promise<{ entries: readonly Deployment[]; partial: boolean }> {
  const all = await store.history(env.app, env.name, MAX_ENTRIES);
  const entries = all.filter((d) => d.createdAt >= since);
  return { entries, partial: all.length === MAX_ENTRIES && entries.length === all.length };
}

/**
 * When each digest was first pushed, as far as the ledger knows, whatever repository or account it was
 * pushed to (a promoted image is the same digest): change lead time starts there.
 */
export async function firstPushes(deps: Omit<StatsDeps, 'clock'>): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  for (const app of deps.catalog.apps) {
    for (const d of await deps.store.history(app.name, undefined, MAX_ENTRIES)) {
      if (d.imageDigest === undefined || d.imagePushedAt === undefined) continue;
      const known = first.get(d.imageDigest);
      if (known === undefined || d.imagePushedAt < known) first.set(d.imageDigest, d.imagePushedAt);
    }
  }
  return first;
}

/** `/deploy stats`: the delivery figures of each environment in scope, from the ledger alone. */
export async function readStats(deps: StatsDeps, scope: StatsScope): Promise<DeliveryStats> {
  const to = deps.clock.now();
  const from = to - scope.days * DAY_MS;
  const weeks = chartWeeks(to, scope.days);
  const pushes = await firstPushes(deps);
  const envs = await Promise.all(
    environmentsIn(deps.catalog, scope).map(async (env): Promise<EnvFigures> => {
      const since = Math.min(from, weeks.from) - ROLLBACK_FOLLOWS_MS;
      const { entries, partial } = await ledgerSince(deps.store, env, since);
      const figures = deliveryFigures(
        entries,
        { from, to },
        {
          isVerified: (d) => countsAsVerified(d, env),
          firstPushedAt: (digest) => pushes.get(digest),
          weeks,
        },
      );
      return { app: env.app, env: env.name, figures, partial };
    }),
  );
  return { from, to, days: scope.days, weeks, envs };
}
