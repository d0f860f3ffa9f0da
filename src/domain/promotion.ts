import type { Deployment } from './deployment.js';

/** States in which an entry ran to an outcome (what an environment runs after it is that entry's doing). */
export const RAN_STATES: ReadonlySet<Deployment['state']> = new Set([
  'succeeded',
  'verified',
  'failed',
  'rolled_back',
  'rollback_failed',
]);

export type PromotionVerdict =
  | { readonly ok: true; readonly verifiedAt: number }
  | { readonly ok: false; readonly refused: 'notVerified' }
  | {
      readonly ok: false;
      readonly refused: 'soaking';
      readonly verifiedAt: number;
      readonly allowedAt: number;
    };

/**
 * May `digest` go to an environment promoted from `source`? Only when an entry of the source's
 * ledger deployed that very digest (whatever its tag or repository) and counts as verified, at
 * least `soakMs` before `now`. The earliest such verification counts: the image has soaked since.
 */
export function judgePromotion(
  source: readonly Deployment[],
  digest: string,
  soakMs: number,
  now: number,
  isVerified: (d: Deployment) => boolean,
): PromotionVerdict {
  const times = source
    .filter((d) => d.imageDigest === digest && isVerified(d))
    .map((d) => d.finishedAt ?? d.updatedAt);
  if (times.length === 0) return { ok: false, refused: 'notVerified' };
  const verifiedAt = Math.min(...times);
  const allowedAt = verifiedAt + soakMs;
  return now >= allowedAt
    ? { ok: true, verifiedAt }
    : { ok: false, refused: 'soaking', verifiedAt, allowedAt };
}

/** What the source runs now, by its ledger: the newest entry that ran to an outcome (newest-first input). */
export function runningNow(newestFirst: readonly Deployment[]): Deployment | undefined {
  return newestFirst.find((d) => RAN_STATES.has(d.state));
}
