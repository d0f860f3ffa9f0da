import { CapstanError } from '../../domain/errors.js';
import type { StackInfo } from '../../ports/stacks.js';
import type { ApplyRequest, Started } from '../strategy.js';
import type { StackStrategyDeps } from './deps.js';
import { changedBy } from './evaluate.js';
import type { StackPlan, StackTrack } from './schemas.js';

/** Stack events read to say who changed a stack under a reviewed change set. */
const EVENTS_FOR_CHANGER = 50;

/** Only the exact change set that was approved: still AVAILABLE, on a stack that has not changed since. */
export async function apply(
  deps: StackStrategyDeps,
  req: ApplyRequest<StackPlan>,
): Promise<Started<StackTrack>> {
  const { plan } = req;
  const [cs, stack] = await Promise.all([
    deps.stacks.describeChangeSet(plan.region, plan.changeSetArn),
    deps.stacks.describeStack(plan.region, plan.stack),
  ]);
  if (cs.executionStatus !== 'AVAILABLE') {
    throw new CapstanError('conflict', {
      kind: 'cloudformation.changeSetNotAvailable',
      changeSet: plan.changeSetName,
      executionStatus: cs.executionStatus,
      statusReason: cs.statusReason,
    });
  }
  if (stack.updatedAt !== plan.stackUpdatedAt) throw await stackChanged(deps, plan, stack);
  await requireTagStill(deps, plan);
  await deps.stacks.executeChangeSet(plan.region, plan.changeSetArn, req.requestId);
  return {
    data: track(plan, req.requestId, deps.now()),
    lines: [{ kind: 'cloudformation.executing', changeSet: plan.changeSetName }],
  };
}

/**
 * A tag parameter is resolved by the stack when it runs, not when it was reviewed: right before the
 * change, the tag must still name the digest that was checked (and verified, for a promotion).
 */
async function requireTagStill(deps: StackStrategyDeps, plan: StackPlan): Promise<void> {
  const pinned = plan.pinnedTag;
  if (!pinned) return;
  const now = await deps.registry.findImage(plan.region, pinned.repository, pinned.tag);
  if (now?.digest === pinned.digest) return;
  throw new CapstanError('conflict', {
    kind: 'release.tagMoved',
    version: pinned.tag,
    digest: now?.digest ?? 'none',
    reviewedDigest: pinned.digest,
  });
}

/**
 * The stack was updated after the change set was made: said with the stack update that did it, where
 * its events name one (the operation that set the stack's LastUpdatedTime), and the stack's status now.
 */
async function stackChanged(
  deps: StackStrategyDeps,
  plan: StackPlan,
  stack: StackInfo,
): Promise<CapstanError> {
  const since = Date.parse(stack.updatedAt);
  const events = await deps.stacks.events(plan.region, plan.stack, EVENTS_FOR_CHANGER, since).catch(() => []); // who did it is a courtesy: the refusal stands without it
  return new CapstanError('conflict', {
    kind: 'cloudformation.stackChanged',
    stack: plan.stack,
    status: stack.status,
    byToken: changedBy(events, stack.name, since),
  });
}

/** After a restart or an error from apply(): the change set's ExecutionStatus says whether it ran. */
export async function reconcile(
  deps: StackStrategyDeps,
  req: ApplyRequest<StackPlan>,
): Promise<Started<StackTrack> | undefined> {
  const { plan } = req;
  const cs = await deps.stacks.describeChangeSet(plan.region, plan.changeSetArn).catch(() => undefined);
  if (!cs || cs.executionStatus === 'AVAILABLE' || cs.executionStatus === 'UNAVAILABLE') return undefined;
  return {
    data: track(plan, req.requestId, deps.now()),
    lines: [
      {
        kind: 'cloudformation.changeSetIs',
        changeSet: plan.changeSetName,
        executionStatus: cs.executionStatus,
      },
    ],
  };
}

function track(plan: StackPlan, token: string, executedAt: number): StackTrack {
  return { ...plan, token, executedAt, seenEvents: [] };
}
