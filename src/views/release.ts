import type { KnownBlock } from '@slack/types';
import type { Environment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { describePrincipals } from './principals.js';
import type { ProceedResult } from '../usecases/proceed.js';
import { approvalLines } from './approvals.js';
import { deploymentMessage } from './deploy.js';
import { type SlackMessage, LIMITS, actions, context, escape, slackDate } from './message.js';
import { reviewBlocks } from './review.js';

export const ACTION = {
  approve: 'capstan_approve',
  reject: 'capstan_reject',
  refresh: 'capstan_refresh',
  proceed: 'capstan_continue',
} as const;

function approvalBlocks(
  d: Deployment,
  env: Environment,
  now: number,
  groupIds?: ReadonlyMap<string, string>,
): KnownBlock[] {
  const blocks: KnownBlock[] = [context(approvalLines(d, env, now, groupIds))];
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
        // Asks why in a modal, which is also where it can be cancelled.
        { text: 'Reject', actionId: ACTION.reject, value: d.id, style: 'danger' },
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

/**
 * A release or an approval-gated deploy: the plan, who approved, and the buttons while it waits.
 * Once decided, the plan stays as a record, without buttons or warnings. `groupIds` (handle → id)
 * turns approver groups into mentions.
 */
export function reviewMessage(
  d: Deployment,
  env: Environment,
  now: number,
  groupIds?: ReadonlyMap<string, string>,
): SlackMessage {
  const base = deploymentMessage(d, now, { withoutLink: d.review?.link !== undefined });
  const approval = approvalBlocks(d, env, now, groupIds);
  const room = LIMITS.blocks - (base.blocks?.length ?? 0) - approval.length;
  const review = d.review
    ? reviewBlocks(d.review, room, {
        versions: { from: d.fromVersion, to: d.toVersion },
        decided: d.state !== 'awaiting_approval',
      })
    : [];
  return { text: base.text, blocks: [...(base.blocks ?? []), ...review, ...approval] };
}

/** Requests that need approval show what will change and who decides; the others show progress only. */
export function needsReview(d: Deployment, env: Environment): boolean {
  return env.policy.approvals > 0 || d.offerFresh === true;
}

/** The answer to a click on Continue (a rollout waiting for people). */
export function proceedText(r: ProceedResult): string {
  switch (r.kind) {
    case 'unknown_request':
      return `There is no request \`${escape(r.id)}\`.`;
    case 'not_configured':
      return `\`${r.id}\` is for ${r.app}/${r.env}, which is no longer configured.`;
    case 'not_waiting':
      return r.action === 'rollback'
        ? `\`${escape(r.id)}\` has no rollout in flight that ECS can roll back now.`
        : `\`${escape(r.id)}\` is not waiting for anyone to continue it.`;
    case 'not_allowed':
      return `Only an approver of ${r.app}/${r.env}${r.requester ? ' other than the person who asked' : ''} can let this go on: ${describePrincipals(r.approvers)}.`;
    case 'continuing':
      return `Continuing \`${r.id}\`.`;
    case 'rolling_back':
      return `Rolling \`${r.id}\` back through ECS.`;
    case 'decided_already':
      return `<@${r.decision.by}> already decided ${r.decision.action === 'continue' ? 'to continue' : 'to roll back'} \`${escape(r.id)}\` at ${slackDate(r.decision.at)}.`;
  }
}
