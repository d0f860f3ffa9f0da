import type { Environment } from '../domain/catalog.js';
import { goodStates } from '../domain/verified.js';
import type { GoodVersion, Store } from '../ports/store.js';

/** A version to go back to; `unverified`: the environment verifies, but no version was verified there yet. */
export type RollbackCandidate = GoodVersion & { readonly unverified?: true };

/**
 * The most recent good version here that `usable` accepts: verified, where the environment
 * verifies (a version kept after its alarm is never one while a verified version exists); where
 * none was ever verified there (verify was just turned on), the last that succeeded, marked so:
 * otherwise the first alarm would leave the bad version running with nothing to go back to.
 */
export async function lastGoodVersion(
  store: Store,
  env: Environment,
  limit: number,
  usable: (g: GoodVersion) => boolean,
): Promise<RollbackCandidate | undefined> {
  const good = await store.goodVersions(env.app, env.name, limit, goodStates(env));
  if (env.verify === undefined || good.length > 0) return good.find(usable);
  const succeeded = (await store.goodVersions(env.app, env.name, limit, ['succeeded'])).find(usable);
  return succeeded && { ...succeeded, unverified: true };
}
