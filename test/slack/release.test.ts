import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { SkipClock } from '../fakes/skipClock.js';

let h: Harness;
let cfn: FakeCfn;
let ecs: FakeEcs;
let clock: SkipClock;

async function start(yaml = TEST_YAML) {
  clock = new SkipClock();
  cfn = new FakeCfn(clock);
  ecs = new FakeEcs('todobackend-dev', { clock });
  h = await startHarness({ yaml, slack: { users: USERS, groups: GROUPS }, clock, sleep: clock.sleep });
}
afterEach(async () => {
  await h.stop();
  cfn.restore();
  ecs.restore();
});

const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;
const cfnCalls = (c: unknown) => cfn.cfn.commandCalls(c as never);

async function reply(command: string, user = 'U0ALICE'): Promise<string> {
  const r = await h.command(command, { user, channel: 'C0PROD' });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

function message(
  channel: string,
  until: (m: StoredMessage) => boolean,
  timeoutMs = 10_000,
): Promise<StoredMessage> {
  return h.slack.waitFor(() => h.slack.channelMessages(channel).find(until), timeoutMs);
}

const waiting = (m: StoredMessage) => JSON.stringify(m.blocks).includes('capstan_approve');

async function requestRelease(version = '1.2.3', user = 'U0ALICE') {
  const answer = await reply(`todobackend ${version} to prod`, user);
  const id = /request `((?:dep|r)-[a-z0-9]+)`/.exec(answer)?.[1];
  expect(id).toBeDefined();
  return { id: id!, answer };
}

/** A click exactly as Slack sends it: signed, with the clicking user in body.user. */
async function click(
  action: 'capstan_approve' | 'capstan_reject' | 'capstan_refresh',
  value: string,
  user: string,
  m: StoredMessage,
): Promise<string> {
  const r = await h.click({ actionId: action, value, user, message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

describe('releases through a change set', () => {
  it('a parameter-only change: reviewed, approved by someone else, executed, followed to UPDATE_COMPLETE', async () => {
    await start();
    cfn.resources = [{ logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'False' }];
    const { id, answer } = await requestRelease();
    expect(answer).toContain('needs approval');
    const review = await message('C0PROD', waiting);
    const create = cfnCalls(CreateChangeSetCommand)[0]!.args[0].input as Record<string, unknown>;
    expect(create).toMatchObject({
      StackName: 'todobackend-prod',
      UsePreviousTemplate: true,
      ChangeSetType: 'UPDATE',
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [
        { ParameterKey: 'ApplicationImageTag', ParameterValue: '1.2.3' },
        { ParameterKey: 'DesiredCount', UsePreviousValue: true },
        { ParameterKey: 'Environment', UsePreviousValue: true },
      ],
    });
    expect(String(create.ChangeSetName)).toMatch(new RegExp(`^capstan-todobackend-1-2-3-${id}$`));
    const text = body(review);
    expect(text).toContain('ApplicationImageTag: `1.2.2` → `1.2.3`');
    expect(text).toContain('`Modify` *TaskDefinition* AWS::ECS::TaskDefinition');
    expect(text).toContain('Approve this change?');
    expect(text).toContain('capstan_reject'); // Reject asks why in a modal instead of a confirmation
    expect(text).toContain('may approve: <!subteam^S0APPROVERS> (not <@U0ALICE>, who asked)');
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);

    const answerBob = await click('capstan_approve', id, 'U0BOB', review);
    expect(answerBob).toContain('Approved.');
    const done = await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(JSON.stringify(done.blocks)).not.toContain('capstan_approve');
    expect(body(done)).toContain('Approvals 1/1: <@U0BOB>');
    const thread = await h.slack.waitFor(() => {
      const t = h.slack
        .thread('C0PROD', review.ts)
        .map((m) => m.text)
        .join('\n');
      return t.includes('AWS::CloudFormation::Stack *UPDATE_COMPLETE*') ? t : undefined;
    });
    expect(thread).toContain('`TaskDefinition` AWS::ECS::TaskDefinition *UPDATE_COMPLETE*');
    expect(thread).toContain('`todobackend-prod` AWS::CloudFormation::Stack *UPDATE_COMPLETE*');
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(await reply('history todobackend prod')).toContain('*release* `1.2.2` → `1.2.3`: *succeeded*');
    expect(await reply('status todobackend prod')).toContain('`1.2.3`');
  });

  it('replacements, removals and IAM changes are flagged loudly', async () => {
    await start();
    cfn.resources = [
      { logicalId: 'LoadBalancer', type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', replacement: 'True' },
      { logicalId: 'OldQueue', type: 'AWS::SQS::Queue', action: 'Remove' },
      { logicalId: 'TaskRole', type: 'AWS::IAM::Role', replacement: 'Conditional' },
      { logicalId: 'AppSecurityGroup', type: 'AWS::EC2::SecurityGroup', replacement: 'False' },
    ];
    await requestRelease();
    const text = body(await message('C0PROD', waiting));
    expect(text).toContain(
      '*LoadBalancer* AWS::ElasticLoadBalancingV2::LoadBalancer · replacement: True :rotating_light: *REPLACEMENT*',
    );
    expect(text).toContain('`Remove` *OldQueue* AWS::SQS::Queue :wastebasket: *REMOVE*');
    expect(text).toContain(':warning: *conditional replacement* :closed_lock_with_key: IAM');
    expect(text).toContain(':shield: security group');
    expect(text).toContain('2 resources *replaced*, 1 *removed*, 2 IAM or security-group changes');
  });

  it('no changes: says there is nothing to change, deletes the change set, offers no buttons', async () => {
    await start();
    await requestRelease('1.2.2');
    const m = await message('C0PROD', (x) => /nothing to change$/.test(x.text));
    expect(body(m)).toContain('Nothing to change');
    expect(JSON.stringify(m.blocks)).not.toContain('capstan_approve');
    expect(cfnCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('a change set that went OBSOLETE before approval is not executed, and a fresh one is offered', async () => {
    await start();
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    for (const cs of cfn.changeSets.values()) cs.executionStatus = 'OBSOLETE';
    await click('capstan_approve', id, 'U0BOB', review);
    const failed = await message('C0PROD', (m) => m.ts === review.ts && /: failed$/.test(m.text));
    expect(body(failed)).toContain('The change set is OBSOLETE');
    expect(JSON.stringify(failed.blocks)).toContain('capstan_refresh');
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    const fresh = await click('capstan_refresh', id, 'U0BOB', failed);
    expect(fresh).toContain('Preparing a fresh review');
    await h.slack.waitFor(() => h.slack.channelMessages('C0PROD').filter(waiting).length === 1);
  });

  it('a stack that changed in between is not touched', async () => {
    await start();
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    cfn.lastUpdated = new Date(cfn.now() + 60_000);
    await click('capstan_approve', id, 'U0BOB', review);
    const failed = await message('C0PROD', (m) => m.ts === review.ts && /: failed$/.test(m.text));
    expect(body(failed)).toContain('Stack todobackend-prod changed since this change set was made');
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('UPDATE_ROLLBACK_COMPLETE after execute is a failure naming the first failing resource', async () => {
    await start();
    cfn.failing = {
      logicalId: 'Service',
      type: 'AWS::ECS::Service',
      reason: 'Resource handler returned message: "Invalid request provided: CannotPullContainerError"',
    };
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    await click('capstan_approve', id, 'U0CAROL', review);
    const failed = await message('C0PROD', (m) => m.ts === review.ts && /: failed$/.test(m.text));
    expect(body(failed)).toContain(
      'Stack todobackend-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Service (AWS::ECS::Service): Resource handler returned message',
    );
  });

  it('the requester cannot approve their own release, and a non-approver cannot either', async () => {
    await start();
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    expect(await click('capstan_approve', id, 'U0ALICE', review)).toContain(
      'You asked for this change, so someone else has to approve it.',
    );
    expect(await click('capstan_approve', id, 'U0MALLORY', review)).toContain(
      'You are not an approver here. Approvers: @deploy-approvers.',
    );
    expect(await reply(`approve ${id}`, 'U0ALICE')).toContain('someone else has to approve it');
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    const row = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0PROD').find((m) => m.ts === review.ts),
    );
    expect(body(row)).toContain('Approvals 0/1: nobody yet');
  });

  it('two required approvals must come from two distinct people', async () => {
    await start(TEST_YAML.replace('approvals: 1', 'approvals: 2'));
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    expect(await click('capstan_approve', id, 'U0BOB', review)).toContain('1 more needed');
    expect(await click('capstan_approve', id, 'U0BOB', review)).toContain('You already approved this');
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages('C0PROD')
        .find((m) => m.ts === review.ts && body(m).includes('Approvals 1/2: <@U0BOB>')),
    );
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(await reply(`approve ${id}`, 'U0CAROL')).toContain('Approved.');
    await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  it('two simultaneous final approvals lead to exactly one execution; the second clicker is told', async () => {
    await start();
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    const answers = await Promise.all([
      click('capstan_approve', id, 'U0BOB', review),
      click('capstan_approve', id, 'U0CAROL', review),
    ]);
    expect(answers.filter((a) => a.includes('Approved.'))).toHaveLength(1);
    expect(answers.filter((a) => a.includes('is no longer waiting for approval'))).toHaveLength(1);
    await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  it('an expired request cannot be approved, and its message says so', async () => {
    await start(TEST_YAML.replace('approvals: 1', 'approvals: 1\n          approvalTtl: 1s'));
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    clock.skip(1_000);
    const expired = await message('C0PROD', (m) => m.ts === review.ts && /: expired$/.test(m.text));
    expect(JSON.stringify(expired.blocks)).not.toContain('capstan_approve');
    expect(await click('capstan_approve', id, 'U0BOB', review)).toContain(
      'expired; it can no longer be approved or executed',
    );
    expect(cfnCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('reject with a reason deletes the change set and says who and why', async () => {
    await start();
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    expect(await reply(`reject ${id} breaks the login page`, 'U0MALLORY')).toContain(
      'Only an approver, or the person who asked, can reject this.',
    );
    expect(await reply(`reject ${id} breaks the login page`, 'U0BOB')).toContain('Rejected');
    const rejected = await message('C0PROD', (m) => m.ts === review.ts && /: rejected$/.test(m.text));
    expect(body(rejected)).toContain('*Rejected by* <@U0BOB>: breaks the login page');
    expect(JSON.stringify(rejected.blocks)).not.toContain('capstan_approve');
    expect(cfnCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(await click('capstan_approve', id, 'U0CAROL', review)).toContain(
      'was already rejected by <@U0BOB>',
    );
  });

  it('a very large change set stays inside Block Kit limits, pages through NextToken and links to the console', async () => {
    await start();
    cfn.pageSize = 100;
    cfn.resources = Array.from({ length: 640 }, (_, i) => ({
      logicalId: `Function${i}WithAVeryLongLogicalResourceIdentifier`,
      type: 'AWS::Lambda::Function',
      replacement: i % 50 === 0 ? ('True' as const) : ('False' as const),
    }));
    await requestRelease();
    const review = await message('C0PROD', waiting);
    const describes = cfnCalls(DescribeChangeSetCommand).map(
      (c) => (c.args[0].input as { NextToken?: string }).NextToken,
    );
    expect(describes).toContain('600');
    expect(review.blocks.length).toBeLessThanOrEqual(50);
    for (const b of review.blocks as { type: string; text?: { text: string } }[]) {
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    }
    const text = body(review);
    expect(text).toContain('*Resource changes* (640)');
    expect(text).toMatch(
      /…and \d+ more: <https:\/\/console\.aws\.amazon\.com\/cloudformation\/home\?region=us-east-1#\/stacks\/changesets\/changes\?stackId=/,
    );
    expect(JSON.stringify(review.blocks).length).toBeLessThan(12_000);
    // replacements come first, so none is hidden
    expect((text.match(/REPLACEMENT/g) ?? []).length).toBe(13);
  });
});

describe('restarts', () => {
  it('a pending approval and an executing change set survive a restart', async () => {
    await start();
    const { id } = await requestRelease();
    const review = await message('C0PROD', waiting);
    h = await h.restart();
    await click('capstan_approve', id, 'U0BOB', review);
    await h.slack.waitFor(() => cfnCalls(ExecuteChangeSetCommand).length === 1 || undefined);
    h = await h.restart();
    await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(h.slack.channelMessages('C0PROD')).toHaveLength(1);
  });
});

describe('one approval policy for ECS environments too', () => {
  it('an ECS environment that needs approval shows the task definition difference and rolls out only once approved', async () => {
    await start(
      TEST_YAML.replace(
        'deployers: ["*"]\n        rolloutTimeout: 3s',
        'deployers: ["*"]\n          approvers: ["@deploy-approvers"]\n          approvals: 1\n        rolloutTimeout: 3s',
      ),
    );
    const answer = await reply('todobackend 1.2.3 to dev');
    expect(answer).toContain('needs approval');
    const review = await message('C0DEV', waiting);
    expect(body(review)).toContain('containerDefinitions[app].image');
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    const id = /`((?:dep|r)-[a-z0-9]+)`/.exec(body(review))?.[1];
    expect(await click('capstan_approve', id!, 'U0ALICE', review)).toContain(
      'someone else has to approve it',
    );
    await click('capstan_approve', id!, 'U0BOB', review);
    await message('C0DEV', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('a CloudFormation environment without approvals executes its change set at once', async () => {
    await start(
      TEST_YAML.replace('approvers: ["@deploy-approvers"]\n          approvals: 1', 'approvals: 0'),
    );
    await requestRelease();
    await message('C0PROD', (m) => / of todobackend 1\.2\.3 to prod: succeeded$/.test(m.text));
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });
});
