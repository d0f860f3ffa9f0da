import type { ModalView } from '@slack/types';
import type { Deployment } from '../domain/deployment.js';
import type { BakeChoice, BakeChoiceResult } from '../usecases/verify/decide.js';
import { escape, slackDate } from './message.js';
import { describePrincipals } from './principals.js';
import { reasonModal } from './reasonModal.js';

/** The action ids of a bake's buttons (views/verify.ts) and the Keep modal. */
export const BAKE_ACTION = {
  complete: 'capstan_bake_complete',
  rollback: 'capstan_bake_rollback',
  extend: 'capstan_bake_extend',
  keep: 'capstan_bake_keep',
  keepModal: 'capstan_bake_keep_modal',
  keepBlock: 'reason',
} as const;

const WHAT: Record<BakeChoice, string> = {
  complete: 'complete this verification',
  rollback: 'roll this back',
  extend: 'extend this verification',
  keep: 'keep this version',
};

/** The answer to a click on a bake's button, seen only by the person who clicked. */
export function bakeChoiceText(r: BakeChoiceResult): string {
  switch (r.kind) {
    case 'unknown_request':
      return `There is no request \`${escape(r.id)}\`.`;
    case 'not_baking':
      return `\`${escape(r.id)}\` is no longer waiting for that: it was decided, or its verification ended.`;
    case 'alarms_unread':
      return r.unreadable
        ? `The alarms of \`${escape(r.id)}\` cannot be read now (see the thread), so its verification cannot be completed: try again after the next look reads them.`
        : `The alarms of \`${escape(r.id)}\` have not been read yet, so its verification cannot be completed: try again after the next look (a few seconds).`;
    case 'not_allowed':
      return `Only ${describePrincipals(r.who)}${r.requester ? ' other than the person who asked' : ''} can ${WHAT[r.choice]} (${escape(r.app)}/${escape(r.env)}).`;
    case 'extended':
      return `Verifying \`${escape(r.id)}\` until ${slackDate(r.until, '{time}')}.`;
    case 'decided':
      return r.choice === 'complete'
        ? `Completing the verification of \`${escape(r.id)}\`.`
        : r.choice === 'keep'
          ? `Keeping this version (\`${escape(r.id)}\`).`
          : `Rolling \`${escape(r.id)}\` back.`;
  }
}

/** Said in the Keep modal when it is submitted without a reason. */
export const KEEP_REASON_MISSING = 'Say why the version stays although its alarm went off.';

/** Asked when Keep is clicked: why the version stays although an alarm went off (kept in the ledger). */
export function keepModal(d: Deployment): ModalView {
  const alarm = d.verification?.tripped?.alarm;
  return reasonModal({
    callbackId: BAKE_ACTION.keepModal,
    metadata: d.id,
    title: 'Keep this version?',
    submit: 'Keep',
    text: `\`${escape(d.toVersion)}\` stays on *${escape(d.app)}/${escape(d.env)}*${alarm ? ` although \`${escape(alarm)}\` went off` : ''}. It will not count as verified.`,
    blockId: BAKE_ACTION.keepBlock,
    actionId: BAKE_ACTION.keepBlock,
    label: 'Why?',
    maxLength: 500,
    placeholder: 'Shown in the thread and kept in the history',
  });
}
