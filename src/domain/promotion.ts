import type { Deployment } from './deployment.js';

/** States in which an entry ran to an outcome (what an environment runs after it is that entry's doing). */
export const RAN_STATES: ReadonlySet<Deployment['state']> = new Set([
  'succeeded',
  'verified',
  'failed',
  'rolled_back',
  'rollback_failed',
]);

const GOOD: ReadonlySet<Deployment['state']> = new Set(['succeeded', 'verified']);

/** When an entry ended (or was last written, for rows older than `finishedAt`). */
const endedAt = (d: Deployment) => d.finishedAt ?? d.updatedAt;

/** A failure that never reached the target (refused before or at the change): what ran before still runs. */
const changedNothing = (d: Deployment) => d.state === 'failed' && d.tracking === undefined;

export type PromotionVerdict =
  | { readonly ok: true; readonly verifiedAt: number }
  | { readonly ok: false; readonly refused: 'notVerified' }
  | {
      readonly ok: false;
      readonly refused: 'soaking';
      readonly verifiedAt: number;
      readonly allowedAt: number;
    }
  | {
      /** Verified there, then rolled back away from (`rollback`) or failed there again (`failure`) at `at`. */
      readonly ok: false;
      readonly refused: 'rolledBack';
      readonly verifiedAt: number;
      readonly at: number;
      readonly how: 'rollback' | 'failure';
    };

/**
 * May `digest` go to an environment promoted from `source` (its ledger, newest first)? Only when an
 * entry there deployed that very digest (whatever its tag or repository), counts as verified, and
 * still stands: a later rollback away from it, or a later failure of the same digest there, takes it
 * back. The soak counts from the earliest verification since then, and must have lasted `soakMs`.
 */
export function judgePromotion(
  source: readonly Deployment[],
  digest: string,
  soakMs: number,
  now: number,
  isVerified: (d: Deployment) => boolean,
): PromotionVerdict {
  const standing: number[] = [];
  for (const [i, d] of source.entries()) {
    const against = takenBack(source, i, digest);
    if (against) {
      if (standing.length > 0) break;
      const verified = source.slice(i + 1).find((v) => v.imageDigest === digest && isVerified(v));
      if (!verified) continue;
      return {
        ok: false,
        refused: 'rolledBack',
        verifiedAt: endedAt(verified),
        at: endedAt(d),
        how: against,
      };
    }
    if (d.imageDigest === digest && isVerified(d)) standing.push(endedAt(d));
  }
  if (standing.length === 0) return { ok: false, refused: 'notVerified' };
  const verifiedAt = Math.min(...standing);
  const allowedAt = verifiedAt + soakMs;
  return now >= allowedAt
    ? { ok: true, verifiedAt }
    : { ok: false, refused: 'soaking', verifiedAt, allowedAt };
}

/** Whether entry `i` of `newestFirst` takes `digest` back: a failure of it there, or a rollback away from it. */
function takenBack(
  newestFirst: readonly Deployment[],
  i: number,
  digest: string,
): 'rollback' | 'failure' | undefined {
  const d = newestFirst[i];
  if (!d || !RAN_STATES.has(d.state) || changedNothing(d)) return undefined;
  if (d.imageDigest === digest && !GOOD.has(d.state)) return 'failure';
  if (d.kind !== 'rollback' || d.imageDigest === digest) return undefined;
  return runningNow(newestFirst.slice(i + 1))?.imageDigest === digest ? 'rollback' : undefined;
}

/**
 * What the environment runs now, by its ledger (newest first): the newest entry that ran to an
 * outcome, where a failure that never reached the target leaves what ran before, and a rollout
 * rolled back leaves what it went back to (the entry that deployed it), or what ran before it.
 */
export function runningNow(newestFirst: readonly Deployment[]): Deployment | undefined {
  for (const [i, d] of newestFirst.entries()) {
    if (!RAN_STATES.has(d.state) || changedNothing(d)) continue;
    if (d.state !== 'rolled_back') return d;
    const older = newestFirst.slice(i + 1);
    if (d.rollbackVersion === undefined) return runningNow(older);
    return older.find((o) => o.toVersion === d.rollbackVersion && GOOD.has(o.state)) ?? d;
  }
  return undefined;
}
