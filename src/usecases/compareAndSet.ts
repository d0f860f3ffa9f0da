/** What one attempt returns when its compare-and-set write lost to someone else's. */
export const LOST = Symbol('lost to a concurrent write');

export const MAX_ATTEMPTS = 5;

/**
 * The one retry-on-conflict loop for every use case that writes a guarded record (compare-and-set on
 * `rev`): `attempt` reads the record afresh, decides, and writes; when the write lost (it returns
 * LOST) the attempt runs again on what the other writer left. After MAX_ATTEMPTS, `busy` decides.
 */
export async function retryOnConflict<R>(
  attempt: (n: number) => Promise<R | typeof LOST>,
  busy: () => R,
): Promise<R> {
  for (let n = 0; n < MAX_ATTEMPTS; n++) {
    const result = await attempt(n);
    if (result !== LOST) return result;
  }
  return busy();
}
