import { STATE_LABEL } from '../../domain/deployment.js';
import type { Reported, RolloutFact } from '../../domain/facts/rollout.js';
import { escape } from '../message.js';
import { beanstalkWords } from './beanstalk.js';
import { cloudFormationWords } from './cloudformation.js';
import { codeDeployWords } from './codedeploy.js';
import { commonWords } from './common.js';
import { ecsWords } from './ecs.js';
import { promotionWords } from './promotion.js';
import { rollbackCommand, verifyWords } from './verify.js';
import type { Words } from './words.js';

/** What an ending builds on, worded: a fact of its area, or text from outside, escaped. */
export function sayReported(r: Reported): string {
  if (typeof r === 'string') return escape(r);
  const words: Words<Exclude<Reported, string>> = {
    ...commonWords,
    ...ecsWords,
    ...cloudFormationWords,
    ...beanstalkWords,
    ...codeDeployWords,
    'rollout.noProgress': rolloutWords['rollout.noProgress'],
    'verify.alarmed': verifyWords['verify.alarmed'],
    'verify.rollbackAsked': verifyWords['verify.rollbackAsked'],
    'verify.alarmFiring': verifyWords['verify.alarmFiring'],
    'verify.noSuchAlarm': verifyWords['verify.noSuchAlarm'],
    'promotion.notVerified': promotionWords['promotion.notVerified'],
    'promotion.soaking': promotionWords['promotion.soaking'],
    'promotion.rolledBackInSource': promotionWords['promotion.rolledBackInSource'],
  };
  // Each kind's function takes exactly its fact; TypeScript cannot follow that through an index.
  return (words[r.kind] as (f: Exclude<Reported, string>) => string)(r);
}

/**
 * A reason without its closing punctuation, so a sentence built on it never ends ".." or ".)."
 * twice over. An entity's own `;` (`&amp;`, `&lt;`, `&gt;`) stays.
 */
function bare(r: Reported): string {
  const s = sayReported(typeof r === 'string' ? r.replace(/[.;:\s]+$/, '') : r).replace(/[.;:\s]+$/, '');
  return /&(amp|lt|gt)$/.test(s) ? `${s};` : s;
}

export const rolloutWords: Words<RolloutFact> = {
  'rollout.resumed': (f) =>
    `Capstan restarted and picked ${f.phase === 'rollback' ? 'the rollback' : 'this rollout'} up again.`,
  'rollout.noProgress': (f) =>
    `no progress for ${f.seconds}s${f.progress ? ` (${f.progress.done}/${f.progress.total} done)` : ''}`,
  'rollout.outcomeUnknown': (f) => {
    const p = f.lastSeen.progress;
    const seen = `${STATE_LABEL[f.lastSeen.state]}${p ? ` ${p.done}/${p.total}` : ''}`;
    return `Outcome unknown: AWS could not be read for ${f.seconds}s (${sayReported(f.error)}). Last seen: ${seen}. Capstan keeps checking and will replace this with the real outcome.`;
  },
  'rollout.superseded': (f) =>
    f.late
      ? `Superseded by ${escape(f.by)}.`
      : `Superseded by ${escape(f.by)}: someone else's change replaced this one, so Capstan did not roll back over it.`,
  'rollout.cannotFollow': (f) => `${bare(f.cause)}.`,
  'rollout.failedLate': (f) =>
    `${bare(f.cause)}. ${f.rolledBackBy ? `${escape(f.rolledBackBy)} rolled back by itself` : `Capstan did not roll back this late: ${rollbackCommand(f)}`}.`,
  'rollout.putBack': (f) =>
    `${bare(f.cause)}${f.runsNow ? `; ${escape(f.by)} put ${escape(f.runsNow)} back` : ''}`,
  'rollout.rollbackFailed': (f) =>
    `${f.before !== undefined ? `${sayReported(f.before)}; ` : ''}the rollback failed too: ${sayReported(f.cause)}`,
  'rollout.rollbackNotStarted': (f) =>
    `${sayReported(f.cause)}; starting the rollback failed: ${sayReported(f.error)}`,
  'rollout.manualRollback': (f) => `${bare(f.cause)}. Automatic rollback is off here: ${rollbackCommand(f)}.`,
  'rollout.noGoodVersion': (f) =>
    `${bare(f.cause)}. Capstan knows no earlier good version here, so it did not roll back.`,
  'rollout.rollingBackTo': (f) =>
    `:rewind: Rolling back to \`${escape(f.version)}\`, the last version that ${f.verified ? 'was verified' : 'succeeded'} here${f.unverified ? '; none was verified here yet' : ''}.`,
  'rollout.tookEffect': (f) =>
    `:warning: AWS answered with an error (${sayReported(f.error)}), but the change took effect.`,
  'rollout.lockedNotExecuted': (f) =>
    `:lock: Not executed: <@${f.owner}> locked ${escape(f.app)}/${escape(f.env)}${f.reason ? `: ${escape(f.reason)}` : ''}.`,
  'rollout.freezeOverridden': (f) =>
    `:warning: <@${f.by}> overrode the freeze “${escape(f.freeze)}”: ${escape(f.reason)}`,
  'rollout.letGoOn': (f) => `:arrow_forward: <@${f.by}> let it go on (${escape(f.waiting)}).`,
  'rollout.restartedBefore': (f) =>
    f.where !== undefined
      ? `Capstan restarted before ${escape(f.where)} was changed; nothing changed. Run the deploy again.`
      : 'Capstan restarted while preparing this; nothing changed. Run the deploy again.',
};
