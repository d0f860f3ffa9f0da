import type { Environment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { describePrincipals } from '../domain/policy.js';
import { deploymentMessage } from './deploy.js';
import { type Block, type SlackMessage, LIMITS, actions, context, slackDate } from './message.js';
import { reviewBlocks } from './review.js';

export const ACTION = {
  approve: 'capstan_approve',
  reject: 'capstan_reject',
  refresh: 'capstan_refresh',
  proceed: 'capstan_continue',
} as const;

function approvalBlocks(d: Deployment, env: Environment, now: number): Block[] {
  const p = env.policy;
  const required = Math.max(1, p.approvals);
  const who = d.approvals.length ? d.approvals.map((a) => `<@${a.userId}>`).join(', ') : 'nobody yet';
  const lines = [`Approvals ${d.approvals.length}/${required}: ${who}`];
  if (d.state === 'awaiting_approval') {
    lines.push(
      `may approve: ${describePrincipals(p.approvers)}${p.allowSelfApproval ? '' : ` (not <@${d.requestedBy}>, who asked)`}`,
    );
    if (d.expiresAt) lines.push(d.expiresAt > now ? `expires ${slackDate(d.expiresAt)}` : 'expired');
  }
  if (d.rejectedBy) lines.push(`rejected by <@${d.rejectedBy}>`);
  const blocks: Block[] = [context(lines)];
  if (d.state === 'awaiting_approval' && (d.expiresAt === undefined || d.expiresAt > now)) {
    const what = `change of ${d.app}/${d.env} to ${d.toVersion}`;
    blocks.push(
      actions(`approval:${d.id}:${d.rev}`, [
        {
          text: 'Approve',
          actionId: ACTION.approve,
          value: d.id,
          style: 'primary',
          confirm: {
            title: 'Approve this change?',
            text: `Approving runs the ${what} once enough people approved.`,
            confirm: 'Approve',
            deny: 'Cancel',
          },
        },
        {
          text: 'Reject',
          actionId: ACTION.reject,
          value: d.id,
          style: 'danger',
          confirm: {
            title: 'Reject this change?',
            text: `Rejecting discards the ${what}.`,
            confirm: 'Reject',
            deny: 'Cancel',
          },
        },
      ]),
    );
  }
  if (d.state === 'failed' && d.offerFresh) {
    blocks.push(
      actions(`refresh:${d.id}:${d.rev}`, [
        { text: 'Prepare a fresh review', actionId: ACTION.refresh, value: d.id },
      ]),
    );
  }
  return blocks;
}

/** A release or an approval-gated deploy: the plan, who approved, and the buttons while it waits. */
export function reviewMessage(d: Deployment, env: Environment, now: number): SlackMessage {
  const base = deploymentMessage(d, now);
  const approval = approvalBlocks(d, env, now);
  const room = LIMITS.blocks - (base.blocks?.length ?? 0) - approval.length;
  const review = d.review ? reviewBlocks(d.review, room) : [];
  return { text: base.text, blocks: [...(base.blocks ?? []), ...review, ...approval] };
}

/** Requests that need approval show what will change and who decides; the others show progress only. */
export function needsReview(d: Deployment, env: Environment): boolean {
  return env.policy.approvals > 0 || d.offerFresh === true;
}
