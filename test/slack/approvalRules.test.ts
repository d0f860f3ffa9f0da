import { DeleteChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

/** bob is both an SRE and an owner of todobackend; carol and erin are SREs; dave is an owner. */
const PEOPLE = [...USERS, { id: 'U0DAVE', name: 'dave' }, { id: 'U0ERIN', name: 'erin' }];
const TEAMS = [
  ...GROUPS,
  { id: 'S0SRE', handle: 'sre', users: ['U0BOB', 'U0CAROL', 'U0ERIN'] },
  { id: 'S0OWNERS', handle: 'todobackend-owners', users: ['U0BOB', 'U0DAVE'] },
];
const RULES_YAML = TEST_YAML.replace(
  'approvers: ["@deploy-approvers"]\n          approvals: 1',
  'approvals:\n            - { from: ["@sre"], count: 1 }\n            - { from: ["@todobackend-owners"], count: 1 }',
);
const SRE = '(@sre|<!subteam\\^S0SRE>)';
const OWNERS = '(@todobackend-owners|<!subteam\\^S0OWNERS>)';

let h: Harness;
let cfn: FakeCfn;
let ecs: FakeEcs;

async function start(yaml = RULES_YAML) {
  cfn = new FakeCfn();
  ecs = new FakeEcs();
  h = await startHarness({ yaml, slack: { users: PEOPLE, groups: TEAMS } });
}
afterEach(async () => {
  await h.stop();
  cfn.restore();
  ecs.restore();
});

const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;
const cfnCalls = (c: unknown) => cfn.cfn.commandCalls(c as never);
const waiting = (m: StoredMessage) => JSON.stringify(m.blocks).includes('capstan_approve');
const shown = (ts: string, until: (m: StoredMessage) => boolean) =>
  h.slack.waitFor(() => h.slack.channelMessages('C0PROD').find((m) => m.ts === ts && until(m)), 10_000);

async function reply(command: string, user = 'U0ALICE'): Promise<string> {
  const r = await h.command(command, { user, channel: 'C0PROD' });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

async function release(): Promise<{ id: string; review: StoredMessage }> {
  const id = /request `(r-[a-z0-9]+)`/.exec(await reply('todobackend 1.2.3 to prod'))?.[1];
  expect(id).toBeDefined();
  const review = await h.slack.waitFor(() => h.slack.channelMessages('C0PROD').find(waiting));
  return { id: id!, review };
}

async function click(action: string, id: string, user: string, m: StoredMessage): Promise<string> {
  const r = await h.click({ actionId: action, value: id, user, message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

describe('approval rules from several groups', () => {
  it('someone in both groups counts once; the release runs when each rule has its own person', async () => {
    await start();
    const { id, review } = await release();
    expect(body(review)).toContain('Approvals 0/2: nobody yet');
    expect(body(review)).toMatch(new RegExp(`:hourglass_flowing_sand: 0/1 from ${SRE}`));
    expect(body(review)).toMatch(new RegExp(`:hourglass_flowing_sand: 0/1 from ${OWNERS}`));

    expect(await click('capstan_approve', id, 'U0BOB', review)).toContain('1 more needed');
    expect(await click('capstan_approve', id, 'U0BOB', review)).toContain('You already approved this');
    await shown(review.ts, (m) => body(m).includes('Approvals 1/2: <@U0BOB>'));
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);

    // carol can only count for @sre: bob's approval then counts for the owners.
    expect(await click('capstan_approve', id, 'U0CAROL', review)).toContain('Approved.');
    const done = await shown(review.ts, (m) => /: succeeded$/.test(m.text));
    expect(body(done)).toMatch(new RegExp(`:white_check_mark: 1/1 from ${SRE}: <@U0CAROL>`));
    expect(body(done)).toMatch(new RegExp(`:white_check_mark: 1/1 from ${OWNERS}: <@U0BOB>`));
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  it('an approval that cannot count is refused, saying who is still needed', async () => {
    await start();
    const { id, review } = await release();
    expect(await click('capstan_approve', id, 'U0CAROL', review)).toContain('1 more needed');
    expect(await click('capstan_approve', id, 'U0ERIN', review)).toMatch(
      new RegExp(`Your approval would not count: .*Still needed: 1 from ${OWNERS}\\.`),
    );
    expect(await click('capstan_approve', id, 'U0MALLORY', review)).toContain(
      'You are not an approver here.',
    );
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(await click('capstan_approve', id, 'U0DAVE', review)).toContain('Approved.');
    await shown(review.ts, (m) => /: succeeded$/.test(m.text));
  });
});

describe('rejecting from the button asks why', () => {
  it('opens a modal; the reason given there is shown on the request and kept in its history', async () => {
    await start(TEST_YAML);
    const { id, review } = await release();
    const r = await h.click({ actionId: 'capstan_reject', value: id, user: 'U0BOB', message: review });
    expect(r.status).toBe(200);
    const open = await h.slack.waitFor(() => h.slack.callsOf('views.open')[0]);
    const view = JSON.parse(String(open.args.view)) as { callback_id: string; private_metadata: string };
    expect(view).toMatchObject({ callback_id: 'capstan_reject_modal', private_metadata: id });
    // Nothing is rejected until the reason is given.
    expect(
      h.slack.channelMessages('C0PROD').find((m) => m.ts === review.ts && /rejected$/.test(m.text)),
    ).toBeUndefined();

    const blank = await h.submitReason(view, 'U0BOB', '   ');
    const answer = JSON.parse(blank.body) as { response_action?: string; errors?: { reason?: string } };
    expect(answer.response_action).toBe('errors');
    expect(answer.errors?.reason).toMatch(/^Say why/);

    expect((await h.submitReason(view, 'U0BOB', 'breaks the login page <!here>')).status).toBe(200);
    const rejected = await shown(review.ts, (m) => /: rejected$/.test(m.text));
    expect(body(rejected)).toContain('*Rejected by* <@U0BOB>: breaks the login page &lt;!here&gt;');
    expect(JSON.stringify(rejected.blocks)).not.toContain('capstan_approve');
    const told = await h.slack.waitFor(() =>
      h.slack.callsOf('chat.postEphemeral').find((c) => String(c.args.text).includes(`Rejected \`${id}\``)),
    );
    expect(told.args.user).toBe('U0BOB');
    expect(cfnCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(await reply('history todobackend prod')).toContain('breaks the login page &lt;!here&gt;');
  });

  it('someone who may not reject is told at once, and no modal opens', async () => {
    await start(TEST_YAML);
    const { id, review } = await release();
    expect(await click('capstan_reject', id, 'U0MALLORY', review)).toContain(
      'Only an approver, or the person who asked, can reject this.',
    );
    expect(h.slack.callsOf('views.open')).toHaveLength(0);
  });
});
