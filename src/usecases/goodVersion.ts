import type { Environment } from '../domain/catalog.js';
import { goodStates } from '../domain/verified.js';
import type { GoodVersion, Store } from '../ports/store.js';

/** A version to go back to; `unverified`: the environment verifies, but no version was verified there yet. */
export type RollbackCandidate = GoodVersion & { readonly unverified?: true };

/**
 * The most recent good version here that `usable` accepts: verified, where the environment
 * verifies (a version kept after its alarm is never one). Where no verified version is usable (verify
 * was just turned on, or the only verified one is what runs), the last that succeeded before the first
 * verification there, marked so: otherwise an alarm or a rollback would find nothing to go back to.
 */
export async function lastGoodVersion(
  store: Store,
  env: Environment,
  limit: number,
  usable: (g: GoodVersion) => boolean,
): Promise<RollbackCandidate | undefined> {
  const good = await store.goodVersions(env.app, env.name, limit, goodStates(env));
  const pick = good.find(usable);
  if (pick || env.verify === undefined) return pick;
  // None usable was verified (none at all yet, or only the one running): what succeeded before the first
  // verification here, from when it ran without verify; a version kept after its alarm came later.
  const firstVerified = Math.min(...good.map((g) => g.at));
  const succeeded = (await store.goodVersions(env.app, env.name, limit, ['succeeded'])).find(
    (g) => g.at < firstVerified && usable(g),
  );
  return succeeded && { ...succeeded, unverified: true };
}
