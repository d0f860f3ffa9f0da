import type { Deployment } from '../../domain/deployment.js';
import type { Verification } from '../../domain/verify.js';
import type { Store } from '../../ports/store.js';
import { LOST, retryOnConflict } from '../compareAndSet.js';

/**
 * Changes a bake in progress with compare-and-set: `change` sees the bake as the ledger has it now
 * and returns what it becomes, or undefined to leave it (it was decided already, it ended). Returns
 * the deployment as written, or undefined when nothing was. So a decision is taken once, whoever
 * races for it (two clicks, a click and the end of the bake, two replicas).
 */
export function changeBake(
  store: Store,
  id: string,
  now: number,
  change: (v: Verification, d: Deployment) => Verification | undefined,
): Promise<Deployment | undefined> {
  return retryOnConflict(
    async () => {
      const cur = await store.get(id);
      if (!cur || cur.state !== 'verifying' || !cur.verification) return undefined;
      const next = change(cur.verification, cur);
      if (!next) return undefined;
      return (await store.update({ ...cur, verification: next, updatedAt: now })) ?? LOST;
    },
    () => undefined,
  );
}

/** Ends a bake (verified, or kept after an alarm) once: undefined when it was no longer verifying. */
export function endBake(
  store: Store,
  id: string,
  now: number,
  change: Partial<Deployment>,
): Promise<Deployment | undefined> {
  return retryOnConflict(
    async () => {
      const cur = await store.get(id);
      if (!cur || cur.state !== 'verifying') return undefined;
      return (await store.update({ ...cur, ...change, finishedAt: now, updatedAt: now })) ?? LOST;
    },
    () => undefined,
  );
}
