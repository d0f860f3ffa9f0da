import { type Catalog, findEnvironment } from '../../domain/catalog.js';
import { errorMessage } from '../../lib/errors.js';
import type { Watchlist } from '../rollout/watchlist.js';
import type { BakeHooks } from './carry.js';
import { type BakeDeps, lookAtBake } from './look.js';

export interface BakesOptions {
  readonly catalog: Catalog;
  readonly watchlist: Watchlist;
  /** Whether this replica still owns a deployment (renews its lease): checked before each look. */
  readonly stillOwns?: ((id: string) => Promise<boolean>) | undefined;
}

/** One look at every bake this replica follows; one bake's trouble is its own. */
export async function lookAtBakes(deps: BakeDeps, o: BakesOptions, hooks: BakeHooks): Promise<void> {
  const bakes = [...o.watchlist.values()].filter((d) => d.state === 'verifying');
  await Promise.all(
    bakes.map(async (d) => {
      const env = findEnvironment(o.catalog, d.app, d.env);
      if (!env) return;
      try {
        if (o.stillOwns && !(await o.stillOwns(d.id))) {
          o.watchlist.remove(d.id);
          return;
        }
        await lookAtBake(deps, d, env, hooks);
      } catch (e) {
        deps.deploy.logger.error('could not look at a bake', { id: d.id, error: errorMessage(e) });
      }
    }),
  );
}
