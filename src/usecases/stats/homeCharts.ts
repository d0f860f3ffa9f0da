import type { App, Catalog } from '../../domain/catalog.js';
import { countsAsVerified } from '../../domain/verified.js';
import type { Directory } from '../../ports/chat.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import { isAllowed } from '../access.js';
import { ROLLBACK_FOLLOWS_MS, type WeekCount, deliveryFigures } from './figures.js';
import { ledgerSince } from './read.js';
import { chartWeeks } from './weeks.js';

export interface HomeChartsDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly clock: Clock;
  readonly directory: Directory;
}

/** One app's deploys and failures per week, every environment added up. */
export interface AppWeeks {
  readonly app: string;
  readonly days: number;
  readonly weeks: readonly WeekCount[];
}

/** Four whole weeks ending with today (UTC, chartWeeks()), cut as `/deploy stats` cuts its chart. */
export const HOME_CHART_DAYS = 28;
/** The Home tab is an overview: at most this many apps get a chart. */
export const MAX_HOME_CHARTS = 5;

/** The apps in which the viewer may deploy or approve somewhere, in the configuration's order. */
export async function viewersApps(deps: HomeChartsDeps, userId: string): Promise<App[]> {
  const mine = await Promise.all(
    deps.catalog.apps.map(async (a) => {
      for (const e of a.environments)
        if (await isAllowed(deps.directory, userId, [...e.policy.deployers, ...e.policy.approvers]))
          return true;
      return false;
    }),
  );
  return deps.catalog.apps.filter((_, i) => mine[i]);
}

/** Week by week, the counts of several environments added up (they share one window). */
function addUp(all: readonly (readonly WeekCount[])[]): WeekCount[] {
  return (all[0] ?? []).map((w, i) => ({
    start: w.start,
    deploys: all.reduce((n, ws) => n + (ws[i]?.deploys ?? 0), 0),
    failures: all.reduce((n, ws) => n + (ws[i]?.failures ?? 0), 0),
  }));
}

async function weeksOf(deps: HomeChartsDeps, app: App): Promise<WeekCount[]> {
  const weeks = chartWeeks(deps.clock.now(), HOME_CHART_DAYS);
  const all = await Promise.all(
    app.environments.map(async (env) => {
      const { entries } = await ledgerSince(deps.store, env, weeks.from - ROLLBACK_FOLLOWS_MS);
      const isVerified = (d: Parameters<typeof countsAsVerified>[0]) => countsAsVerified(d, env);
      return deliveryFigures(entries, weeks, { isVerified, weeks }).weeks;
    }),
  );
  return addUp(all);
}

/**
 * What the Home tab charts for one person: deploys and failures per week of each of their apps
 * (where they may deploy or approve), from the ledger alone, as `/deploy stats` counts them.
 */
export async function readHomeCharts(deps: HomeChartsDeps, userId: string): Promise<AppWeeks[]> {
  const apps = (await viewersApps(deps, userId)).slice(0, MAX_HOME_CHARTS);
  return Promise.all(
    apps.map(async (a) => ({ app: a.name, days: HOME_CHART_DAYS, weeks: await weeksOf(deps, a) })),
  );
}
