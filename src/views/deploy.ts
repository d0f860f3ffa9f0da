import type { Environment } from '../domain/catalog.js';
import { type Deployment, type Review, STATE_LABEL, isTerminal } from '../domain/deployment.js';
import { shortDigest } from '../domain/version.js';
import { type Block, type SlackMessage, LIMITS, actions, ago, context, escape, fields, section } from './message.js';
import { reviewBlocks } from './review.js';

const EMOJI: Record<Deployment['state'], string> = {
  awaiting_approval: ':raised_hand:',
  checking: ':mag:',
  rolling_out: ':rocket:',
  rolling_back: ':rewind:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  rolled_back: ':leftwards_arrow_with_hook:',
  rollback_failed: ':rotating_light:',
  superseded: ':twisted_rightwards_arrows:',
  rejected: ':no_entry_sign:',
  expired: ':hourglass:',
  nothing_to_change: ':zzz:',
};

export function stateText(d: Deployment): string {
  const label = STATE_LABEL[d.state];
  const t = d.tracking;
  if ((d.state === 'rolling_out' || d.state === 'rolling_back') && t) {
    const progress = t.progress ? ` ${t.progress.done}/${t.progress.total}` : '';
    return `${label}${progress}${t.waiting ? ` (${t.waiting})` : ''}`;
  }
  if (d.state === 'rolled_back' && t?.rolledBackBy) return `rolled back by ${t.rolledBackBy}`;
  if (d.state === 'rolled_back' && d.rollbackVersion) return `rolled back to ${d.rollbackVersion}`;
  return label;
}

export function title(d: Deployment): string {
  const from = d.fromVersion ? `\`${escape(d.fromVersion)}\` → ` : '';
  const verb = d.kind === 'rollback' ? 'Rollback of' : d.kind === 'release' ? 'Release of' : 'Deploy of';
  return `${verb} *${escape(d.app)}* to *${escape(d.env)}*: ${from}\`${escape(d.toVersion)}\``;
}

/** The parent message: who, what, where, state and elapsed time; edited in place as things move. */
export function deploymentMessage(d: Deployment, now: number): SlackMessage {
  const end = isTerminal(d.state) ? (d.finishedAt ?? d.updatedAt) : now;
  const blocks: Block[] = [
    section(`${EMOJI[d.state]} ${title(d)}`),
    fields([
      `*State*\n${stateText(d)}`,
      `*Requested by*\n<@${d.requestedBy}>`,
      `*Elapsed*\n${ago(end - d.createdAt)}`,
      `*Request*\n\`${d.id}\``,
    ]),
  ];
  if (d.state === 'rejected' && d.rejectedBy)
    blocks.push(section(`*Rejected by* <@${d.rejectedBy}>: ${escape(d.reason ?? 'no reason given')}`));
  else if (d.reason) blocks.push(section(`*Why:* ${escape(d.reason)}`));
  const ctx: string[] = [];
  if (d.imageDigest) ctx.push(`image ${shortDigest(d.imageDigest)}`);
  if (d.rollbackVersion && d.state === 'rolling_back')
    ctx.push(`rolling back to \`${escape(d.rollbackVersion)}\``);
  ctx.push('details in the thread');
  blocks.push(context(ctx));
  if (d.state === 'rolling_out' && d.tracking?.waiting) {
    blocks.push(
      actions(`proceed:${d.id}:${d.rev}`, [
        {
          text: 'Continue',
          actionId: 'capstan_continue',
          value: d.id,
          style: 'primary',
          confirm: {
            title: 'Let the rollout go on?',
            text: `It is ${d.tracking.waiting}. Only approvers of ${d.app}/${d.env} can continue it.`,
            confirm: 'Continue',
            deny: 'Cancel',
          },
        },
      ]),
    );
  }
  return { text: `${d.kind} of ${d.app} ${d.toVersion} to ${d.env}: ${stateText(d)}`, blocks };
}

export function dryRunMessage(
  env: Environment,
  version: string,
  from: string | undefined,
  review: Review,
  unchanged: boolean,
): SlackMessage {
  const blocks: Block[] = [
    section(
      `:mag: *Dry run*: deploy of *${escape(env.app)}* to *${escape(env.name)}*: ${from ? `\`${escape(from)}\` → ` : ''}\`${escape(version)}\``,
    ),
  ];
  if (unchanged) blocks.push(section(`No difference: ${escape(env.name)} already runs this.`));
  else blocks.push(...reviewBlocks(review, LIMITS.blocks - 3));
  blocks.push(context(['Nothing was changed. Run the command again without --dry-run to deploy.']));
  return { text: `Dry run: ${env.app} ${version} to ${env.name}`, blocks };
}
