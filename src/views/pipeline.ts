import type { KnownBlock, ModalView } from '@slack/types';
import type { Policy } from '../domain/catalog.js';
import type { PipelineApproval, PipelineStageChange } from '../domain/pipelineApproval.js';
import { sayFact } from './facts/index.js';
import { describePrincipals } from './principals.js';
import { reasonModal } from './reasonModal.js';
import type { PipelineDecision } from '../usecases/relay.js';
import { progressLines } from './approvals.js';
import { type SlackMessage, actions, context, escape, fields, link, section, slackDate } from './message.js';

export const PIPELINE_ACTION = {
  approve: 'capstan_pipeline_approve',
  reject: 'capstan_pipeline_reject',
  comment: 'capstan_pipeline_comment',
  modal: 'capstan_pipeline_comment_modal',
} as const;

const OUTCOME: Record<PipelineApproval['state'], string> = {
  open: ':raised_hand: waiting for approval',
  deciding: ':hourglass_flowing_sand: sending the decision to CodePipeline',
  approved: ':white_check_mark: approved',
  rejected: ':no_entry_sign: rejected',
  decided_elsewhere: ':information_source: already decided or expired',
  expired: ':hourglass: expired',
};

/** The comment a decider gave, from the summary CodePipeline keeps ("Approved by … via Capstan: comment"). */
function commentOf(outcome: string | undefined): string | undefined {
  const i = outcome?.indexOf(' via Capstan: ') ?? -1;
  return outcome && i >= 0 ? outcome.slice(i + ' via Capstan: '.length) : undefined;
}

/** Who decided, when, and why; undefined while it is open. */
function decision(a: PipelineApproval): string | undefined {
  const when = slackDate(a.updatedAt);
  const comment = commentOf(a.outcome);
  const why = comment ? `: ${escape(comment)}` : '';
  if (a.state === 'approved')
    return `*Approved by* ${a.approvals.map((x) => `<@${x.userId}>`).join(', ') || 'nobody'} ${when}${why}`;
  if (a.state === 'rejected') return `*Rejected by* <@${a.decidedBy ?? '?'}> ${when}${why}`;
  if (a.state === 'expired') return `*Expired* ${a.expiresAt !== undefined ? slackDate(a.expiresAt) : when}`;
  if (a.state === 'decided_elsewhere')
    return `*Decided outside Slack* ${when}${a.outcome ? `: ${escape(a.outcome)}` : ''}`;
  return undefined;
}

/** `groupIds` (handle → id) turns approver groups into mentions, so they are notified when it is posted. */
export function pipelineApprovalMessage(
  a: PipelineApproval,
  policy: Policy,
  now: number,
  groupIds?: ReadonlyMap<string, string>,
): SlackMessage {
  // A date, not a count down: the message is edited only when someone decides.
  const expires =
    a.expiresAt === undefined ? 'unknown' : a.expiresAt > now ? slackDate(a.expiresAt) : 'expired';
  const decided = decision(a);
  const blocks: KnownBlock[] = [
    section(`*Manual approval* in pipeline *${escape(a.pipeline)}*`),
    ...(decided ? [section(decided)] : []),
    fields([
      `*Stage*\n${escape(a.stage)}`,
      `*Action*\n${escape(a.action)}`,
      `*State*\n${OUTCOME[a.state]}`,
      a.state === 'open' ? `*Expires*\n${expires}` : `*Decided*\n${slackDate(a.updatedAt)}`,
    ]),
  ];
  if (a.customData) blocks.push(section(`*Notes*\n${escape(a.customData)}`));
  const links = [
    link(a.externalLink, 'What to review'),
    link(a.reviewLink, 'Approval in the console'),
    link(a.consoleLink, 'Pipeline'),
  ].filter(Boolean) as string[];
  if (links.length) blocks.push(section(links.join(' · ')));
  const ctx = [...progressLines(policy, a.approvals, groupIds), `request \`${a.id}\``];
  if (a.state === 'open') ctx.push(`may approve: ${describePrincipals(policy.approvers, groupIds)}`);
  blocks.push(context(ctx));
  if (a.state === 'open' && (a.expiresAt === undefined || a.expiresAt > now)) {
    blocks.push(pipelineButtons(a));
  }
  return {
    text: `Manual approval in ${escape(a.pipeline)} (${escape(a.stage)}/${escape(a.action)}): ${OUTCOME[a.state].replace(/^:[a-z_]+: /, '')}`,
    blocks,
  };
}

/** Approve, Reject (each confirmed) and Approve with comment, for the approval's current revision. */
function pipelineButtons(a: PipelineApproval): KnownBlock {
  return actions(`pipeline:${a.id}:${a.rev}`, [
    {
      text: 'Approve',
      actionId: PIPELINE_ACTION.approve,
      value: a.id,
      style: 'primary',
      confirm: {
        title: 'Approve?',
        text: `The pipeline ${a.pipeline} continues past ${a.stage}/${a.action}.`,
        confirm: 'Approve',
        deny: 'Cancel',
      },
    },
    {
      text: 'Reject',
      actionId: PIPELINE_ACTION.reject,
      value: a.id,
      style: 'danger',
      confirm: {
        title: 'Reject?',
        text: `The pipeline ${a.pipeline} stops at ${a.stage}/${a.action}.`,
        confirm: 'Reject',
        deny: 'Cancel',
      },
    },
    { text: 'Approve with comment', actionId: PIPELINE_ACTION.comment, value: a.id },
  ]);
}

export function commentModal(approvalId: string, pipeline: string): ModalView {
  return reasonModal({
    callbackId: PIPELINE_ACTION.modal,
    metadata: approvalId,
    title: 'Approve with comment',
    submit: 'Approve',
    text: `Approve the manual approval in *${escape(pipeline)}*.`,
    blockId: 'comment',
    actionId: 'comment',
    label: 'Comment',
    maxLength: 400,
  });
}

const ICON: Record<string, string> = {
  SUCCEEDED: ':white_check_mark:',
  FAILED: ':x:',
  STARTED: ':arrow_forward:',
  RESUMED: ':arrow_forward:',
  CANCELED: ':no_entry_sign:',
  STOPPED: ':octagonal_sign:',
  SUPERSEDED: ':fast_forward:',
};

/** `:x: *todobackend-pipeline* stage *Deploy* FAILED (execution \`abcdef12\`)` */
export function stageChangeLine(c: PipelineStageChange): string {
  const what = c.stage ? `stage *${escape(c.stage)}*` : 'execution';
  const exec = c.executionId ? ` (execution \`${escape(c.executionId.slice(0, 8))}\`)` : '';
  return `${ICON[c.state] ?? ':information_source:'} *${escape(c.pipeline)}* ${what} ${escape(c.state)}${exec}`;
}

/** The answer to a click on a relayed approval, for the person who clicked. */
export function pipelineDecisionText(r: PipelineDecision): string {
  switch (r.kind) {
    case 'unknown':
      return `There is no pipeline approval \`${escape(r.id)}\`.`;
    case 'not_configured':
      return `Pipeline ${escape(r.pipeline)} is no longer configured in Capstan.`;
    case 'not_open': {
      const state = r.state === 'deciding' ? 'being decided right now' : r.state.replace('_', ' ');
      return `This approval is ${state}${r.decidedBy ? ` (by <@${r.decidedBy}>)` : ''}.`;
    }
    case 'expired':
      return 'This approval has expired.';
    case 'decided_elsewhere':
      return 'This approval was already decided or has expired in CodePipeline.';
    case 'refused':
      return sayFact(r.fact);
    case 'not_approver':
      return 'Only an approver can reject this.';
    case 'recorded':
      return `Approval recorded; ${r.remaining} more needed.`;
    case 'approved':
      return `Approved: ${escape(r.pipeline)} continues.`;
    case 'rejected':
      return `Rejected: ${escape(r.pipeline)} stops at ${escape(r.stage)}.`;
    case 'busy':
      return 'Too many people are deciding on this at once; try again.';
  }
}
