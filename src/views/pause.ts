import type { KnownBlock } from '@slack/types';
import { type Deployment, type PauseDecision, type Tracking, pauseKey } from '../domain/deployment.js';
import { stageName, stageWords, timeoutWords } from './facts/ecsProgressive.js';
import { actions, context, section, slackDate } from './message.js';

/** The buttons of a rollout the target holds at a pause, or in a stage it can roll back from. */
export const PAUSE_ACTION = { proceed: 'capstan_continue', rollBack: 'capstan_roll_back_in_place' } as const;

/**
 * A pause button's value: the request and the pause it was shown for (`<id> <key>`), so that a click
 * after someone else's decision hears of that decision rather than "not waiting".
 */
export function pauseValue(d: Deployment, action: PauseDecision['action']): string {
  return `${d.id} ${pauseKey(d.tracking, action)}`;
}

/** The request and the pause a button names; a value without a key (an older message) names the request alone. */
export function readPauseValue(value: string): { readonly id: string; readonly key?: string } {
  const space = value.indexOf(' ');
  return space === -1 ? { id: value } : { id: value.slice(0, space), key: value.slice(space + 1) };
}

/** Where a progressive rollout is, for the state line: the stage, or the pause it waits at. */
export function whereText(t: Tracking): string | undefined {
  if (t.pause) return `paused at ${stageName(t.pause.stage)}`;
  return t.stage ? stageWords(t.stage) : undefined;
}

/**
 * While ECS holds a rollout at a pause hook: what ECS does when nobody decides, and when (a Slack
 * date), with Continue and Roll back. In any other stage of a progressive rollout: Roll back alone.
 */
export function pauseBlocks(d: Deployment): KnownBlock[] {
  const t = d.tracking;
  if (d.state !== 'rolling_out' || !t?.stage) return [];
  const rollBack = {
    text: 'Roll back',
    actionId: PAUSE_ACTION.rollBack,
    value: pauseValue(d, 'rollback'),
    style: 'danger' as const,
    confirm: {
      title: 'Roll back through ECS?',
      text: `ECS returns ${d.app}/${d.env} to the revision it ran before. Any deployer can roll back.`,
      confirm: 'Roll back',
      deny: 'Cancel',
    },
  };
  if (!t.pause) return [actions(`rollback:${d.id}:${d.rev}`, [rollBack])];
  return [
    section(
      `:double_vertical_bar: *Paused at ${stageName(t.pause.stage)}*: decide whether ECS goes on. If nobody decides, ${timeoutWords(t.pause)}.`,
    ),
    actions(`pause:${d.id}:${d.rev}`, [
      {
        text: 'Continue',
        actionId: PAUSE_ACTION.proceed,
        value: pauseValue(d, 'continue'),
        style: 'primary',
        confirm: {
          title: 'Let ECS go on?',
          text: `ECS goes on from the pause. Only approvers of ${d.app}/${d.env} can continue it.`,
          confirm: 'Continue',
          deny: 'Cancel',
        },
      },
      rollBack,
    ]),
  ];
}

/** A rollout that waits for people outside a pause hook (CodeDeploy blue/green before it reroutes): Continue, and until when. */
export function waitingBlocks(d: Deployment): KnownBlock[] {
  const t = d.tracking;
  if (d.state !== 'rolling_out' || !t?.waiting) return [];
  const until =
    t.waitingUntil === undefined
      ? []
      : [context([`If nobody continues, it is stopped by ${slackDate(t.waitingUntil)} at the latest.`])];
  return [
    ...until,
    actions(`proceed:${d.id}:${d.rev}`, [
      {
        text: 'Continue',
        actionId: PAUSE_ACTION.proceed,
        value: pauseValue(d, 'continue'),
        style: 'primary',
        confirm: {
          title: 'Let the rollout go on?',
          text: `It is ${t.waiting}. Only approvers of ${d.app}/${d.env} can continue it.`,
          confirm: 'Continue',
          deny: 'Cancel',
        },
      },
    ]),
  ];
}

/** Who decided what at the pauses, and when: for `history`. */
export function decisionsText(decisions: readonly PauseDecision[]): string {
  return decisions
    .map(
      (x) =>
        `${x.action === 'continue' ? ':arrow_forward: continued' : ':rewind: rolled back'} by <@${x.by}> ${slackDate(x.at)}${x.stage ? ` at ${stageName(x.stage)}` : ''}`,
    )
    .join(' · ');
}
