import { textFact } from '../fakes/ports.js';
import { DescribeChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { ConfirmSubscriptionCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Environment, Policy } from '../../src/domain/catalog.js';
import {
  DEPLOYMENT_STATES,
  type Deployment,
  type DeploymentState,
  type Lock,
  type Review,
} from '../../src/domain/deployment.js';
import type { PipelineApproval, PipelineApprovalState } from '../../src/domain/pipelineApproval.js';
import type { RecordedCall } from '../../sandbox/slackApi.js';
import { approvalReply } from '../../src/views/replies.js';
import type { EnvStatus } from '../../src/usecases/status.js';
import { announcement } from '../../src/views/announce.js';
import { deploymentMessage, dryRunMessage } from '../../src/views/deploy.js';
import { historyMessage } from '../../src/views/history.js';
import { lockedMessage, unlockedMessage } from '../../src/views/lock.js';
import { commentModal, pipelineApprovalMessage, stageChangeLine } from '../../src/views/pipeline.js';
import { reviewMessage } from '../../src/views/release.js';
import { statusDetail, statusMatrix } from '../../src/views/status.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { TOPIC, type TestSigner, approvalMessage, notification, testSigner } from '../support/snsSigning.js';

/**
 * Text that would notify everyone, link to a phishing page under a friendly label, mention an
 * admin and start a quote, if it reached Slack as markup rather than as text.
 */
const HOSTILE = '<!channel> <https://evil.example/phish|click here> & > <@U0ADMIN>';
/** The same, as text: what Slack must receive. */
const ESCAPED = '&lt;!channel&gt; &lt;https://evil.example/phish|click here&gt; &amp; &gt; &lt;@U0ADMIN&gt;';

// ---------------------------------------------------------------- what counts as a leak

/** Markup Capstan writes itself: mentions of the people involved, channels, dates, user groups. */
const OWN_MARKUP = [
  /<@(?!U0ADMIN)[UW][A-Z0-9]+>/g,
  /<#C[A-Z0-9]+(?:\|[^<>|]*)?>/g,
  /<!date\^\d+\^[^|<>]+\|[^<>]+>/g,
  /<!subteam\^S[A-Z0-9]+(?:\|[^<>]*)?>/g,
];
/** A link: URL, then the label Slack shows. A URL field may name any page (its `|` and `>` encoded). */
const LINK = /<(https?:\/\/[^|<>]+)\|([^<>]*)>/g;

/** What in one mrkdwn string is markup that came from outside: none is allowed. */
function leaks(mrkdwn: string): string[] {
  const found = new Set<string>();
  let rest = mrkdwn;
  for (const own of OWN_MARKUP) rest = rest.replace(own, ' ');
  rest = rest.replace(LINK, (_whole, _url: string, label: string) => {
    // The hostile link itself, still a link: its label is what the reader would click.
    if (label.trim() === 'click here') found.add('a link labelled from outside');
    return ' ';
  });
  if (/<!/.test(rest)) found.add('a broadcast or special command');
  if (/<@/.test(rest)) found.add('a mention from outside');
  if (/[<>]/.test(rest)) found.add('raw < or >');
  if (/&(?!amp;|lt;|gt;)/.test(rest)) found.add('raw &');
  return found.size
    ? [`${[...found].join(', ')} in: ${mrkdwn.length > 200 ? `${mrkdwn.slice(0, 200)}…` : mrkdwn}`]
    : [];
}

/** Fails with every leak listed, one a line. */
function expectNone(found: readonly string[], what = 'leaks'): void {
  expect([...new Set(found)].join('\n'), what).toBe('');
}

/** Every string Slack reads as mrkdwn in a message, a modal or a Home tab: `text` and mrkdwn text objects. */
function mrkdwnIn(payload: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, top: boolean): void => {
    if (typeof v === 'string' && /^[[{]/.test(v)) {
      try {
        walk(JSON.parse(v), false);
      } catch {
        // not JSON: plain text
      }
      return;
    }
    if (Array.isArray(v)) return v.forEach((x) => walk(x, false));
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.text === 'string' && (o.type === 'mrkdwn' || (top && o.mrkdwn !== false))) out.push(o.text);
    for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x, false);
  };
  walk(payload, true);
  return out;
}

/** Everything Capstan sent to Slack as mrkdwn, one string a line. */
function shown(hh: Harness): string {
  return hh.slack.calls.flatMap((c) => mrkdwnIn(c.args)).join('\n');
}

/** Leaks in everything Capstan sent to Slack, named by the call that carried them. */
function leaksInCalls(calls: readonly RecordedCall[]): string[] {
  const sends = /^(chat\.(postMessage|update|postEphemeral)|views\.(open|publish|update)|response_url)$/;
  return calls
    .filter((c) => sends.test(c.method))
    .flatMap((c) => mrkdwnIn(c.args).flatMap((s) => leaks(s).map((l) => `${c.method}: ${l}`)));
}

describe('the leak detector', () => {
  it('finds each kind of hostile markup, and accepts what Capstan writes itself', () => {
    expect(leaks(HOSTILE)).toEqual([
      `a link labelled from outside, a broadcast or special command, a mention from outside, raw < or >, raw & in: ${HOSTILE}`,
    ]);
    expect(leaks('<!here> deploy')).not.toEqual([]);
    expect(leaks('> quoted')).toHaveLength(1);
    expect(leaks('see <https://x.example/a|click here>')).toHaveLength(1);
    expect(leaks('fine: &amp; &lt;!channel&gt; <@U0ALICE> <#C0DEV> <!date^1700000000^{time}|12:00>')).toEqual(
      [],
    );
    expect(leaks('<https://console.aws.amazon.com/x?a=1&b=2|ECS service x> `1.2.2` → `1.2.3`')).toEqual([]);
    expect(
      mrkdwnIn({ text: 'a', blocks: [{ type: 'section', text: { type: 'plain_text', text: '<!x>' } }] }),
    ).toEqual(['a']);
  });
});

// ---------------------------------------------------------------- through the real HTTP path

const PIPELINE_YAML = `${TEST_YAML}
sns:
  topics: [${TOPIC}]
pipelines:
  - name: todobackend-*
    channel: C0PIPE
    policy:
      approvers: ["@deploy-approvers"]
      approvals: 1
`;

let signer: TestSigner;
let h: Harness | undefined;
let ecs: FakeEcs;
let cfn: FakeCfn;
const codepipeline = mockClient(CodePipelineClient);
const sns = mockClient(SNSClient);
// Test files share a worker without isolation: the real send comes back for the next file.
afterAll(() => {
  codepipeline.restore();
  sns.restore();
});

beforeAll(async () => {
  signer = await testSigner();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
  ecs?.restore();
  cfn?.restore();
});

async function start(): Promise<Harness> {
  ecs = new FakeEcs();
  cfn = new FakeCfn();
  codepipeline.reset();
  sns.reset();
  sns.on(ConfirmSubscriptionCommand).resolves({ SubscriptionArn: `${TOPIC}:1` });
  codepipeline.on(PutApprovalResultCommand).resolves({ approvedAt: new Date() });
  h = await startHarness({
    yaml: PIPELINE_YAML,
    slack: { users: USERS, groups: GROUPS },
    fetchCert: (u) => signer.fetchCert(u),
  });
  return h;
}

async function reply(hh: Harness, text: string, user = 'U0ALICE', channel = 'C0DEV'): Promise<string> {
  const r = await hh.command(text, { user, channel });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(hh.slack, r.responseUrl));
}

function sendSns(hh: Harness, message: unknown) {
  const envelope = signer.sign(notification(message));
  return hh.post('/sns', JSON.stringify(envelope), {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': envelope.Type,
    'x-amz-sns-message-id': envelope.MessageId,
    'x-amz-sns-topic-arn': envelope.TopicArn,
  });
}

/** Opens the Home tab as Slack does, and waits for what Capstan publishes there. */
async function openHome(hh: Harness, user: string): Promise<void> {
  const before = hh.slack.callsOf('views.publish').length;
  await hh.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
  await hh.slack.waitFor(() => hh.slack.callsOf('views.publish').length > before || undefined);
}

const awsError = (name: string) =>
  Object.assign(new Error(HOSTILE), { name, $fault: 'server', $metadata: {} });

describe('outside text reaching Slack through the real HTTP path', () => {
  it('a lock reason', async () => {
    const hh = await start();
    expect(await reply(hh, `lock todobackend dev ${HOSTILE}`)).toContain('&lt;!channel&gt;');
    expect(await reply(hh, 'todobackend 1.2.3', 'U0BOB')).toContain(ESCAPED); // refused: locked, and why
    expect(await reply(hh, 'lock todobackend dev again', 'U0BOB')).toContain(ESCAPED); // already locked
    await reply(hh, 'status todobackend dev');
    await reply(hh, 'status');
    await openHome(hh, 'U0ALICE');
    expect(JSON.stringify(hh.slack.callsOf('views.publish').at(-1)?.args)).toContain(ESCAPED);
    await reply(hh, 'unlock todobackend dev');
    expectNone(leaksInCalls(hh.slack.calls));
  });

  it('a reject reason', async () => {
    const hh = await start();
    const answer = await reply(hh, 'todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD');
    const id = /request `(r-[a-z0-9]+)`/.exec(answer)?.[1];
    await hh.slack.waitFor(() =>
      hh.slack.channelMessages('C0PROD').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
    );
    await openHome(hh, 'U0BOB'); // the request waits for Bob's approval
    await reply(hh, `reject ${id} ${HOSTILE}`, 'U0BOB', 'C0PROD');
    await hh.slack.waitFor(() => hh.slack.channelMessages('C0PROD').find((m) => /rejected/.test(m.text)));
    expect(await reply(hh, 'history todobackend prod', 'U0ALICE', 'C0PROD')).toContain('&lt;!channel&gt;');
    expectNone(leaksInCalls(hh.slack.calls));
  });

  it('a pipeline approval: names, custom data, links, a comment and state changes from SNS', async () => {
    const hh = await start();
    const pipeline = `todobackend-${HOSTILE}`;
    codepipeline.on(GetPipelineStateCommand).resolves({
      stageStates: [
        {
          stageName: HOSTILE,
          actionStates: [
            {
              actionName: HOSTILE,
              latestExecution: { status: 'InProgress', token: '1a2b3c4d-573f-4ea7-a67e-0123456789ab' },
            },
          ],
        },
      ],
    });
    const approval = approvalMessage({
      pipelineName: pipeline,
      stageName: HOSTILE,
      actionName: HOSTILE,
      customData: HOSTILE,
      externalEntityLink: `https://evil.example/x|click here> ${HOSTILE}`,
      approvalReviewLink: HOSTILE,
    });
    expect(
      (await sendSns(hh, { ...approval, consoleLink: `https://evil.example/c>|click here` })).status,
    ).toBe(200);
    const posted = () =>
      hh.slack.channelMessages('C0PIPE').filter((m) => m.text.startsWith('Manual approval'));
    const first = await hh.slack.waitFor(() => posted()[0]);
    const value = /"value":"(p-[a-z0-9]+)"/.exec(JSON.stringify(first.blocks))?.[1] ?? '';
    const approved = await hh.click({
      actionId: 'capstan_pipeline_approve',
      value,
      user: 'U0BOB',
      message: first,
    });
    await responseTo(hh.slack, approved.responseUrl);

    // A second one, approved with a comment through the modal.
    await sendSns(hh, approval);
    const second = await hh.slack.waitFor(() => posted().find((m) => m.ts !== first.ts));
    const secondId = /"value":"(p-[a-z0-9]+)"/.exec(JSON.stringify(second.blocks))?.[1] ?? '';
    await hh.click({ actionId: 'capstan_pipeline_comment', value: secondId, user: 'U0BOB', message: second });
    await hh.slack.waitFor(() => hh.slack.callsOf('views.open')[0]);
    await hh.action({
      type: 'view_submission',
      team: { id: 'T0SANDBOX', domain: 'sandbox' },
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0SANDBOX' },
      api_app_id: 'A0CAPSTAN',
      token: 'deprecated',
      trigger_id: 't-modal',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: 'capstan_pipeline_comment_modal',
        private_metadata: secondId,
        state: { values: { comment: { comment: { type: 'plain_text_input', value: HOSTILE } } } },
      },
    });
    await hh.slack.waitFor(() => hh.slack.callsOf('chat.postEphemeral')[0]);

    // State changes from EventBridge: one retires a third approval, one is a stage line.
    await sendSns(hh, approval);
    await hh.slack.waitFor(() => posted().length >= 3 || undefined);
    const event = (detail: Record<string, unknown>) => ({
      version: '0',
      id: 'e1',
      'detail-type': 'CodePipeline Stage Execution State Change',
      source: 'aws.codepipeline',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail,
    });
    await sendSns(
      hh,
      event({
        pipeline,
        stage: HOSTILE,
        action: HOSTILE,
        state: 'SUCCEEDED',
        type: { category: 'Approval' },
      }),
    );
    await sendSns(hh, event({ pipeline, stage: HOSTILE, state: HOSTILE, 'execution-id': HOSTILE }));
    await hh.slack.waitFor(() =>
      hh.slack.channelMessages('C0PIPE').find((m) => m.text.includes('execution')),
    );
    expect(codepipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(2);
    // Custom data, the comment and the stage line were shown, as text.
    expect(shown(hh).split(ESCAPED).length).toBeGreaterThan(5);
    expectNone(leaksInCalls(hh.slack.calls));
  });

  it('service and stack events, stopped tasks, change set reasons, tags and versions from AWS', async () => {
    const hh = await start();
    // Versions and tags as AWS has them: a stack parameter, tags in the repository and on the task definition.
    cfn.parameters.ApplicationImageTag = HOSTILE;
    ecs.tags.set(HOSTILE, { digest: 'sha256:'.padEnd(71, '1'), pushedAt: new Date(ecs.now() + 60_000) });
    for (const td of ecs.taskDefs.values())
      td.tags = [...(td.tags ?? []).filter((t) => t.key !== 'Version'), { key: 'Version', value: HOSTILE }];
    expect(await reply(hh, 'todobackend 9.9.9')).toContain(ESCAPED); // no such tag: the latest tags are listed
    expect(await reply(hh, 'todobackend 1.2.3 --dry-run')).toContain(ESCAPED); // the task definition difference

    // Service events and stopped tasks while a deploy fails and is rolled back.
    ecs.beforeDescribe = () => {
      ecs.service.events = [{ id: `ev-${Date.now()}`, createdAt: new Date(), message: HOSTILE }];
    };
    ecs.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await reply(hh, 'todobackend 1.2.3');
    await hh.slack.waitFor(() => hh.slack.channelMessages('C0DEV').find((m) => /: succeeded$/.test(m.text)));
    ecs.stopped.push({
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/todo-dev/${encodeURIComponent(HOSTILE)}`,
      lastStatus: 'STOPPED',
      stoppedReason: HOSTILE,
      containers: [{ name: 'app', reason: HOSTILE }],
    });
    await reply(hh, 'todobackend 1.2.4-broken');
    await hh.slack.waitFor(() =>
      hh.slack
        .channelMessages('C0DEV')
        .find((m) => m.text.includes('1.2.4-broken') && /rolled back/.test(m.text)),
    );
    expect(await reply(hh, 'status todobackend dev')).toContain(ESCAPED);

    // A stack event with a hostile reason fails a release.
    cfn.failing = { logicalId: 'Service', type: 'AWS::ECS::Service', reason: HOSTILE };
    const answer = await reply(hh, 'todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD');
    const id = /request `(r-[a-z0-9]+)`/.exec(answer)?.[1] ?? '';
    const review = await hh.slack.waitFor(() =>
      hh.slack.channelMessages('C0PROD').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
    );
    await hh.click({ actionId: 'capstan_approve', value: id, user: 'U0BOB', message: review });
    await hh.slack.waitFor(() =>
      hh.slack.channelMessages('C0PROD').find((m) => m.ts === review.ts && /failed|rolled back/.test(m.text)),
    );
    await hh.slack.waitFor(() =>
      hh.slack.thread('C0PROD', review.ts).find((m) => m.text.includes(`*UPDATE_FAILED*: ${ESCAPED}`)),
    );
    expect(await reply(hh, 'status todobackend prod', 'U0ALICE', 'C0PROD')).toContain(ESCAPED);
    await reply(hh, 'history todobackend prod', 'U0ALICE', 'C0PROD');

    // A change set CloudFormation could not create, with its reason, in a dry run.
    cfn.cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: HOSTILE });
    expect(await reply(hh, 'todobackend 1.2.3 to prod --dry-run', 'U0ALICE', 'C0PROD')).toContain(ESCAPED);
    expect(shown(hh)).toContain(`:information_source: ${ESCAPED}`); // the ECS service event in the thread
    expectNone(leaksInCalls(hh.slack.calls));
  });

  // The refusals need toCapstanError (src/adapters/aws/errors.ts) to escape the AWS message it quotes.
  it('AWS error messages, in a refusal and in status', async () => {
    const hh = await start();
    ecs.ecr.on(DescribeImagesCommand).rejects(awsError('ServerException'));
    ecs.ecs.on(DescribeServicesCommand).rejects(awsError('ServerException'));
    cfn.cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError'));
    expect(await reply(hh, 'todobackend 1.2.3')).toContain('ecr:DescribeImages');
    await reply(hh, 'todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD');
    expect(await reply(hh, 'status todobackend dev')).toContain('ecs:DescribeServices');
    await reply(hh, 'status');
    expectNone(leaksInCalls(hh.slack.calls));
  });
});

// ---------------------------------------------------------------- every view, with hostile data

const NOW = Date.UTC(2026, 10, 20, 12);
const POLICY: Policy = {
  deployers: [{ kind: 'anyone' }],
  approvers: [{ kind: 'handle', handle: 'deploy-approvers' }],
  approvals: 1,
  allowSelfApproval: false,
  approvalTtlMs: 86_400_000,
};
const ENV: Environment = {
  app: 'todobackend',
  name: 'prod',
  channel: 'C0PROD',
  target: {
    kind: 'cloudformation',
    region: 'us-east-1',
    stack: 'todobackend-prod',
    imageParameter: 'ApplicationImageTag',
    repository: 'todobackend',
    capabilities: [],
  },
  policy: POLICY,
  rolloutTimeoutMs: 600_000,
  rollback: 'auto',
};
const REVIEW: Review = {
  parameters: [{ key: HOSTILE, from: HOSTILE, to: HOSTILE }],
  changes: [
    { action: HOSTILE, logicalId: HOSTILE, resourceType: `AWS::IAM::${HOSTILE}`, replacement: HOSTILE },
    ...Array.from({ length: 300 }, (_, i) => ({
      action: 'Modify',
      logicalId: `${HOSTILE}${i}`,
      resourceType: HOSTILE,
      replacement: 'True',
    })),
  ],
  diff: { title: HOSTILE, lines: [HOSTILE, `image: ${HOSTILE} → ${HOSTILE}`] },
  link: { label: HOSTILE, url: `https://evil.example/x|click here> ${HOSTILE}` },
};
const STATES: readonly DeploymentState[] = DEPLOYMENT_STATES;

function hostileDeployment(state: DeploymentState, over: Partial<Deployment> = {}): Deployment {
  return {
    id: 'r-hostile',
    rev: 3,
    kind: 'release',
    app: 'todobackend',
    env: 'prod',
    requestedBy: 'U0ALICE',
    fromVersion: HOSTILE,
    toVersion: HOSTILE,
    imageDigest: `sha256:${'a'.repeat(64)}`,
    state,
    reason: HOSTILE,
    channel: 'C0PROD',
    permalink: `https://evil.example/p|click here> ${HOSTILE}`,
    createdAt: NOW - 60_000,
    updatedAt: NOW,
    finishedAt: NOW,
    review: REVIEW,
    tracking: {
      phase: 'rollout',
      rolledBackBy: HOSTILE,
      startedAt: NOW - 30_000,
      lastProgressAt: NOW,
      progress: { done: 1, total: 2 },
      waiting: HOSTILE,
      data: {},
    },
    rollbackVersion: HOSTILE,
    approvals: [{ userId: 'U0BOB', at: NOW - 10_000 }],
    offerFresh: true,
    rejectedBy: 'U0BOB',
    expiresAt: NOW + 60_000,
    override: { by: 'U0CAROL', reason: HOSTILE, freeze: HOSTILE, until: NOW + 3_600_000 },
    ...over,
  };
}
const LOCK: Lock = { app: 'todobackend', env: 'prod', owner: 'U0CAROL', reason: HOSTILE, at: NOW - 5000 };

function hostileStatus(ok: boolean): EnvStatus {
  const common = { env: ENV, where: HOSTILE, lock: LOCK, inFlight: hostileDeployment('rolling_out') };
  return ok
    ? {
        ...common,
        ok: true,
        version: HOSTILE,
        digest: `sha256:${'b'.repeat(64)}`,
        state: HOSTILE,
        facts: [textFact(HOSTILE)],
        inProgress: true,
        changedAt: NOW,
        events: [{ at: NOW, message: HOSTILE }],
        consoleUrl: `https://evil.example/s|click here> ${HOSTILE}`,
      }
    : { ...common, ok: false, error: HOSTILE };
}

function hostileApproval(state: PipelineApprovalState): PipelineApproval {
  return {
    id: 'p-hostile',
    rev: 1,
    region: 'us-east-1',
    pipeline: HOSTILE,
    stage: HOSTILE,
    action: HOSTILE,
    token: 'token',
    expiresAt: NOW + 3_600_000,
    consoleLink: `https://evil.example/c|click here> ${HOSTILE}`,
    reviewLink: HOSTILE,
    externalLink: `https://evil.example/e|click here> ${HOSTILE}`,
    customData: HOSTILE,
    channel: 'C0PIPE',
    state,
    approvals: [{ userId: 'U0BOB', at: NOW }],
    decidedBy: 'U0BOB',
    outcome: HOSTILE,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

const leaksIn = (...payloads: unknown[]) => payloads.flatMap((p) => mrkdwnIn(p).flatMap(leaks));

describe('every view, given outside text everywhere it takes some', () => {
  it('deploy messages, reviews, dry runs, announcements and history', () => {
    for (const state of STATES) {
      for (const kind of ['deploy', 'rollback', 'release'] as const) {
        const d = hostileDeployment(state, { kind });
        const said = [
          announcement(d, { kind: 'outcome' }),
          announcement(d, { kind: 'approved', by: 'U0BOB', remaining: 1 }),
          announcement(d, { kind: 'review_requested', approvers: POLICY.approvers, required: 1 }),
        ].map((s) => s?.message);
        expectNone(
          leaksIn(deploymentMessage(d, NOW), reviewMessage(d, ENV, NOW), ...said),
          `${kind} ${state}`,
        );
      }
    }
    expectNone(
      leaksIn(
        dryRunMessage(ENV, HOSTILE, HOSTILE, REVIEW, false),
        dryRunMessage(ENV, HOSTILE, HOSTILE, REVIEW, true),
      ),
    );
    const entries = STATES.map((s) => hostileDeployment(s));
    expectNone(
      leaksIn(historyMessage(HOSTILE, HOSTILE, entries, NOW), historyMessage(HOSTILE, undefined, [], NOW)),
    );
  });

  it('status, locks and replies to approvals', () => {
    const statuses = [hostileStatus(true), hostileStatus(false)];
    expectNone(leaksIn(statusMatrix(statuses), statusMatrix([statuses[0]!]), ...statuses.map(statusDetail)));
    expectNone(leaksIn(lockedMessage(ENV, LOCK), unlockedMessage(ENV, LOCK, 'U0CAROL')));
    const d = hostileDeployment('awaiting_approval');
    const replies = [
      approvalReply({ kind: 'refused', refusal: { code: 'policy', fact: { kind: 'approval.already' } } }),
      approvalReply({ kind: 'refused', refusal: { code: 'unknown_request', id: HOSTILE } }),
      approvalReply({ kind: 'refused', refusal: { code: 'decided', deployment: d }, deployment: d }),
      approvalReply({ kind: 'approved', deployment: d, remaining: 1 }),
      approvalReply({ kind: 'executing', deployment: d }),
      approvalReply({ kind: 'rejected', deployment: d }),
    ];
    expectNone(leaksIn(...replies.map((text) => ({ text }))));
  });

  it('pipeline approvals, stage changes and the comment modal', () => {
    const states: PipelineApprovalState[] = [
      'open',
      'deciding',
      'approved',
      'rejected',
      'decided_elsewhere',
      'expired',
    ];
    expectNone(leaksIn(...states.map((s) => pipelineApprovalMessage(hostileApproval(s), POLICY, NOW))));
    expectNone(
      leaksIn(
        {
          text: stageChangeLine({ pipeline: HOSTILE, stage: HOSTILE, state: HOSTILE, executionId: HOSTILE }),
        },
        { text: stageChangeLine({ pipeline: HOSTILE, state: HOSTILE }) },
        commentModal('p-hostile', HOSTILE),
      ),
    );
  });
});
