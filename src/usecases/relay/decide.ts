import { isCapstanError } from '../../domain/errors.js';
import type { ApprovalRefusalFact } from '../../domain/facts/common.js';
import { type PipelineApproval, approvalSummary, routeFor } from '../../domain/pipelineApproval.js';
import { decideApproval, matches } from '../../domain/policy.js';
import { membershipFor } from '../access.js';
import { LOST, retryOnConflict } from '../compareAndSet.js';
import { type RelayDeps, render } from './deps.js';

/** What became of a click on a relayed approval: facts for views/pipeline.ts to word. */
export type PipelineDecision =
  | { readonly kind: 'unknown'; readonly id: string }
  | { readonly kind: 'not_configured'; readonly pipeline: string }
  | {
      readonly kind: 'not_open';
      readonly state: PipelineApproval['state'];
      readonly decidedBy?: string | undefined;
    }
  | { readonly kind: 'expired' }
  | { readonly kind: 'decided_elsewhere' }
  /** The approval rules refused this person (the policy's own reason). */
  | { readonly kind: 'refused'; readonly fact: ApprovalRefusalFact }
  | { readonly kind: 'not_approver' }
  | { readonly kind: 'recorded'; readonly remaining: number }
  | { readonly kind: 'approved'; readonly pipeline: string }
  | { readonly kind: 'rejected'; readonly pipeline: string; readonly stage: string }
  | { readonly kind: 'busy' };

type Decision = 'approve' | 'reject';
type Attempt = PipelineDecision | typeof LOST;

/** Approve, Reject or Approve with comment on a relayed approval, authorized on the clicking user. */
export async function decidePipelineApproval(
  deps: RelayDeps,
  id: string,
  userId: string,
  decision: Decision,
  comment?: string,
): Promise<PipelineDecision> {
  return retryOnConflict(
    () => decideOnce(deps, id, userId, decision, comment),
    () => ({ kind: 'busy' }),
  );
}

/** One attempt on the approval as stored now: checks, counts the click, claims the decision, settles it. */
async function decideOnce(
  deps: RelayDeps,
  id: string,
  userId: string,
  decision: Decision,
  comment: string | undefined,
): Promise<Attempt> {
  const a = await deps.store.getPipelineApproval(id);
  if (!a) return { kind: 'unknown', id };
  const route = routeFor(deps.catalog, a.pipeline);
  if (!route) return { kind: 'not_configured', pipeline: a.pipeline };
  if (a.state !== 'open') return { kind: 'not_open', state: a.state, decidedBy: a.decidedBy };
  const now = deps.clock.now();
  const closed = await closedMeanwhile(deps, a, now);
  if (closed) return closed;
  const membership = await membershipFor(deps.directory, userId, route.policy.approvers);
  let approvals = a.approvals;
  if (decision === 'approve') {
    // The same rules as a release: several groups each with a count, one person counting once.
    const ok = decideApproval({
      policy: route.policy,
      requester: undefined,
      userId,
      membership,
      approvedBy: a.approvals.map((x) => x.userId),
      prior: a.approvals,
    });
    if (!ok.ok) return { kind: 'refused', fact: ok.refusal };
    approvals = [...a.approvals, { userId, at: now, rules: ok.rules }];
    if (!ok.complete) return recordApproval(deps, { ...a, approvals, updatedAt: now }, ok.remaining);
  } else if (!matches(route.policy.approvers, userId, membership)) {
    return { kind: 'not_approver' };
  }
  const claimed = await deps.store.updatePipelineApproval({
    ...a,
    approvals,
    state: 'deciding',
    decidedBy: userId,
    updatedAt: now,
  });
  if (!claimed) return LOST;
  return settle(deps, claimed, decision, comment);
}

/** Expired, or (as CodePipeline has it now) decided in the console: the click cannot work. */
async function closedMeanwhile(
  deps: RelayDeps,
  a: PipelineApproval,
  now: number,
): Promise<PipelineDecision | undefined> {
  if (a.expiresAt !== undefined && a.expiresAt <= now) {
    const next = await deps.store.updatePipelineApproval({ ...a, state: 'expired', updatedAt: now });
    if (next) await render(deps, next);
    return { kind: 'expired' };
  }
  // The console may have decided already: never invite a click that cannot work.
  const live = await deps.pipelines
    .approvalState(a.region, a.pipeline, a.stage, a.action)
    .catch(() => undefined);
  if (live && (live.token !== a.token || live.status !== 'InProgress')) return decidedElsewhere(deps, a, now);
  return undefined;
}

/** An approval that counts but is not yet enough: kept, and the message shows who is still needed. */
async function recordApproval(deps: RelayDeps, a: PipelineApproval, remaining: number): Promise<Attempt> {
  const next = await deps.store.updatePipelineApproval(a);
  if (!next) return LOST;
  await render(deps, next);
  return { kind: 'recorded', remaining };
}

/** CodePipeline has no decision to take any more: the Slack buttons retire. */
async function decidedElsewhere(
  deps: RelayDeps,
  a: PipelineApproval,
  now: number,
): Promise<PipelineDecision> {
  const next = await deps.store.updatePipelineApproval({
    ...a,
    state: 'decided_elsewhere',
    outcome: 'Already decided or expired in CodePipeline',
    updatedAt: now,
  });
  if (next) await render(deps, next);
  return { kind: 'decided_elsewhere' };
}

/** Hands the claimed decision to CodePipeline; when that fails the approval opens again as it was. */
async function settle(
  deps: RelayDeps,
  a: PipelineApproval,
  decision: Decision,
  comment?: string,
): Promise<PipelineDecision> {
  const deciders = decision === 'approve' ? a.approvals.map((x) => x.userId) : [a.decidedBy!];
  const people = await Promise.all(
    deciders.map(async (id) => ({ id, name: await deps.notifier.displayName(id) })),
  );
  const status = decision === 'approve' ? 'Approved' : 'Rejected';
  const summary = approvalSummary(status, people, comment?.trim() ? comment.trim() : undefined);
  const now = deps.clock.now();
  try {
    await deps.pipelines.putApprovalResult({
      region: a.region,
      pipeline: a.pipeline,
      stage: a.stage,
      action: a.action,
      token: a.token,
      status,
      summary,
    });
  } catch (e) {
    if (isCapstanError(e) && e.code === 'conflict') return decidedElsewhere(deps, a, now);
    const reopened = await deps.store.updatePipelineApproval({
      ...a,
      state: 'open',
      decidedBy: undefined,
      approvals: decision === 'approve' ? a.approvals.slice(0, -1) : a.approvals,
      updatedAt: now,
    });
    if (reopened) await render(deps, reopened);
    throw e;
  }
  const next = await deps.store.updatePipelineApproval({
    ...a,
    state: decision === 'approve' ? 'approved' : 'rejected',
    outcome: summary,
    updatedAt: now,
  });
  if (next) await render(deps, next);
  return decision === 'approve'
    ? { kind: 'approved', pipeline: a.pipeline }
    : { kind: 'rejected', pipeline: a.pipeline, stage: a.stage };
}
