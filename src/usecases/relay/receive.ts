import { z } from 'zod';
import { type PipelineApproval, routeFor } from '../../domain/pipelineApproval.js';
import { newId } from '../../lib/ids.js';
import { type RelayDeps, render } from './deps.js';

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
