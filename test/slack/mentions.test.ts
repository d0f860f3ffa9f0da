import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChat, createSlackDirectory } from '../../src/adapters/slack/chat.js';
import { silentLogger } from '../../src/lib/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { SlackStandIn } from '../../sandbox/slackApi.js';
import { SlackProgress } from '../../src/slack/progress.js';
import { reviewMessage } from '../../src/views/release.js';
import { GROUPS, USERS } from '../fixtures/config.js';
import { POLICY, PROD, ended, release } from '../fixtures/deployments.js';
import { expectWithinBlockKit } from '../views/blockKit.js';

/**
 * The notifier over the real Web API client and adapters, against the Slack stand-in: approver
 * groups resolved through usergroups.list into mentions that notify, failures told to the channel.
 */
let slack: SlackStandIn;
let progress: SlackProgress;

beforeEach(async () => {
  slack = new SlackStandIn({ users: USERS, groups: GROUPS });
  await slack.start();
  const client = new WebClient('xoxb-test-token', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  progress = new SlackProgress({
    chat: createSlackChat(client),
    groups: createSlackDirectory(client),
    clock: systemClock,
    logger: silentLogger,
    postIntervalMs: 5,
    updateIntervalMs: 5,
    // As main.ts renders a review: the group ids go into the approver line.
    render: (d, now, groupIds) => reviewMessage(d, PROD, now, groupIds),
  });
});
afterEach(async () => {
  await progress.flush();
  for (const m of slack.messages) expectWithinBlockKit({ text: m.text, blocks: m.blocks });
  await slack.stop();
});

const review = { kind: 'review_requested', approvers: POLICY.approvers, required: 1 } as const;

describe('approver groups', () => {
  it('a configured @handle is mentioned as <!subteam^ID>, looked up once and cached', async () => {
    const shown = await progress.show(release({ messageTs: undefined, permalink: undefined }));
    expect(shown?.messageTs).toBeDefined();
    const d = release({ messageTs: shown!.messageTs });
    progress.announce(d, review);
    progress.announce(d, review);
    await progress.flush();
    const parent = slack.channelMessages('C0PROD')[0]!;
    expect(JSON.stringify(parent.blocks)).toContain('may approve: <!subteam^S0APPROVERS>, <@U0CAROL>');
    const asked = slack.thread('C0PROD', parent.ts);
    expect(asked).toHaveLength(2);
    expect(asked[0]!.text).toMatch(
      /^:raised_hand: <!subteam\^S0APPROVERS>, <@U0CAROL>: <@U0ALICE> asks for your review/,
    );
    expect(slack.callsOf('usergroups.list')).toHaveLength(1);
  });

  it('without user groups (a free plan, a missing scope) the handle stays a name, and Slack is not asked again at once', async () => {
    slack.failOnce.set('usergroups.list', 'plan_upgrade_required');
    const d = release();
    slack.addMessage({ channel: 'C0PROD', text: 'parent', blocks: [], user: 'UCAPSTAN' });
    progress.announce({ ...d, messageTs: slack.messages[0]!.ts }, review);
    progress.announce({ ...d, messageTs: slack.messages[0]!.ts }, review);
    await progress.flush();
    const asked = slack.thread('C0PROD', slack.messages[0]!.ts);
    expect(asked.map((m) => m.text.slice(0, 40))).toEqual([
      ':raised_hand: @deploy-approvers, <@U0CAR',
      ':raised_hand: @deploy-approvers, <@U0CAR',
    ]);
    expect(slack.callsOf('usergroups.list:error')).toHaveLength(1);
    expect(slack.callsOf('usergroups.list')).toHaveLength(0);
  });
});

describe('what goes to the channel', () => {
  it('a failure is a thread reply broadcast to the channel; a success stays in the thread', async () => {
    slack.addMessage({ channel: 'C0DEV', text: 'parent', blocks: [], user: 'UCAPSTAN' });
    const ts = slack.messages[0]!.ts;
    progress.announce(
      ended('failed', { messageTs: ts, reason: 'CannotPullContainerError: pull access denied' }),
      {
        kind: 'outcome',
      },
    );
    progress.announce(ended('succeeded', { id: 'd-other', messageTs: ts }), { kind: 'outcome' });
    await progress.flush();
    const [failed, succeeded] = slack.thread('C0DEV', ts);
    expect(failed!.broadcast).toBe(true);
    expect(failed!.text).toContain(
      '<@U0ALICE> your deploy of *todobackend* `1.2.3` to *dev* failed: CannotPullContainerError',
    );
    expect(succeeded!.broadcast).toBe(false);
    expect(slack.broadcasts('C0DEV')).toEqual([failed]);
  });
});
