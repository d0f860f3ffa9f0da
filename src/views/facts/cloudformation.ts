import type { CfnFailedResource, CloudFormationFact } from '../../domain/facts/cloudformation.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

const FRESH_OFFER = 'Prepare a fresh change set to try again.';

const failedResource = (r: CfnFailedResource) =>
  `${escape(r.logicalId)} (${escape(r.resourceType)}): ${escape(r.reason)}`;

/** The alarms that rolled a stack update back come first. */
function triggeredWords(t: { readonly alarms: readonly string[]; readonly named: boolean }): string {
  const names = t.alarms.map((a) => `\`${escape(a)}\``).join(', ');
  if (t.named) return `:rotating_light: Alarm ${names} went off`;
  return `:rotating_light: A rollback trigger went off (one of ${names})`;
}

/**
 * Thread lines are mrkdwn; refusals, reasons and what is missing are sentences (the tracker and
 * the ledger build on them), with only what came from outside escaped.
 */
export const cloudFormationWords: Words<CloudFormationFact> = {
  'cloudformation.resourceEvent': (f) =>
    `\`${escape(f.logicalId)}\` ${escape(f.resourceType)} *${escape(f.status)}*${f.reason ? `: ${escape(f.reason)}` : ''}`,
  'cloudformation.executing': (f) => `Executing change set \`${escape(f.changeSet)}\`.`,
  'cloudformation.changeSetIs': (f) =>
    `Change set \`${escape(f.changeSet)}\` is ${escape(f.executionStatus)}.`,
  'cloudformation.changeSetNotAvailable': (f) =>
    `The change set is ${escape(f.executionStatus)}${f.statusReason ? ` (${escape(f.statusReason)})` : ''}, so it was not executed. ${FRESH_OFFER}`,
  'cloudformation.stackChanged': (f) =>
    `Stack ${escape(f.stack)} changed since this change set was made (${f.byToken ? `by stack update ${escape(f.byToken)}, ` : ''}now ${escape(f.status)}), so it was not executed. ${FRESH_OFFER}`,
  'cloudformation.noImageParameter': (f) =>
    `Stack ${escape(f.stack)} has no parameter ${escape(f.parameter)}; fix \`imageParameter\` in capstan.yml.`,
  'cloudformation.stackBusy': (f) =>
    `Stack ${escape(f.stack)} is ${escape(f.status)}; wait until it settles.`,
  'cloudformation.stackNotFound': (f) =>
    `CloudFormation stack ${escape(f.stack)} does not exist in ${escape(f.region)}.`,
  'cloudformation.stackGone': (f) =>
    `CloudFormation stack ${escape(f.stack)} (${escape(f.region)}) no longer exists`,
  'cloudformation.changeSetFailed': (f) =>
    `CloudFormation could not create the change set: ${escape(f.reason)}`,
  'cloudformation.changeSetInterrupted': () =>
    'Capstan stopped while CloudFormation computed the change set; nothing changed. Run the deploy again.',
  'cloudformation.changeSetTimedOut': (f) =>
    `The change set was still ${escape(f.status)} after ${f.seconds}s.`,
  'cloudformation.operationFailed': (f) =>
    `${f.triggered ? `${triggeredWords(f.triggered)}: CloudFormation rolled the update back. ` : ''}${f.of === 'stack' ? 'Stack' : 'Change set'} ${escape(f.name)} ended ${escape(f.status)}. First failure: ${
      f.firstFailure
        ? failedResource(f.firstFailure)
        : f.account
          ? escape(f.account)
          : 'no failing resource reported'
    }`,
  'cloudformation.stackStatus': (f) => escape(f.status),
};
