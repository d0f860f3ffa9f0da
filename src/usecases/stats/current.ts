import { SingleFlight } from '../../lib/singleFlight.js';
import { type EnvFigures, type StatsDeps, readStats } from './read.js';

/** The window of the delivery figures /metrics exposes: a fixed one, so a series means one thing. */
export const METRICS_DAYS = 30;
/** How long a computation of them is served: a burst of scrapes reads the ledger once. */
export const METRICS_CACHE_MS = 60_000;

/**
 * The delivery figures of every configured environment over the last METRICS_DAYS, from the ledger
 * (so every replica answers the same), computed at most once per `cacheMs` by Capstan's clock; scrapes
 * that arrive meanwhile share one computation. A failed read is not kept: the next scrape tries again.
 */
export function currentFigures(
  deps: StatsDeps,
  cacheMs = METRICS_CACHE_MS,
): () => Promise<readonly EnvFigures[]> {
  const cache = new SingleFlight<readonly EnvFigures[]>(cacheMs, 1, () => deps.clock.now());
  return () => cache.get('all', async () => (await readStats(deps, { days: METRICS_DAYS })).envs);
}
