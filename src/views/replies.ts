import type { Environment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import type { ApprovalRefusal, ApprovalResult } from '../usecases/approval.js';
import type { DeployResult } from '../usecases/deploy.js';
import { approvalRefusalText } from './approvals.js';
import { type EnvironmentChoice, chosenEnvironment } from './deploy.js';
import { escape, link } from './message.js';

/** The short answers to the person who typed or clicked (ephemeral), worded here. */

/** Where a deploy is followed, for every ephemeral reply about it: ephemeral replies vanish, the thread stays. */
export function followedIn(d: Deployment): string {
  // A link label cannot hold a channel mention, so the thread link stands beside it.
  const thread = link(d.permalink, 'thread');
  return `in <#${d.channel}>${thread ? ` (${thread})` : ''}`;
}

/** Where to follow a deploy from `typedIn`: its thread when that is the deploy's channel, else the channel too. */
function followFrom(d: Deployment, typedIn: string | undefined): string {
  if (typedIn !== d.channel) return followedIn(d);
  const thread = link(d.permalink, 'thread');
  return thread ? `in its ${thread}` : 'in this channel';
}

/** What the requester is told once a deploy, rollback or release is under way (typed in channel `typedIn`). */
export function startedText(
  r: Extract<DeployResult, { kind: 'started' }>,
  e: Environment,
  choice: EnvironmentChoice,
  typedIn?: string,
): string {
  const d = r.deployment;
  const what = `*${escape(d.app)}* \`${escape(d.toVersion)}\` to *${escape(d.env)}*${chosenEnvironment(e, choice)}`;
  const where = followFrom(d, typedIn);
  if (r.approval)
    return `${d.kind === 'rollback' ? 'Rollback' : 'Release'} of ${what} needs approval: preparing the review of what will change for request \`${d.id}\`; review it ${where}.`;
  return `${d.kind === 'rollback' ? 'Rolling back' : 'Deploying'} ${what} as request \`${d.id}\`; follow it ${where}.`;
}

/** What the person who clicked or typed approve/reject is told. */
export function approvalReply(r: ApprovalResult): string {
  switch (r.kind) {
    case 'refused':
      return `${refusedText(r.refusal)}${r.deployment ? ` The request is ${followedIn(r.deployment)}.` : ''}`;
    case 'approved':
      return `:white_check_mark: Approval recorded for \`${r.deployment.id}\`; ${r.remaining} more needed. Follow it ${followedIn(r.deployment)}.`;
    case 'executing':
      return `:white_check_mark: Approved. \`${r.deployment.id}\` is going ahead; follow it ${followedIn(r.deployment)}.`;
    case 'rejected':
      return `:no_entry_sign: Rejected \`${r.deployment.id}\`; the record is ${followedIn(r.deployment)}.`;
  }
}

/** A click or command the approval rules refused. */
export function refusedText(refusal: ApprovalRefusal): string {
  return `:no_entry: ${approvalRefusalText(refusal)}`;
}

/** A refusal the person can act on (a CapstanError's fact, worded). */
export const warningText = (said: string): string => `:warning: ${said}`;

/** A bug: a reference to find it in the log, never its details. */
export const bugText = (ref: string): string =>
  `:x: Something went wrong on Capstan's side (ref \`${escape(ref)}\`). The details are in its log.`;

export const notAvailableText = (command: string): string =>
  `\`/deploy ${escape(command)}\` is not available yet in this version of Capstan.`;

export const noSuchRequestText = (id: string): string => `There is no request \`${escape(id)}\`.`;

export const freshReviewText = (id: string): string =>
  `Preparing a fresh review (request \`${escape(id)}\`).`;
