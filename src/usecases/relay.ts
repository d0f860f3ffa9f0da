import { z } from 'zod';
import type { Catalog } from '../domain/catalog.js';
import { isCapstanError } from '../domain/errors.js';
import { type PipelineApproval, approvalSummary, routeFor } from '../domain/pipelineApproval.js';
import type { ApprovalRefusalFact } from '../domain/facts/common.js';
import { decideApproval, matches } from '../domain/policy.js';
import { errorMessage } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { PipelineNotifier } from '../ports/pipelineNotifier.js';
import type { Pipelines } from '../ports/pipelines.js';
import type { Store } from '../ports/store.js';
import { membershipFor } from './access.js';
import { LOST, retryOnConflict } from './compareAndSet.js';

export interface RelayDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly notifier: PipelineNotifier;
  readonly directory: Directory;
  readonly pipelines: Pipelines;
  readonly clock: Clock;
  readonly logger: Logger;
}

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

/** CodePipeline's manual-approval notification; optional fields may be missing or null, extra ones are ignored. */
export const approvalNotification = z.looseObject({
  region: z.string().min(1),
  consoleLink: text,
  approval: z.looseObject({
    pipelineName: z.string().min(1),
    stageName: z.string().min(1),
    actionName: z.string().min(1),
    token: z.string().min(1),
    expires: text,
    externalEntityLink: text,
    approvalReviewLink: text,
    customData: text,
  }),
});

/** EventBridge "CodePipeline … State Change" events delivered through SNS. */
export const pipelineEvent = z.looseObject({
  'detail-type': z.string().startsWith('CodePipeline'),
  region: z.string().optional(),
  detail: z.looseObject({
    pipeline: z.string(),
    'execution-id': z.string().optional(),
    stage: z.string().optional(),
    action: z.string().optional(),
    state: z.string(),
    type: z.looseObject({ category: z.string().optional() }).optional(),
  }),
});

async function render(deps: RelayDeps, a: PipelineApproval): Promise<void> {
  const route = routeFor(deps.catalog, a.pipeline);
  if (!route) return;
  await deps.notifier
    .update(a, route.policy)
    .catch((e: unknown) =>
      deps.logger.warn('could not update a pipeline approval message', { id: a.id, error: errorMessage(e) }),
    );
}

export type RelayOutcome = 'posted' | 'updated' | 'ignored';

/** One verified SNS notification: an approval request, a pipeline state change, or something Capstan ignores. */
export async function relayNotification(deps: RelayDeps, message: string): Promise<RelayOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    deps.logger.info('ignoring a notification that is not JSON');
    return 'ignored';
  }
  const approval = approvalNotification.safeParse(json);
  if (approval.success) return relayApproval(deps, approval.data);
  const event = pipelineEvent.safeParse(json);
  if (event.success) return relayStateChange(deps, event.data);
  deps.logger.info('ignoring a notification that is neither an approval nor a pipeline event');
  return 'ignored';
}

async function relayApproval(
  deps: RelayDeps,
  n: z.infer<typeof approvalNotification>,
): Promise<RelayOutcome> {
  const route = routeFor(deps.catalog, n.approval.pipelineName);
  if (!route) {
    deps.logger.warn('no channel is configured for this pipeline', { pipeline: n.approval.pipelineName });
    return 'ignored';
  }
  const now = deps.clock.now();
  const expires = n.approval.expires ? Date.parse(n.approval.expires) : Number.NaN;
  const a: PipelineApproval = {
    id: newId('p'),
    rev: 0,
    region: n.region,
    pipeline: n.approval.pipelineName,
    stage: n.approval.stageName,
    action: n.approval.actionName,
    token: n.approval.token,
    expiresAt: Number.isNaN(expires) ? undefined : expires,
    consoleLink: n.consoleLink,
    reviewLink: n.approval.approvalReviewLink,
    externalLink: n.approval.externalEntityLink,
    customData: n.approval.customData,
    channel: route.channel,
    state: 'open',
    approvals: [],
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.createPipelineApproval(a);
  const ts = await deps.notifier.post(a, route.policy);
  await deps.store.updatePipelineApproval({ ...a, messageTs: ts });
  return 'posted';
}

const DONE = new Set(['SUCCEEDED', 'FAILED', 'ABANDONED', 'CANCELED', 'STOPPED', 'SUPERSEDED']);

async function relayStateChange(deps: RelayDeps, e: z.infer<typeof pipelineEvent>): Promise<RelayOutcome> {
  const d = e.detail;
  const route = routeFor(deps.catalog, d.pipeline);
  if (!route) return 'ignored';
  // A decision made elsewhere (the console) retires the Slack buttons.
  if (d.type?.category === 'Approval' && d.stage && d.action && DONE.has(d.state)) {
    for (const a of await deps.store.openPipelineApprovals(d.pipeline, d.stage, d.action)) {
      const next = await deps.store.updatePipelineApproval({
        ...a,
        state: 'decided_elsewhere',
        outcome: `Decided outside Slack: ${d.state}`,
        updatedAt: deps.clock.now(),
      });
      if (next) await render(deps, next);
    }
    return 'updated';
  }
  if (d.action !== undefined) return 'ignored';
  await deps.notifier.stageChanged(route.channel, {
    pipeline: d.pipeline,
    stage: d.stage,
    state: d.state,
    executionId: d['execution-id'],
  });
  return 'posted';
}

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

/** Approve, Reject or Approve with comment on a relayed approval, authorized on the clicking user. */
export async function decidePipelineApproval(
  deps: RelayDeps,
  id: string,
  userId: string,
  decision: 'approve' | 'reject',
  comment?: string,
): Promise<PipelineDecision> {
  return retryOnConflict(
    async () => {
      const a = await deps.store.getPipelineApproval(id);
      if (!a) return { kind: 'unknown', id };
      const route = routeFor(deps.catalog, a.pipeline);
      if (!route) return { kind: 'not_configured', pipeline: a.pipeline };
      if (a.state !== 'open') return { kind: 'not_open', state: a.state, decidedBy: a.decidedBy };
      const now = deps.clock.now();
      if (a.expiresAt !== undefined && a.expiresAt <= now) {
        const next = await deps.store.updatePipelineApproval({ ...a, state: 'expired', updatedAt: now });
        if (next) await render(deps, next);
        return { kind: 'expired' };
      }
      // The console may have decided already: never invite a click that cannot work.
      const live = await deps.pipelines
        .approvalState(a.region, a.pipeline, a.stage, a.action)
        .catch(() => undefined);
      if (live && (live.token !== a.token || live.status !== 'InProgress'))
        return decidedElsewhere(deps, a, now);
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
        if (!ok.complete) {
          const next = await deps.store.updatePipelineApproval({ ...a, approvals, updatedAt: now });
          if (!next) return LOST;
          await render(deps, next);
          return { kind: 'recorded', remaining: ok.remaining };
        }
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
    },
    () => ({ kind: 'busy' }),
  );
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

async function settle(
  deps: RelayDeps,
  a: PipelineApproval,
  decision: 'approve' | 'reject',
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
