import type { VerifyFact } from '../../domain/facts/verify.js';
import { escape, slackDate } from '../message.js';
import { commonWords } from './common.js';
import type { Words } from './words.js';

/** The command that rolls an environment back (never held back by alarms). */
export const rollbackCommand = (f: { readonly app: string; readonly env: string }) =>
  `\`/deploy rollback ${escape(f.app)} ${escape(f.env)}\``;

const alarmName = (name: string) => `\`${escape(name)}\``;

const list = (names: readonly string[]) => names.map(alarmName).join(', ');

/** CloudWatch's reason for a state, without its closing punctuation (a sentence goes on after it). */
const stateReason = (reason: string) => escape(reason.replace(/[.\s]+$/, ''));

type StillInAlarm = Extract<VerifyFact, { kind: 'verify.stillInAlarm' }>;

function stillInAlarm(f: StillInAlarm): string {
  const which = f.alarms
    .map((a) => `${alarmName(a.name)}${a.reason ? ` (${stateReason(a.reason)})` : ''}`)
    .join(', ');
  const one = f.alarms.length === 1;
  const early = f.completedBy ? ` <@${f.completedBy}> completed the verification early.` : '';
  return `:warning: Not verified: ${which} ${one ? 'is' : 'are'} still in ALARM, as ${one ? 'it was' : 'they were'} before this deploy.${early}`;
}

type PlatformAlarms = Extract<VerifyFact, { kind: 'verify.platformAlarms' }>;

/** What the platform does by itself on an alarm, in its own terms. */
function platformDoes(f: PlatformAlarms): string {
  if (f.platform === 'CodeDeploy')
    return f.rollback
      ? 'CodeDeploy stops and rolls back on alarm'
      : 'CodeDeploy stops the deployment on alarm';
  if (f.platform === 'CloudFormation')
    return `CloudFormation rolls back on alarm${f.monitoringMinutes ? ` during the update and ${f.monitoringMinutes} min after it` : ' during the update'}`;
  return f.rollback ? 'ECS rolls back on alarm' : 'ECS fails the deployment on alarm (no rollback)';
}

/** How the platform's alarms and Capstan's `verify.alarms` compare, where the environment verifies. */
function overlap(f: PlatformAlarms): string {
  const both = f.alsoVerified;
  if (both === undefined) return '';
  if (both.length === 0) return " Capstan's bake watches none of them (`verify.alarms` names others).";
  if (both.length === f.alarms.length) return " Capstan's bake watches them too.";
  return ` Capstan's bake also watches ${list(both)}.`;
}

export const verifyWords: Words<VerifyFact> = {
  'verify.platformAlarms': (f) =>
    `:shield: ${platformDoes(f)}: ${list(f.alarms)}${f.ignoresPollFailure ? ' (it goes on when it cannot read them)' : ''}.${overlap(f)}`,
  'verify.platformMonitoring': (f) =>
    `:eyes: ${escape(f.platform)} watches ${list(f.alarms)} for ${f.minutes} min from ${slackDate(f.from, '{time}')} before it completes the update; this counts in the bake.`,
  'verify.alarmed': (f) =>
    `:rotating_light: Alarm ${alarmName(f.alarm)} went off${f.flapped ? ' (and was back to OK when Capstan looked)' : ''}${f.reason ? `: ${stateReason(f.reason)}` : ''}${f.rollbackBy ? `. Roll back chosen by <@${f.rollbackBy}>` : ''}`,
  'verify.rollbackAsked': (f) => `<@${f.by}> asked to roll back during the verification`,
  'verify.baking': (f) =>
    `:stethoscope: Succeeded; now verifying until ${slackDate(f.until, '{time}')}: watching ${f.alarms.length > 0 ? list(f.alarms) : 'no alarm'}${
      f.counted
        ? ` (the bake counts from ${slackDate(f.counted.from, '{time}')}, when ${escape(f.counted.by)} began watching them, and reads their history since)`
        : ''
    }.`,
  'verify.passed': (f) =>
    f.completedBy
      ? `:white_check_mark: <@${f.completedBy}> completed the verification early: verified.`
      : ':white_check_mark: No alarm went off during the bake: verified.',
  'verify.stillInAlarm': stillInAlarm,
  'verify.alarmsUnreadable': (f) =>
    commonWords['aws.callFailed']({
      kind: 'aws.callFailed',
      what: 'the alarms of this verification',
      // AWS's refusal names the action it refused; an error that is only text does not.
      ...(typeof f.error === 'string' && { action: 'cloudwatch:DescribeAlarms' }),
      error: f.error,
    }),
  'verify.kept': (f) =>
    `:raised_hand: <@${f.by}> kept this version although ${f.alarm ? alarmName(f.alarm) : 'an alarm'} went off: ${f.reason ? escape(f.reason) : 'no reason given'}`,
  'verify.extended': (f) => `:hourglass: <@${f.by}> extended the bake until ${slackDate(f.until, '{time}')}.`,
  'verify.alarmFiring': (f) => {
    const one = f.alarms.length === 1;
    const which = f.alarms
      .map((a) => `${alarmName(a.name)} is in ALARM${a.reason ? ` (${stateReason(a.reason)})` : ''}`)
      .join('; ');
    // Said after the reply's own warning sign: no emoji of its own.
    return `Not deployed: ${which}. Deploy to ${escape(f.app)}/${escape(f.env)} once ${one ? 'it is' : 'they are'} OK, or an admin can add \`--override "reason"\`. To go back to the last good version now: ${rollbackCommand(f)} (rollbacks are never held back by alarms).`;
  },
  'verify.noSuchAlarm': (f) =>
    `The verification of ${escape(f.app)}/${escape(f.env)} names alarms that match nothing in CloudWatch (${escape(f.region)}): ${list(f.patterns)}. Fix \`verify.alarms\` in capstan.yml.`,
  'verify.alarmOverridden': (f) =>
    `:warning: <@${f.by}> deployed although ${list(f.alarms)} ${f.alarms.length === 1 ? 'is' : 'are'} in ALARM: ${escape(f.reason)}`,
};
