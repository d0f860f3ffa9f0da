import type { ModalView } from '@slack/types';
import type { Environment, Policy } from '../domain/catalog.js';
import { sayFact } from './facts/index.js';
import { type Deployment, STATE_LABEL } from '../domain/deployment.js';
import { type CountedApproval, approvalProgress } from '../domain/policy.js';
import { describePrincipals } from './principals.js';
import { reasonModal } from './reasonModal.js';
import type { ApprovalRefusal } from '../usecases/approval.js';
import { escape, slackDate } from './message.js';

export const REJECT_MODAL = {
  callbackId: 'capstan_reject_modal',
  block: 'reason',
  action: 'reason',
} as const;

const mentions = (users: readonly string[]) => users.map((u) => `<@${u}>`).join(', ');

/**
 * Who approved, and with several rules how far each one is (one person counts for one rule): the
 * same for releases and relayed pipeline approvals.
 */
export function progressLines(
  policy: Policy,
  approvals: readonly CountedApproval[],
  groupIds?: ReadonlyMap<string, string>,
): string[] {
  const progress = approvalProgress(policy, approvals);
  const who = approvals.length ? mentions(approvals.map((a) => a.userId)) : 'nobody yet';
  const lines = [`Approvals ${progress.counted}/${progress.required}: ${who}`];
  if (progress.rules.length > 1) {
    lines.push(
      progress.rules
        .map(({ rule, by }) => {
          const icon = by.length >= rule.count ? ':white_check_mark:' : ':hourglass_flowing_sand:';
          return `${icon} ${by.length}/${rule.count} from ${describePrincipals(rule.from, groupIds)}${by.length ? `: ${mentions(by)}` : ''}`;
        })
        .join('\n'),
    );
  }
  return lines;
}

/**
 * Who approved, and with several rules how far each one is (one person counts for one rule);
 * while it waits, who may still approve and when it expires. `groupIds` (handle → id) turns
 * approver groups into mentions.
 */
export function approvalLines(
  d: Deployment,
  env: Environment,
  now: number,
  groupIds?: ReadonlyMap<string, string>,
): string[] {
  const p = env.policy;
  const lines = progressLines(p, d.approvals, groupIds);
  if (d.state === 'awaiting_approval') {
    lines.push(
      `may approve: ${describePrincipals(p.approvers, groupIds)}${p.allowSelfApproval ? '' : ` (not <@${d.requestedBy}>, who asked)`}`,
    );
    if (d.expiresAt) lines.push(d.expiresAt > now ? `expires ${slackDate(d.expiresAt)}` : 'expired');
  }
  if (d.rejectedBy) lines.push(`rejected by <@${d.rejectedBy}>`);
  return lines;
}

/** Asked when Reject is clicked: the reason is shown on the request and kept in the ledger. */
export function rejectModal(d: Deployment): ModalView {
  return reasonModal({
    callbackId: REJECT_MODAL.callbackId,
    metadata: d.id,
    title: 'Reject this change?',
    submit: 'Reject',
    text: `Rejecting discards the change of *${escape(d.app)}/${escape(d.env)}* to \`${escape(d.toVersion)}\` (request \`${d.id}\`).`,
    blockId: REJECT_MODAL.block,
    actionId: REJECT_MODAL.action,
    label: 'Why?',
    maxLength: 500,
    placeholder: 'Shown on the request and kept in its history',
  });
}

const expired = (id: string) => `\`${escape(id)}\` expired; it can no longer be approved or executed.`;

/** What became of a request that is no longer awaiting approval. */
function decided(d: Deployment): string {
  const by = d.approvals.length
    ? ` (approved by ${d.approvals.map((a) => `<@${a.userId}>`).join(', ')})`
    : '';
  if (d.state === 'rejected') return `\`${d.id}\` was already rejected by <@${d.rejectedBy ?? '?'}>.`;
  if (d.state === 'expired') return expired(d.id);
  return `\`${d.id}\` is no longer waiting for approval: it is ${STATE_LABEL[d.state]}${by}.`;
}

/** Why a click on Approve or Reject changed nothing. */
export function approvalRefusalText(r: ApprovalRefusal): string {
  switch (r.code) {
    case 'unknown_request':
      return `There is no request \`${escape(r.id)}\`.`;
    case 'not_configured':
      return `\`${r.id}\` is for ${escape(r.app)}/${escape(r.env)}, which is no longer configured.`;
    case 'decided':
      return decided(r.deployment);
    case 'expired':
      return expired(r.id);
    case 'policy':
      return sayFact(r.fact);
    case 'not_rejecter':
      return 'Only an approver, or the person who asked, can reject this.';
    case 'busy':
      return 'Too many people are deciding on this at once; try again.';
  }
}
