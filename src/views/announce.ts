import { stageName } from './facts/ecsProgressive.js';
import type { Deployment } from '../domain/deployment.js';
import { sayWhy } from './why.js';
import { describePrincipals } from './principals.js';
import type { Announcement } from '../ports/notifier.js';
import { EMOJI, cause, emojiOf, runsNow, stateText, wentWrong } from './deploy.js';
import { type SlackMessage, LIMITS, clip, escape, slackDate } from './message.js';
import { tookText } from './took.js';
import { alarmAsk } from './verify.js';

export interface Said {
  readonly message: SlackMessage;
  /** Shown in the channel too, not only in the thread. */
  readonly broadcast: boolean;
}

function what(d: Deployment): string {
  const noun = d.kind === 'rollback' ? 'rollback' : d.kind === 'release' ? 'release' : 'deploy';
  return `${noun} of *${escape(d.app)}* \`${escape(d.toVersion)}\` to *${escape(d.env)}*`;
}

/** Ends `s` as a sentence, so another can follow it. */
const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

const say = (text: string, broadcast = false): Said => ({
  message: { text: clip(text, LIMITS.text) },
  broadcast,
});

function outcome(d: Deployment): Said | undefined {
  const who = `<@${d.requestedBy}>`;
  const took = tookText(d, d.finishedAt ?? d.updatedAt).text;
  if (wentWrong(d)) {
    const why = cause(d);
    const after = runsNow(d);
    return say(
      `${EMOJI[d.state]} ${who} your ${what(d)} ${stateText(d)}${why ? `: ${sentence(why)}` : '.'}${after ? ` ${after}` : ''}`,
      // Everyone deploying there must know; being replaced by someone else's change is no failure.
      d.state !== 'superseded',
    );
  }
  switch (d.state) {
    case 'succeeded': {
      // After a bake: why it is not verified (kept after an alarm, an alarm still in ALARM).
      const why = d.verification ? sayWhy(d) : undefined;
      // An alarm still in ALARM says "Not verified" itself; a version kept is said to be not verified here.
      const state = d.cause?.kind === 'verify.stillInAlarm' ? 'succeeded' : stateText(d);
      return say(`${emojiOf(d)} ${who} your ${what(d)} ${state} (took ${took})${why ? `: ${why}` : '.'}`);
    }
    case 'verified':
      return say(`${EMOJI[d.state]} ${who} your ${what(d)} is verified (took ${took}).`);
    case 'rejected': {
      const by = d.rejectedBy === d.requestedBy ? 'you' : `<@${d.rejectedBy ?? '?'}>`;
      return say(
        `${EMOJI[d.state]} ${who} your ${what(d)} was rejected by ${by} ${slackDate(d.finishedAt ?? d.updatedAt)}: ${escape(d.reason ?? 'no reason given')}`,
      );
    }
    case 'expired':
      return say(
        `${EMOJI[d.state]} ${who} your ${what(d)} expired ${slackDate(d.finishedAt ?? d.updatedAt)}: nobody approved it in time. Request it again to go ahead.`,
      );
    case 'nothing_to_change':
      return say(`${EMOJI[d.state]} ${who} ${sayWhy(d) ?? 'nothing to change.'}`);
    default:
      return undefined;
  }
}

/**
 * What a turn of a deployment says in its thread, mentioning who must act or know: the approvers
 * when a review waits, the requester on every decision and at the end. Failures go to the channel too.
 */
export function announcement(
  d: Deployment,
  a: Announcement,
  groupIds?: ReadonlyMap<string, string>,
): Said | undefined {
  switch (a.kind) {
    case 'review_requested': {
      const n = a.required;
      return say(
        `:raised_hand: ${describePrincipals(a.approvers, groupIds)}: <@${d.requestedBy}> asks for your review of the ${what(d)}. ${n} approval${n === 1 ? '' : 's'} needed${d.expiresAt !== undefined ? ` by ${slackDate(d.expiresAt)}` : ''}; approve or reject on the message above.`,
      );
    }
    case 'continue_requested': {
      const self = a.selfAllowed ? '' : ` (not <@${d.requestedBy}>, who asked for it)`;
      return say(
        `:raised_hand: ${describePrincipals(a.approvers, groupIds)}: the ${what(d)} waits for one of you${self} to let it go on (${d.tracking?.pause ? `paused at ${stageName(d.tracking.pause.stage)}` : escape(a.waiting)}). Press *Continue* on the message above.`,
      );
    }
    case 'alarm_ask':
      return alarmAsk(d, a, groupIds);
    case 'approved': {
      const at = d.approvals.find((x) => x.userId === a.by)?.at ?? d.updatedAt;
      const next =
        a.remaining > 0
          ? `${a.remaining} more approval${a.remaining === 1 ? '' : 's'} needed.`
          : 'it is going ahead.';
      return say(`:white_check_mark: Approved by <@${a.by}> ${slackDate(at)}. <@${d.requestedBy}>: ${next}`);
    }
    case 'outcome':
      return outcome(d);
  }
}
