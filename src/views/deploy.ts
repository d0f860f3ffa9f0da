import type { KnownBlock } from '@slack/types';
import { promotionBlocks, promotionPreviewText } from './promotionGate.js';
import type { PromotionPreview } from '../usecases/promotion.js';
import type { Environment } from '../domain/catalog.js';
import { sayWhy } from './why.js';
import {
  type Deployment,
  type DeploymentState,
  type Review,
  STATE_LABEL,
  isTerminal,
} from '../domain/deployment.js';
import { shortDigest } from '../domain/version.js';
import {
  type SlackMessage,
  LIMITS,
  clip,
  context,
  escape,
  fields,
  link,
  section,
  slackDate,
} from './message.js';
import { pauseBlocks, waitingBlocks, whereText } from './pause.js';
import { reviewBlocks } from './review.js';
import { tookText } from './took.js';
import { alarmFirst, verifyBlocks } from './verify.js';

export const EMOJI: Record<DeploymentState, string> = {
  awaiting_approval: ':raised_hand:',
  checking: ':mag:',
  rolling_out: ':rocket:',
  rolling_back: ':rewind:',
  succeeded: ':white_check_mark:',
  verifying: ':stethoscope:',
  verified: ':white_check_mark:',
  failed: ':x:',
  rolled_back: ':leftwards_arrow_with_hook:',
  rollback_failed: ':rotating_light:',
  superseded: ':twisted_rightwards_arrows:',
  outcome_unknown: ':grey_question:',
  rejected: ':no_entry_sign:',
  expired: ':hourglass:',
  nothing_to_change: ':zzz:',
};

/** Endings that did not go as asked: the message leads with why, and the channel hears of them. */
const WENT_WRONG: ReadonlySet<DeploymentState> = new Set([
  'failed',
  'rolled_back',
  'rollback_failed',
  'superseded',
  'outcome_unknown',
]);

export function wentWrong(d: Deployment): boolean {
  return WENT_WRONG.has(d.state);
}

/** The longest reason a message repeats; the thread and the ledger keep the whole of it. */
const REASON_MAX = 1500;

/** A bake ended without verifying it: someone kept it after an alarm, or an alarm from before the deploy is still in ALARM. */
export function endedNotVerified(d: Deployment): boolean {
  return (
    d.state === 'succeeded' && (d.cause?.kind === 'verify.kept' || d.cause?.kind === 'verify.stillInAlarm')
  );
}

/** The sign a message leads with: a warning, not a green check, for a version that succeeded but is not verified. */
export function emojiOf(d: Deployment): string {
  return endedNotVerified(d) ? ':warning:' : EMOJI[d.state];
}

export function stateText(d: Deployment): string {
  const label = STATE_LABEL[d.state];
  if (endedNotVerified(d)) return `${label}, not verified`;
  const t = d.tracking;
  if ((d.state === 'rolling_out' || d.state === 'rolling_back') && t) {
    const progress = t.progress ? ` ${t.progress.done}/${t.progress.total}` : '';
    const where = whereText(t);
    if (where) return `${label}${progress}: ${where}`;
    return `${label}${progress}${t.waiting ? ` (${escape(t.waiting)})` : ''}`;
  }
  if (d.state === 'rolled_back' && t?.rolledBackBy) return `rolled back by ${escape(t.rolledBackBy)}`;
  if (d.state === 'rolled_back' && d.rollbackVersion) return `rolled back to ${escape(d.rollbackVersion)}`;
  return label;
}

export function title(d: Deployment): string {
  const from = d.fromVersion ? `\`${escape(d.fromVersion)}\` → ` : '';
  const verb = d.kind === 'rollback' ? 'Rollback of' : d.kind === 'release' ? 'Release of' : 'Deploy of';
  return `${verb} *${escape(d.app)}* to *${escape(d.env)}*: ${from}\`${escape(d.toVersion)}\``;
}

/** Why it went wrong (or is being rolled back), in one line, as the target told it. */
export function cause(d: Deployment): string | undefined {
  const why = sayWhy(d, REASON_MAX);
  return (wentWrong(d) || d.state === 'rolling_back') && why ? why : undefined;
}

/** What runs after it went wrong, when Capstan knows. */
export function runsNow(d: Deployment): string | undefined {
  if (d.state === 'rolled_back') {
    // A target that rolled back by itself went back to what ran before; Capstan goes to its last good version.
    const v = d.tracking?.rolledBackBy ? d.fromVersion : (d.rollbackVersion ?? d.fromVersion);
    return v ? `\`${escape(v)}\` is running again.` : 'The previous version is running again.';
  }
  if (d.state === 'rollback_failed')
    return 'What runs now is unknown: check the service before deploying again.';
  return undefined;
}

/** Who decided on a request, when, and why; undefined while nobody has. */
function decision(d: Deployment): string | undefined {
  if (d.state === 'rejected' && d.rejectedBy) {
    const when = d.finishedAt !== undefined ? ` · ${slackDate(d.finishedAt)}` : '';
    return `*Rejected by* <@${d.rejectedBy}>: ${escape(d.reason ?? 'no reason given')}${when}`;
  }
  if (d.state === 'expired')
    return `*Expired* ${slackDate(d.finishedAt ?? d.updatedAt)}: ${sayWhy(d) ?? 'nobody approved it in time.'}`;
  if (d.approvals.length > 0 && d.state !== 'awaiting_approval')
    return `*Approved by* ${d.approvals.map((a) => `<@${a.userId}> ${slackDate(a.at)}`).join(', ')}`;
  return undefined;
}

function timing(d: Deployment): string {
  if (isTerminal(d.state)) {
    const took = tookText(d, d.finishedAt ?? d.updatedAt);
    return `*${took.label}*\n${took.text}`;
  }
  if (d.state === 'awaiting_approval') return `*Waiting since*\n${slackDate(d.createdAt)}`;
  // A date, not a count: the message is edited only when something moves, and a count would stop with it.
  const started = d.tracking?.startedAt ?? d.approvals.at(-1)?.at ?? d.createdAt;
  return `*Started*\n${slackDate(started)}`;
}

export interface DeploymentMessageOptions {
  /** The console link is shown by the review that follows. */
  readonly withoutLink?: boolean | undefined;
}

/**
 * The parent message: what went wrong and what runs now first (when it went wrong), then who, what,
 * where, state and time; edited in place as things move.
 */
export function deploymentMessage(
  d: Deployment,
  _now: number,
  o: DeploymentMessageOptions = {},
): SlackMessage {
  const blocks: KnownBlock[] = [section(`${emojiOf(d)} ${title(d)}`), ...alarmFirst(d)];
  const why = cause(d);
  if (why) blocks.push(section(`*Why:* ${why}`));
  const after = runsNow(d);
  if (after) blocks.push(section(`*Now:* ${after}`));
  const decided = decision(d);
  if (decided) blocks.push(section(decided));
  blocks.push(
    fields([
      `*State*\n${stateText(d)}`,
      `*Requested by*\n<@${d.requestedBy}>`,
      timing(d),
      `*Request*\n\`${d.id}\``,
    ]),
  );
  const said = d.state !== 'rejected' && d.state !== 'expired' ? sayWhy(d, REASON_MAX) : undefined;
  if (!why && said) blocks.push(section(`*Why:* ${said}`));
  if (d.override) {
    const o = d.override;
    blocks.push(
      section(
        `:warning: <@${o.by}> overrode the freeze “${escape(o.freeze)}” (in force until ${slackDate(o.until)}): ${clip(escape(o.reason), REASON_MAX)}`,
      ),
    );
  }
  blocks.push(...promotionBlocks(d));
  blocks.push(...verifyBlocks(d, _now));
  blocks.push(contextOf(d, o));
  const paused = pauseBlocks(d);
  blocks.push(...(paused.length > 0 ? paused : waitingBlocks(d)));
  return { text: `${d.kind} of ${d.app} ${escape(d.toVersion)} to ${d.env}: ${stateText(d)}`, blocks };
}

/** The image, what a rollback goes back to, the console link, and where the details are. */
function contextOf(d: Deployment, o: DeploymentMessageOptions): KnownBlock {
  const ctx: string[] = [];
  if (d.imageDigest) ctx.push(`image ${shortDigest(d.imageDigest)}`);
  if (d.rollbackVersion && d.state === 'rolling_back')
    ctx.push(`rolling back to \`${escape(d.rollbackVersion)}\``);
  const aws = o.withoutLink || !d.review?.link ? undefined : link(d.review.link.url, d.review.link.label);
  if (aws) ctx.push(aws);
  ctx.push('details in the thread');
  return context(ctx);
}

/** How an environment nobody named was chosen: said in the reply, so nobody deploys to the wrong one unawares. */
export type EnvironmentChoice = 'typed' | 'channel' | 'first';

export function chosenEnvironment(env: Environment, choice: EnvironmentChoice): string {
  if (choice === 'typed') return '';
  return choice === 'channel'
    ? ` (the environment of this channel)`
    : ` (the first environment of ${escape(env.app)}; name another with \`to &lt;env&gt;\`)`;
}

export function dryRunMessage(
  env: Environment,
  version: string,
  from: string | undefined,
  review: Review,
  unchanged: boolean,
  choice: EnvironmentChoice = 'typed',
  gate?: PromotionPreview,
): SlackMessage {
  const blocks: KnownBlock[] = [
    section(
      `:mag: *Dry run*: deploy of *${escape(env.app)}* to *${escape(env.name)}*${chosenEnvironment(env, choice)}: ${from ? `\`${escape(from)}\` → ` : ''}\`${escape(version)}\``,
    ),
  ];
  if (unchanged) blocks.push(section(`No difference: ${escape(env.name)} already runs this.`));
  else blocks.push(...reviewBlocks(review, LIMITS.blocks - 3, { versions: { from, to: version } }));
  if (gate) blocks.push(section(promotionPreviewText(gate)));
  blocks.push(context(['Nothing was changed. Run the command again without --dry-run to deploy.']));
  return { text: `Dry run: ${env.app} ${escape(version)} to ${env.name}`, blocks };
}
