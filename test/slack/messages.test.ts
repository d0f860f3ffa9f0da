import { ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { SkipClock } from '../fakes/skipClock.js';
import { expectWithinBlockKit } from '../views/blockKit.js';

/**
 * Messages people act on, through signed Slack requests and the Web API stand-in: who is
 * mentioned, what goes to the channel, what a message leads with, what a decided request keeps.
 */
let h: Harness;
let ecs: FakeEcs;
let cfn: FakeCfn;
let clock: SkipClock;

async function start(yaml = TEST_YAML) {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cfn = new FakeCfn(clock);
  h = await startHarness({ yaml, slack: { users: USERS, groups: GROUPS }, clock, sleep: clock.sleep });
}
afterEach(async () => {
  await h.capstan.tracker.tick().catch(() => undefined);
  // Every message Capstan sent in the test, parents, edits, thread replies and answers, fits Block Kit.
  for (const m of h.slack.messages) expectWithinBlockKit({ text: m.text, blocks: m.blocks });
  for (const r of h.slack.responses) expectWithinBlockKit(r.body);
  await h.stop();
  ecs.restore();
  cfn.restore();
});

const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;

async function reply(command: string, user = 'U0ALICE', channel = 'C0DEV'): Promise<string> {
  const r = await h.command(command, { user, channel });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

async function click(action: string, value: string, user: string, m: StoredMessage): Promise<string> {
  const r = await h.click({ actionId: action, value, user, message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

function parent(channel: string, until: (m: StoredMessage) => boolean, timeoutMs = 10_000) {
  return h.slack.waitFor(() => h.slack.channelMessages(channel).find(until), timeoutMs);
}

/** The thread under `m`, once a reply in it matches `until`. */
function threadReply(m: StoredMessage, until: (r: StoredMessage) => boolean): Promise<StoredMessage> {
  return h.slack.waitFor(() => h.slack.thread(m.channel, m.ts).find(until));
}

const blockTexts = (m: StoredMessage) =>
  (m.blocks as { text?: { text: string }; fields?: { text: string }[] }[]).map(
    (b) => b.text?.text ?? b.fields?.map((f) => f.text).join(' | ') ?? '',
  );

describe('deploys on ECS', () => {
  it('a rollback: the requester is mentioned, the channel is told, and the message leads with the cause and what runs now', async () => {
    await start();
    await reply('todobackend 1.2.3');
    const first = await parent('C0DEV', (m) => /1\.2\.3 to dev: succeeded$/.test(m.text));
    const success = await threadReply(first, (r) => r.text.includes('<@U0ALICE> your deploy'));
    expect(success.text).toMatch(
      /^:white_check_mark: <@U0ALICE> your deploy of \*todobackend\* `1\.2\.3` to \*dev\* succeeded \(took \d+/,
    );
    expect(success.broadcast).toBe(false);

    ecs.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await reply('todobackend 1.2.4-broken');
    const msg = await parent('C0DEV', (m) => /1\.2\.4-broken to dev: rolled back to 1\.2\.3$/.test(m.text));
    const [headline, why, now, fields] = blockTexts(msg);
    expect(headline).toContain('Deploy of *todobackend* to *dev*: `1.2.3` → `1.2.4-broken`');
    expect(why).toBe(
      '*Why:* CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
    );
    expect(now).toBe('*Now:* `1.2.3` is running again.');
    expect(fields).toContain('*Request*');

    const told = await threadReply(msg, (r) => r.broadcast === true);
    expect(told.text).toBe(
      ':leftwards_arrow_with_hook: <@U0ALICE> your deploy of *todobackend* `1.2.4-broken` to *dev* rolled back to 1.2.3: CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref. `1.2.3` is running again.',
    );
    const sent = h.slack.callsOf('chat.postMessage').find((c) => c.args.text === told.text)!;
    expect(String(sent.args.reply_broadcast)).toBe('true');
    expect(h.slack.broadcasts('C0DEV')).toHaveLength(1);
  });

  it('identical stop reasons are collapsed in the thread, with short task ids', async () => {
    await start();
    await reply('todobackend 1.2.3');
    await parent('C0DEV', (m) => /1\.2\.3 to dev: succeeded$/.test(m.text));
    ecs.circuitBreaker = { enable: false, rollback: false };
    ecs.behaviour.set('1.2.4-broken', 'cannot_pull');
    await reply('todobackend 1.2.4-broken');
    const msg = await parent('C0DEV', (m) => /1\.2\.4-broken to dev: rolled back to 1\.2\.3$/.test(m.text));
    await threadReply(msg, (r) => r.broadcast === true);
    const stopped = h.slack
      .thread(msg.channel, msg.ts)
      .flatMap((r) => r.text.split('\n'))
      .filter((l) => l.includes('stopped: CannotPullContainerError'));
    // Three tasks stopped, one poll after another: repeats are counted into the line already there.
    const count = (l: string) => Number(/ ×(\d+)$/.exec(l)?.[1] ?? 1);
    expect(stopped.reduce((n, l) => n + count(l), 0)).toBe(3);
    expect(stopped.length).toBeLessThan(3);
    expect(stopped.some((l) => / ×[23]$/.test(l))).toBe(true);
    // The image in the thread: a short digest, not 64 characters.
    expect(
      h.slack
        .thread(msg.channel, msg.ts)
        .map((r) => r.text)
        .join('\n'),
    ).toMatch(/@sha256:[0-9a-f]{12}`/);
  });

  it('--dry-run on a two-container task definition with read-only members shows one line: the image, as tag and short digest', async () => {
    await start();
    const answer = await reply('todobackend 1.2.3 --dry-run');
    const diff = /\*Task definition changes\*\\n([^"]*)"/.exec(answer)?.[1];
    expect(diff).toBe(
      `• containerDefinitions[app].image: todobackend:1.2.2 (${digestOf('1.2.2').slice(0, 19)}) → todobackend:1.2.3 (${digestOf('1.2.3').slice(0, 19)})`,
    );
    for (const noise of [
      'log-router',
      'revision',
      'registeredAt',
      'compatibilities',
      'requiresAttributes',
      'dkr.ecr',
    ])
      expect(answer).not.toContain(noise);
    expect(answer).toContain('|ECS service todobackend-dev>');
  });

  it('every ephemeral reply about a deploy links its thread, and names its channel when typed elsewhere', async () => {
    await start();
    // Typed in dev's channel: the reply reads once, in one bracket, and points at the thread here.
    const here = await reply('todobackend 1.2.3');
    expect(here).toMatch(
      /Deploying \*todobackend\* `1\.2\.3` to \*dev\* \(the environment of this channel\) as request `(?:dep|r)-[a-z0-9]+`; follow it in its <http:\/\/127\.0\.0\.1:\d+\/archives\/C0DEV\/p\d+\|thread>\./,
    );
    expect(here).not.toContain('<#C0DEV>');
    expect(here).not.toContain(') (');
    // A release typed in dev's channel: its review is in prod's channel, named, with the thread beside it.
    const elsewhere = await reply('todobackend 1.2.3 to prod');
    expect(elsewhere).toMatch(
      /needs approval: preparing the review of what will change for request `(?:dep|r)-[a-z0-9]+`; review it in <#C0PROD> \(<http:\/\/127\.0\.0\.1:\d+\/archives\/C0PROD\/p\d+\|thread>\)\./,
    );
  });
});

describe('releases', () => {
  const prod = (yaml = TEST_YAML) => start(yaml);
  const waiting = (m: StoredMessage) => JSON.stringify(m.blocks).includes('capstan_approve');

  async function requestRelease() {
    const answer = await reply('todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD');
    const id = /request `(r-[a-z0-9]+)`/.exec(answer)![1]!;
    return { id, review: await parent('C0PROD', waiting) };
  }

  it('a data store replaced is flagged; the task definition replaced for the new image is not', async () => {
    await prod();
    cfn.resources = [
      { logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'True' },
      { logicalId: 'Database', type: 'AWS::RDS::DBInstance', replacement: 'True' },
    ];
    const { review } = await requestRelease();
    const text = body(review);
    expect(text).toContain(
      '`Modify` *Database* AWS::RDS::DBInstance · replacement: True :rotating_light: *REPLACEMENT* (holds data)',
    );
    expect(text).toContain('`Modify` *TaskDefinition* AWS::ECS::TaskDefinition · new revision (expected)"');
    expect(text).toContain(
      ':warning: *Look closely:* 1 resource *replaced*; 1 replaced resource holds data or traffic.',
    );
  });

  it('an image-only change set raises no alarm', async () => {
    await prod();
    cfn.resources = [
      { logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'True' },
      { logicalId: 'Service', type: 'AWS::ECS::Service', replacement: 'False' },
    ];
    const { review } = await requestRelease();
    expect(body(review)).not.toContain('Look closely');
    expect(body(review)).not.toContain(':rotating_light:');
  });

  it('approvals: each is recorded in the thread with the requester mentioned; the decided message keeps no buttons or warnings', async () => {
    await prod(TEST_YAML.replace('approvals: 1', 'approvals: 2'));
    cfn.resources = [{ logicalId: 'Database', type: 'AWS::RDS::DBInstance', replacement: 'Conditional' }];
    const { id, review } = await requestRelease();
    expect(body(review)).toContain('Look closely');

    const first = await click('capstan_approve', id, 'U0BOB', review);
    expect(first).toContain('1 more needed. Follow it in <#C0PROD> (<http');
    const one = await threadReply(review, (r) =>
      r.text.startsWith(':white_check_mark: Approved by <@U0BOB>'),
    );
    expect(one.text).toMatch(/<!date\^\d+\^.*<@U0ALICE>: 1 more approval needed\.$/);

    expect(await reply(`approve ${id}`, 'U0CAROL', 'C0PROD')).toContain(
      'is going ahead; follow it in <#C0PROD> (<http',
    );
    await threadReply(
      review,
      (r) => r.text.includes('Approved by <@U0CAROL>') && r.text.endsWith('it is going ahead.'),
    );
    const done = await parent('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(body(done)).toMatch(/\*Approved by\* <@U0BOB> <!date\^\d+\^[^>]+>, <@U0CAROL> <!date/);
    expect(body(done)).not.toContain('capstan_approve');
    expect(body(done)).not.toContain('Look closely');
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    const outcome = await threadReply(review, (r) => r.text.includes('<@U0ALICE> your release'));
    expect(outcome.text).toContain('succeeded');
    expect(outcome.broadcast).toBe(false);
  });

  it('a rejection: who, when and why on the message and in the thread, the requester told, the buttons gone', async () => {
    await prod();
    const { id, review } = await requestRelease();
    const answer = await reply(`reject ${id} breaks <the> login page`, 'U0BOB', 'C0PROD');
    expect(answer).toContain('the record is in <#C0PROD> (<http');
    const rejected = await parent('C0PROD', (m) => m.ts === review.ts && /: rejected$/.test(m.text));
    expect(body(rejected)).toMatch(/\*Rejected by\* <@U0BOB>: breaks &lt;the&gt; login page · <!date\^\d+/);
    expect(JSON.stringify(rejected.blocks)).not.toContain('"actions"');
    const told = await threadReply(rejected, (r) => r.text.includes('was rejected by'));
    expect(told.text).toMatch(
      /^:no_entry_sign: <@U0ALICE> your release of \*todobackend\* `1\.2\.3` to \*prod\* was rejected by <@U0BOB> <!date\^\d+\^[^>]+>: breaks &lt;the&gt; login page$/,
    );
    // Asking again about a decided request links to it too.
    expect(await reply(`approve ${id}`, 'U0CAROL', 'C0PROD')).toMatch(
      /already rejected by <@U0BOB>\. The request is in <#C0PROD> \(<http/,
    );
  });

  it('an expired request says so in the thread and to its requester', async () => {
    await prod(TEST_YAML.replace('approvals: 1', 'approvals: 1\n          approvalTtl: 1s'));
    const { review } = await requestRelease();
    clock.skip(1_000);
    const told = await threadReply(review, (r) => r.text.includes('expired'));
    expect(told.text).toMatch(/^:hourglass: <@U0ALICE> your release .* expired <!date\^\d+/);
    const expired = await parent('C0PROD', (m) => m.ts === review.ts && /: expired$/.test(m.text));
    expect(body(expired)).toMatch(/\*Expired\* <!date\^\d+/);
    expect(JSON.stringify(expired.blocks)).not.toContain('"actions"');
  });
});
