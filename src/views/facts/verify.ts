import type { VerifyFact } from '../../domain/facts/verify.js';
import { escape, slackDate } from '../message.js';
import type { Words } from './words.js';

const alarmName = (name: string) => `\`${escape(name)}\``;

const list = (names: readonly string[]) => names.map(alarmName).join(', ');

export const verifyWords: Words<VerifyFact> = {
  'verify.alarmed': (f) =>
    `:rotating_light: Alarm ${alarmName(f.alarm)} went off${f.flapped ? ' (and was back to OK when Capstan looked)' : ''}${f.reason ? `: ${escape(f.reason.replace(/[.\s]+$/, ''))}` : ''}`,
  'verify.rollbackAsked': (f) => `<@${f.by}> asked to roll back during the verification`,
  'verify.baking': (f) =>
    `:stethoscope: Succeeded; now verifying until ${slackDate(f.until, '{time}')}: watching ${f.alarms.length > 0 ? list(f.alarms) : 'no alarm'}.`,
  'verify.passed': (f) =>
    f.completedBy
      ? `:white_check_mark: <@${f.completedBy}> completed the verification early: verified.`
      : ':white_check_mark: No alarm went off during the bake: verified.',
  'verify.kept': (f) =>
    `:raised_hand: <@${f.by}> kept this version although ${alarmName(f.alarm)} went off: ${escape(f.reason)}`,
  'verify.extended': (f) => `:hourglass: <@${f.by}> extended the bake until ${slackDate(f.until, '{time}')}.`,
  'verify.alarmFiring': (f) =>
    `:rotating_light: Not deployed: ${f.alarms
      .map(
        (a) =>
          `${alarmName(a.name)} is in ALARM${a.reason ? ` (${escape(a.reason.replace(/[.\s]+$/, ''))})` : ''}`,
      )
      .join(
        '; ',
      )}. Deploy to ${escape(f.app)}/${escape(f.env)} once it is OK, or an admin can add \`--override "reason"\`.`,
  'verify.noSuchAlarm': (f) =>
    `:x: The verification of ${escape(f.app)}/${escape(f.env)} names alarms that match nothing in CloudWatch (${escape(f.region)}): ${list(f.patterns)}. Fix \`verify.alarms\` in capstan.yml.`,
  'verify.alarmOverridden': (f) =>
    `:warning: <@${f.by}> deployed although ${list(f.alarms)} ${f.alarms.length === 1 ? 'is' : 'are'} in ALARM: ${escape(f.reason)}`,
};
