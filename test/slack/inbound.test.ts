import { describe, expect, it } from 'vitest';
import { deliveryKey, inboundProblem, kindOf } from '../../src/slack/inbound.js';

const command = {
  command: '/deploy',
  text: 'status',
  user_id: 'U0ALICE',
  channel_id: 'C0DEV',
  response_url: 'https://hooks.slack.com/commands/T/1/x',
  trigger_id: 't1',
};
const click = {
  type: 'block_actions',
  user: { id: 'U0BOB' },
  trigger_id: 't2',
  actions: [{ action_id: 'capstan_approve', value: 'r-1', action_ts: '1.1' }],
};
const mention = {
  type: 'event_callback',
  event_id: 'Ev1',
  event: { type: 'app_mention', text: 'hi', user: 'U0ALICE', channel: 'C0DEV', ts: '1.2' },
};

describe('what Capstan reads from a Slack payload', () => {
  it.each([
    ['a slash command', command],
    [
      'a help command answered in the acknowledgement, without channel or response_url',
      { command: '/deploy', text: 'help', user_id: 'U0ALICE' },
    ],
    ['a button click', click],
    ['a mention', mention],
    [
      'the Home tab opened',
      { type: 'event_callback', event_id: 'Ev2', event: { type: 'app_home_opened', user: 'U0ALICE' } },
    ],
    ['an event Capstan does not listen to', { type: 'event_callback', event: { type: 'reaction_added' } }],
    [
      'a view submission',
      {
        type: 'view_submission',
        user: { id: 'U0BOB' },
        view: { callback_id: 'c', private_metadata: 'r-1', state: { values: { a: { b: { value: null } } } } },
      },
    ],
  ])('accepts %s', (_, body) => {
    expect(inboundProblem(body)).toBeUndefined();
  });

  it.each([
    ['null', null, 'not an object'],
    ['an event callback without an event', { type: 'event_callback', event_id: 'Ev1' }, 'event: event'],
    [
      'a mention whose text is a number',
      { ...mention, event: { ...mention.event, text: 7 } },
      'app_mention: text',
    ],
    ['a command without text', { ...command, text: undefined }, 'slash command: text'],
    ['a command with an unreadable response_url', { ...command, response_url: 'not a url' }, 'response_url'],
    ['a click whose actions are a string', { ...click, actions: 'approve' }, 'block_actions: actions'],
    ['a click without actions', { ...click, actions: [] }, 'block_actions: actions'],
    ['a click without a user', { ...click, user: undefined }, 'block_actions: user'],
    [
      'a view submission without a view',
      { type: 'view_submission', user: { id: 'U0BOB' } },
      'view_submission: view',
    ],
    ['a shortcut', { type: 'shortcut', callback_id: 'x' }, 'nothing in Capstan handles "shortcut"'],
  ])('refuses %s, saying why', (_, body, why) => {
    expect(inboundProblem(body)).toContain(why);
  });

  it('names a payload by its kind, never its content', () => {
    expect(kindOf(mention)).toBe('event:app_mention');
    expect(kindOf(command)).toBe('command');
    expect(kindOf(click)).toBe('block_actions');
    expect(kindOf('x'.repeat(100))).toBe('string');
  });
});

describe('what makes two deliveries the same', () => {
  it('an event by its event_id, whatever else changed between the deliveries', () => {
    expect(deliveryKey(mention)).toBe('slack:event:Ev1');
    expect(deliveryKey({ ...mention, event_time: 2 })).toBe(deliveryKey(mention));
  });

  it('a command or click by its whole payload: a retry repeats it, two real clicks never do', () => {
    expect(deliveryKey(structuredClone(click))).toBe(deliveryKey(click));
    expect(deliveryKey({ ...click, trigger_id: 't3' })).not.toBe(deliveryKey(click));
    expect(deliveryKey(command)).not.toBe(deliveryKey({ ...command, text: 'status todobackend' }));
    expect(deliveryKey(command)).toMatch(/^slack:payload:[0-9a-f]{40}$/);
  });
});
