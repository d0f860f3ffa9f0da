import type { Deployment } from '../../domain/deployment.js';

/**
 * The deployments of one environment as the delivery figures count them (after dora.dev): changes
 * (deploys and releases) and rollbacks, whether Capstan's own or made by hand, read from its ledger.
 * One failure gives the same deployments however it was handled: Capstan's automatic rollback is one
 * ledger entry (a change that ended rolled back), a `/deploy rollback` is a second entry, and both
 * come out here as a change that failed followed by a rollback.
 */

export const DAY_MS = 86_400_000;
/** A rollback this soon after a change marks the change as failed. */
export const ROLLBACK_FOLLOWS_MS = DAY_MS;

const RAN = new Set<Deployment['state']>([
  'succeeded',
  'verified',
  'failed',
  'rolled_back',
  'rollback_failed',
]);
/** Ended with a rollback of its own (Capstan's, or the target's that Capstan followed). */
const ROLLED_BACK = new Set<Deployment['state']>(['rolled_back', 'rollback_failed']);
/** Left the environment broken: what comes right after is a fix. */
const LEFT_BROKEN = new Set<Deployment['state']>(['failed', 'rollback_failed']);

export const ended = (d: Deployment) => d.finishedAt ?? d.updatedAt;

/**
 * Whether an entry changed its environment. Capstan records `tracking` when the change starts in AWS
 * and keeps it: a request that failed before that (the prepare step threw, a lock, a moved tag or AWS
 * refused the change) has none and changed nothing. An entry that succeeded or was rolled back ran,
 * with tracking or without (rows written before it was kept).
 */
export function reachedTarget(d: Deployment): boolean {
  return RAN.has(d.state) && (d.state !== 'failed' || d.tracking !== undefined);
}

export interface LedgerDeployment {
  readonly kind: 'change' | 'rollback';
  readonly entry: Deployment;
  /** When it began: its request; for Capstan's own rollback of a change, when that rollback began. */
  readonly at: number;
  readonly endedAt: number;
  /** A change that failed, was rolled back, or was followed by a rollback within 24 h: when that was seen. */
  readonly failedAt?: number | undefined;
  /** Unplanned, caused by a failure: every rollback, and the change right after a failure left unrolled back. */
  readonly rework: boolean;
  /** A rollback that brought the environment back (it succeeded). */
  readonly restored: boolean;
}

/** The rollback by hand that followed `d`: the next entry, a rollback begun within 24 h of its end. */
function rollbackByHand(d: Deployment, next: Deployment | undefined): Deployment | undefined {
  if (next?.kind !== 'rollback' || next.createdAt < ended(d)) return undefined;
  return next.createdAt - ended(d) <= ROLLBACK_FOLLOWS_MS ? next : undefined;
}

/** When Capstan's own rollback of `d` began: when tracking moved to it, else (older rows) the end. */
const ownRollbackAt = (d: Deployment) => (d.tracking?.phase === 'rollback' ? d.tracking.startedAt : ended(d));

function change(d: Deployment, prev: Deployment | undefined, next: Deployment | undefined): LedgerDeployment {
  const byHand = rollbackByHand(d, next);
  const failedAt = ROLLED_BACK.has(d.state)
    ? ownRollbackAt(d)
    : d.state === 'failed'
      ? ended(d)
      : byHand?.createdAt;
  return {
    kind: 'change',
    entry: d,
    at: d.createdAt,
    endedAt: ended(d),
    failedAt,
    rework: prev !== undefined && LEFT_BROKEN.has(prev.state),
    restored: false,
  };
}

const restoredBy = (d: Deployment) => d.state === 'succeeded' || d.state === 'verified';

/** One environment's entries (any order) as deployments, oldest first; those that changed nothing are left out. */
export function deploymentsOf(entries: readonly Deployment[]): LedgerDeployment[] {
  const ran = entries.filter(reachedTarget).sort((a, b) => a.createdAt - b.createdAt);
  return ran.flatMap((d, i): LedgerDeployment[] => {
    const endedAt = ended(d);
    if (d.kind === 'rollback')
      return [
        { kind: 'rollback', entry: d, at: d.createdAt, endedAt, rework: true, restored: restoredBy(d) },
      ];
    const c = change(d, ran[i - 1], ran[i + 1]);
    if (!ROLLED_BACK.has(d.state)) return [c];
    const own: LedgerDeployment = {
      kind: 'rollback',
      entry: d,
      at: ownRollbackAt(d),
      endedAt,
      rework: true,
      restored: d.state === 'rolled_back',
    };
    return [c, own];
  });
}
