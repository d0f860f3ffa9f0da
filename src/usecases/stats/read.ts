import type { Catalog, Environment } from '../../domain/catalog.js';
import type { Deployment } from '../../domain/deployment.js';
import { countsAsVerified } from '../../domain/verified.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import { DAY_MS, type DeliveryFigures, ROLLBACK_FOLLOWS_MS, deliveryFigures } from './figures.js';

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

/** `/deploy stats`: the delivery figures of each environment in scope, from the ledger alone. */
export async function readStats(deps: StatsDeps, scope: StatsScope): Promise<DeliveryStats> {
  const to = deps.clock.now();
  const from = to - scope.days * DAY_MS;
  const envs = await Promise.all(
    environmentsIn(deps.catalog, scope).map(async (env): Promise<EnvFigures> => {
      const { entries, partial } = await ledgerSince(deps.store, env, from - ROLLBACK_FOLLOWS_MS);
      const figures = deliveryFigures(entries, { from, to }, (d) => countsAsVerified(d, env));
      return { app: env.app, env: env.name, figures, partial };
    }),
  );
  return { from, to, days: scope.days, envs };
}
