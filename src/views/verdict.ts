import type { RunningVerdict } from '../usecases/verifiedNow.js';
import { clip, escape, slackDate } from './message.js';

/** The longest reason for keeping a version that `status` repeats (the thread keeps all of it). */
const KEPT_REASON_MAX = 200;

/**
 * Whether the version running was verified, under the version in `status` and on the Home tab.
 * `reason`: also why someone kept it after an alarm (where there is room).
 */
export function verdictLine(v: RunningVerdict, reason = false): string {
  switch (v.kind) {
    case 'verified':
      return `:white_check_mark: verified ${slackDate(v.at)}${v.completedBy ? ` (completed early by <@${v.completedBy}>)` : ''}`;
    case 'kept': {
      const alarm = v.alarm ? ` after alarm \`${escape(v.alarm)}\` went off` : '';
      const why = reason && v.reason ? `: ${escape(clip(v.reason, KEPT_REASON_MAX))}` : '';
      return `:warning: not verified: <@${v.by}> kept it ${slackDate(v.at)}${alarm}${why}`;
    }
    case 'stillInAlarm':
      return `:warning: not verified: ${v.alarms.map((a) => `\`${escape(a)}\``).join(', ')} still in ALARM when its bake ended ${slackDate(v.at)}, as before the deploy`;
    case 'unverified':
      return `:warning: not verified: succeeded ${slackDate(v.at)} without a bake`;
  }
}

/** The same in a word, for the compact matrix of every app. */
export function verdictWord(v: RunningVerdict): string {
  return v.kind === 'verified' ? 'verified' : 'not verified';
}
