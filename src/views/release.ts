import type { Environment } from '../domain/catalog.js';
import type { Deployment, PlannedResourceChange } from '../domain/deployment.js';
import { describePrincipals } from '../domain/policy.js';
import { deploymentMessage } from './deploy.js';
import {
  type Block,
  type SlackMessage,
  LIMITS,
  actions,
  context,
  escape,
  section,
  slackDate,
} from './message.js';

export const ACTION = {
  approve: 'capstan_approve',
  reject: 'capstan_reject',
  refresh: 'capstan_refresh',
} as const;

/** Characters of resource lines a review shows before "…and N more" (Slack refuses messages near 13k). */
const RESOURCE_BUDGET = 7000;

export function isFlagged(c: PlannedResourceChange): string[] {
  const flags: string[] = [];
  if (c.replacement === 'True') flags.push(':rotating_light: *REPLACEMENT*');
  if (c.replacement === 'Conditional') flags.push(':warning: *conditional replacement*');
  if (c.action === 'Remove') flags.push(':wastebasket: *REMOVE*');
  if (c.resourceType.startsWith('AWS::IAM::')) flags.push(':closed_lock_with_key: IAM');
  if (/^AWS::EC2::SecurityGroup/.test(c.resourceType)) flags.push(':shield: security group');
  return flags;
}

function changeLine(c: PlannedResourceChange): string {
  const flags = isFlagged(c);
  return `\`${c.action}\` *${escape(c.logicalId)}* ${escape(c.resourceType)}${c.replacement && c.replacement !== 'False' ? ` · replacement: ${c.replacement}` : ''}${flags.length ? ` ${flags.join(' ')}` : ''}`;
}

/** Packs lines into sections of at most 3000 characters each. */
function sections(lines: readonly string[]): Block[] {
  const out: Block[] = [];
  let cur = '';
  for (const l of lines) {
    if (cur && cur.length + l.length + 1 > LIMITS.sectionText) {
      out.push(section(cur));
      cur = '';
    }
    cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) out.push(section(cur));
  return out;
}

export function changeSetConsoleUrl(
  region: string,
  stackId: string | undefined,
  changeSetArn: string | undefined,
): string | undefined {
  if (!stackId || !changeSetArn) return undefined;
  const host = region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  return `https://${host}/cloudformation/home?region=${region}#/stacks/changesets/changes?stackId=${encodeURIComponent(stackId)}&changeSetId=${encodeURIComponent(changeSetArn)}`;
}

function reviewBlocks(d: Deployment, maxBlocks: number): Block[] {
  const r = d.release;
  const blocks: Block[] = [];
  if (r) {
    if (r.parameters.length > 0) {
      blocks.push(
        section(
          `*Parameters*\n${r.parameters.map((p) => `• ${escape(p.key)}: \`${escape(p.from ?? '(none)')}\` → \`${escape(p.to)}\``).join('\n')}`,
        ),
      );
    }
    const replaced = r.changes.filter(
      (c) => c.replacement === 'True' || c.replacement === 'Conditional',
    ).length;
    const removed = r.changes.filter((c) => c.action === 'Remove').length;
    const sensitive = r.changes.filter((c) => /^AWS::(IAM::|EC2::SecurityGroup)/.test(c.resourceType)).length;
    const warnings = [
      replaced ? `${replaced} resource${replaced > 1 ? 's' : ''} *replaced*` : '',
      removed ? `${removed} *removed*` : '',
      sensitive ? `${sensitive} IAM or security-group change${sensitive > 1 ? 's' : ''}` : '',
    ].filter(Boolean);
    if (warnings.length) blocks.push(section(`:warning: *Look closely:* ${warnings.join(', ')}.`));
    // Flagged changes first: they are what a reviewer must not miss.
    const ordered = [...r.changes].sort((a, b) => isFlagged(b).length - isFlagged(a).length);
    const lines: string[] = [];
    let used = 0;
    for (const c of ordered) {
      const l = changeLine(c);
      if (used + l.length > RESOURCE_BUDGET) break;
      lines.push(l);
      used += l.length + 1;
    }
    const header = `*Resource changes* (${r.changes.length})`;
    const body = r.changes.length === 0 ? ['No resource changes (outputs or metadata only).'] : lines;
    const chunks = sections([header, ...body]);
    const room = Math.max(1, maxBlocks - blocks.length - 1);
    blocks.push(...chunks.slice(0, room));
    const shownLines =
      chunks
        .slice(0, room)
        .reduce((n, b) => n + String((b as { text: { text: string } }).text.text).split('\n').length, 0) - 1;
    const hidden = r.changes.length - Math.max(0, Math.min(shownLines, r.changes.length));
    const url = changeSetConsoleUrl(r.region, r.stackId, r.changeSetArn);
    if (hidden > 0)
      blocks.push(
        context([
          `…and ${hidden} more${url ? `: <${url}|see the whole change set in the AWS console>` : ''}`,
        ]),
      );
    else if (url) blocks.push(context([`<${url}|Change set in the AWS console>`]));
  }
  if (d.ecsPlan) {
    blocks.push(
      ...sections([
        '*Task definition changes*',
        ...(d.ecsPlan.diff.length ? d.ecsPlan.diff.map((l) => `• ${escape(l)}`) : ['none']),
      ]).slice(0, 3),
    );
  }
  return blocks;
}

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
    const what = d.release
      ? `change set for ${d.app}/${d.env}`
      : `deploy of ${d.app} ${d.toVersion} to ${d.env}`;
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
  if (d.state === 'failed' && d.reason?.includes('fresh change set')) {
    blocks.push(
      actions(`refresh:${d.id}:${d.rev}`, [
        { text: 'Prepare a fresh change set', actionId: ACTION.refresh, value: d.id },
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
  return { text: base.text, blocks: [...(base.blocks ?? []), ...reviewBlocks(d, room), ...approval] };
}

export function needsReview(d: Deployment): boolean {
  return d.release !== undefined || d.ecsPlan !== undefined;
}
