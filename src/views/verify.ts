import type { KnownBlock } from '@slack/types';
import type { Deployment } from '../domain/deployment.js';
import { type AlarmSeen, type BakeDecision, type Verification, alarmsRead } from '../domain/verify.js';
import type { Announcement } from '../ports/notifier.js';
import { sayFact } from './facts/index.js';
import {
  type ButtonSpec,
  type SlackMessage,
  LIMITS,
  actions,
  clip,
  context,
  escape,
  section,
  slackDate,
} from './message.js';
import { describePrincipals } from './principals.js';
import { BAKE_ACTION } from './verifyReplies.js';
import type { BakeChoice } from '../usecases/verify/decide.js';

const MARK: Record<AlarmSeen['state'], string> = {
  OK: ':large_green_circle:',
  ALARM: ':red_circle:',
  INSUFFICIENT_DATA: ':white_circle:',
};

/** The most alarms listed one a line; the rest are counted. */
const SHOWN_ALARMS = 10;

function alarmLine(a: AlarmSeen): string {
  const state = a.state === 'INSUFFICIENT_DATA' ? 'insufficient data (shown, not a failure)' : a.state;
  // In ALARM since before the deploy began: shown with its reason, never a trip.
  const before =
    a.state === 'ALARM' && a.before
      ? `, already in ALARM before this deploy${a.reason ? `: ${escape(a.reason.replace(/[.\s]+$/, ''))}` : ''}`
      : '';
  return `${MARK[a.state]} \`${escape(a.name)}\` ${state}${before}`;
}

function alarmList(alarms: readonly AlarmSeen[]): string {
  if (alarms.length === 0) return 'Reading the alarms…';
  const shown = alarms.slice(0, SHOWN_ALARMS).map(alarmLine);
  const more = alarms.length - shown.length;
  return [...shown, ...(more > 0 ? [`and ${more} more`] : [])].join('\n');
}

const button = (
  d: Deployment,
  text: string,
  action: BakeChoice,
  style?: 'primary' | 'danger',
): ButtonSpec => ({
  text,
  actionId: BAKE_ACTION[action],
  value: d.id,
  style,
});

/** An alarm that went off during the bake comes first, right under the title, while people decide. */
export function alarmFirst(d: Deployment): KnownBlock[] {
  const t = d.verification?.tripped;
  if (d.state !== 'verifying' || !t) return [];
  const fact = { kind: 'verify.alarmed' as const, alarm: t.alarm, reason: t.reason, flapped: t.flapped };
  return [section(clip(`*Alarm:* ${sayFact(fact)}`, LIMITS.sectionText))];
}

/**
 * What the parent message shows of a bake: while verifying, when it ends (and about how long is
 * left at the last look), each alarm and its state, and the buttons; once verified, what was watched.
 */
export function verifyBlocks(d: Deployment, now: number): KnownBlock[] {
  const o = d.alarmOverride;
  const overridden = o
    ? [
        section(
          clip(sayFact({ kind: 'verify.alarmOverridden', ...o, alarms: [...o.alarms] }), LIMITS.sectionText),
        ),
      ]
    : [];
  return [...overridden, ...platformBlocks(d), ...bakeBlocks(d, now)];
}

/** The target's own alarm rollback (ECS, CodeDeploy, CloudFormation), as read when the change was prepared. */
function platformBlocks(d: Deployment): KnownBlock[] {
  const f = d.review?.platformAlarms;
  if (!f || f.alarms.length === 0) return [];
  if (d.state === 'rejected' || d.state === 'expired' || d.state === 'nothing_to_change') return [];
  return [context([clip(sayFact(f), LIMITS.sectionText)])];
}

/** The part of the bake the target watched itself (CloudFormation's monitoring window). */
const countedText = (v: Verification) =>
  v.counted
    ? ` (${escape(v.counted.by)} watched them from ${slackDate(v.counted.from, '{time}')} to ${slackDate(v.counted.until, '{time}')}: counted in the bake)`
    : '';

function bakeBlocks(d: Deployment, now: number): KnownBlock[] {
  const v = d.verification;
  if (!v) return [];
  if (d.state === 'verified') {
    const by =
      v.decision?.kind === 'complete' && v.decision.by ? `; completed early by <@${v.decision.by}>` : '';
    return [
      context([
        `Verified: ${v.alarms.length} alarm${v.alarms.length === 1 ? '' : 's'} watched from ${slackDate(v.startedAt, '{time}')}${countedText(v)}${by}`,
      ]),
    ];
  }
  if (d.state !== 'verifying') return [];
  const left = Math.max(0, Math.ceil((v.endsAt - now) / 60_000));
  const blocks: KnownBlock[] = [];
  if (v.unreadableSince !== undefined)
    blocks.push(
      section(
        `:warning: The alarms could not be read since ${slackDate(v.unreadableSince, '{time}')}: the verification ends only after they are read again (see the thread).`,
      ),
    );
  // After an alarm the bake's end decides nothing (people do, or the rollback): no countdown then.
  const until = v.tripped
    ? ', stopped by the alarm'
    : ` until ${slackDate(v.endsAt, '{time}')} (about ${left} min left)${countedText(v)}`;
  blocks.push(section(clip(`*Verifying*${until}\n${alarmList(v.alarms)}`, LIMITS.sectionText)));
  if (v.decision) return [...blocks, ...decidedBlocks(v.decision)];
  // After an alarm that asks, the bake's end no longer decides anything: people do, and it says since when.
  if (v.tripped)
    blocks.push(
      context([
        `Waiting for *Roll back* or *Keep* since ${slackDate(v.lookedAt ?? v.tripped.at)}; Capstan does not decide by itself${d.kind === 'rollback' ? ' (it does not roll a rollback back again)' : ''}${v.remindedAt !== undefined ? ` (reminded ${slackDate(v.remindedAt)})` : ''}.`,
      ]),
    );
  const buttons = v.tripped
    ? [button(d, 'Roll back', 'rollback', 'danger'), button(d, 'Keep', 'keep')]
    : [
        // Offered once a look has read the alarms, and not while they cannot be read.
        ...(alarmsRead(v) ? [button(d, 'Complete now', 'complete', 'primary')] : []),
        button(d, 'Roll back', 'rollback', 'danger'),
        button(d, 'Extend 10 min', 'extend'),
      ];
  blocks.push(actions(`bake:${d.id}:${d.rev}`, buttons));
  return blocks;
}

/** What was decided on a bake and is being carried out (the buttons are gone): who chose what. */
function decidedBlocks(decision: BakeDecision): KnownBlock[] {
  const by = decision.by ? `<@${decision.by}>` : undefined;
  switch (decision.kind) {
    case 'rollback':
      return [
        context([
          `:rewind: Roll back chosen by ${by ?? 'Capstan'} ${slackDate(decision.at, '{time}')}: rolling back…`,
        ]),
      ];
    case 'keep':
      return [
        context([
          `:raised_hand: Kept by ${by ?? 'Capstan'} ${slackDate(decision.at, '{time}')}: ending the verification…`,
        ]),
      ];
    case 'complete':
      return [
        context([
          `Completed early by ${by ?? 'Capstan'} ${slackDate(decision.at, '{time}')}: ending the verification…`,
        ]),
      ];
    case 'alarm':
      return [context([`Rolling back on the alarm…`])];
    case 'timeUp':
      return [];
  }
}

/** An alarm went off and the environment asks (onAlarm: ask): the alarm first, then who must choose. */
export function alarmAsk(
  d: Deployment,
  a: Extract<Announcement, { kind: 'alarm_ask' }>,
  groupIds?: ReadonlyMap<string, string>,
): { readonly message: SlackMessage; readonly broadcast: boolean } {
  const who = [
    `<@${d.requestedBy}>`,
    ...(a.approvers.length > 0 ? [describePrincipals(a.approvers, groupIds)] : []),
  ].join(', ');
  const again =
    a.waitingSince !== undefined
      ? `:hourglass: Still waiting since ${slackDate(a.waitingSince)} (Capstan does not decide by itself). `
      : '';
  // Rolling back a rollback is a guess: Capstan leaves it to people.
  const rollback =
    d.kind === 'rollback' ? ' This is a rollback: Capstan does not roll it back again by itself.' : '';
  const text = `${again}${sayFact(a.alarm)}.${rollback} ${who}: the ${d.kind === 'rollback' ? 'rollback' : 'deploy'} of *${escape(d.app)}* \`${escape(d.toVersion)}\` to *${escape(d.env)}* waits for you: *Roll back* or *Keep* on the message above.`;
  return { message: { text: clip(text, LIMITS.text) }, broadcast: true };
}
