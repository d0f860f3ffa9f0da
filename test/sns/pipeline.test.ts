import {
  CodePipelineClient,
  GetPipelineStateCommand,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import { ConfirmSubscriptionCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import {
  CERT_URL,
  OTHER_REGION_CERT_URL,
  TOPIC,
  type TestSigner,
  approvalMessage,
  notification,
  testSigner,
} from '../support/snsSigning.js';

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

const codepipeline = mockClient(CodePipelineClient);
const sns = mockClient(SNSClient);
// Test files share a worker without isolation: the real send comes back for the next file.
afterAll(() => {
  codepipeline.restore();
  sns.restore();
});
let signer: TestSigner;
let h: Harness;
const logLines: string[] = [];

beforeAll(async () => {
  // The certificate is served at another region's SNS host too: only the host rule can refuse it there.
  signer = await testSigner([CERT_URL, OTHER_REGION_CERT_URL]);
});
beforeEach(async () => {
  codepipeline.reset();
  sns.reset();
  codepipeline.on(GetPipelineStateCommand).resolves({
    pipelineName: 'todobackend-pipeline',
    stageStates: [
      {
        stageName: 'Approval',
        actionStates: [
          {
            actionName: 'Approve',
            latestExecution: { status: 'InProgress', token: '1a2b3c4d-573f-4ea7-a67e-0123456789ab' },
          },
        ],
      },
    ],
  });
  codepipeline.on(PutApprovalResultCommand).resolves({ approvedAt: new Date() });
  sns.on(ConfirmSubscriptionCommand).resolves({ SubscriptionArn: `${TOPIC}:11111111-2222` });
  logLines.length = 0;
  h = await startHarness({
    yaml: PIPELINE_YAML,
    slack: { users: USERS, groups: GROUPS },
    fetchCert: (u) => signer.fetchCert(u),
    logger: createLogger('debug', (line) => logLines.push(line)),
  });
});
afterEach(async () => {
  await h.stop();
});

function deliver(envelope: Record<string, unknown>, headers: Record<string, string> = {}) {
  return h.post('/sns', JSON.stringify(envelope), {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': String(envelope.Type),
    'x-amz-sns-message-id': String(envelope.MessageId),
    'x-amz-sns-topic-arn': String(envelope.TopicArn),
    'user-agent': 'Amazon Simple Notification Service Agent',
    ...headers,
  });
}

const posted = () => h.slack.channelMessages('C0PIPE');
const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;
let lastId = '';
/** The approval message; its id is remembered because the stand-in edits messages in place. */
const approvalPost = async () => {
  const m = await h.slack.waitFor(() =>
    posted().find((x) => JSON.stringify(x.blocks).includes('capstan_pipeline_approve')),
  );
  lastId = /"value":"(p-[a-z0-9]+)"/.exec(JSON.stringify(m.blocks))?.[1] ?? '';
  return m;
};

async function click(action: string, m: StoredMessage, user: string): Promise<string> {
  const value = /"value":"(p-[a-z0-9]+)"/.exec(JSON.stringify(m.blocks))?.[1] ?? lastId;
  const r = await h.click({ actionId: action, value, user, message: m });
  expect(r.status).toBe(200);
  if (action === 'capstan_pipeline_comment') return '';
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

describe('one approval model: a relayed approval takes the rules a release takes', () => {
  it('several groups each with a count: an approval counts for one rule, and only a full set lets the pipeline go on', async () => {
    await h.stop();
    h = await startHarness({
      yaml: PIPELINE_YAML.replace(
        '      approvers: ["@deploy-approvers"]\n      approvals: 1\n',
        '      approvals:\n        - { from: ["@deploy-approvers"], count: 2 }\n        - { from: [U0ALICE], count: 1 }\n',
      ),
      slack: { users: USERS, groups: GROUPS },
      fetchCert: (u) => signer.fetchCert(u),
    });
    await deliver(signer.sign(notification(approvalMessage())));
    let m = await approvalPost();
    expect(body(m)).toContain('Approvals 0/3');
    expect(await click('capstan_pipeline_approve', m, 'U0BOB')).toContain(
      'Approval recorded; 2 more needed.',
    );
    m = await approvalPost();
    expect(body(m)).toContain('1/2 from <!subteam^S0APPROVERS>: <@U0BOB>');
    expect(await click('capstan_pipeline_approve', m, 'U0MALLORY')).toContain('You are not an approver here');
    expect(await click('capstan_pipeline_approve', m, 'U0CAROL')).toContain(
      'Approval recorded; 1 more needed.',
    );
    expect(codepipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    m = await approvalPost();
    expect(await click('capstan_pipeline_approve', m, 'U0ALICE')).toContain('Approved');
    expect(codepipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(1);
  });
});

describe('POST /sns', () => {
  it('relays a manual approval to the pipeline channel with buttons; the token stays server-side', async () => {
    const r = await deliver(signer.sign(notification(approvalMessage())));
    expect(r.status).toBe(200);
    const m = await approvalPost();
    const text = body(m);
    expect(text).toContain('pipeline *todobackend-pipeline*');
    expect(text).toContain('*Stage*\\nApproval');
    expect(text).toContain('Release 1.2.3 to production: review the change set.');
    expect(text).toContain('|What to review>');
    expect(text).toContain('|Approval in the console>');
    expect(text).toMatch(/\*Expires\*\\n<!date\^\d+\^/);
    expect(text).toContain('Approve with comment');
    expect(text).not.toContain('1a2b3c4d-573f-4ea7-a67e-0123456789ab\\"');
    expect(
      JSON.stringify(
        m.blocks
          .flatMap((b) => (b as { elements?: { value?: string }[] }).elements ?? [])
          .map((e) => e.value),
      ),
    ).not.toContain('1a2b3c4d');
  });

  it('tolerates null and missing optional fields and unknown extra ones', async () => {
    const msg = approvalMessage({
      externalEntityLink: null,
      customData: undefined,
      approvalReviewLink: null,
      expires: null,
      somethingNew: 42,
    });
    const r = await deliver(signer.sign(notification({ ...msg, consoleLink: null, extra: true })));
    expect(r.status).toBe(200);
    const m = await approvalPost();
    expect(body(m)).not.toContain('What to review');
  });

  it('a replayed MessageId is handled once, even across a restart', async () => {
    const env = signer.sign(notification(approvalMessage()));
    expect((await deliver(env)).status).toBe(200);
    expect((await deliver(env)).body).toBe('duplicate');
    h = await h.restart();
    expect((await deliver(env)).body).toBe('duplicate');
    await approvalPost();
    expect(posted()).toHaveLength(1);
  });

  it('refuses a topic that is not allowlisted (403), mismatched headers (400) and an altered body (403), with no side effect', async () => {
    const other = signer.sign(
      notification(approvalMessage(), { TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' }),
    );
    expect((await deliver(other)).status).toBe(403);
    const good = signer.sign(notification(approvalMessage()));
    expect(
      (await deliver(good, { 'x-amz-sns-topic-arn': 'arn:aws:sns:us-east-1:123456789012:other' })).status,
    ).toBe(400);
    expect((await deliver(good, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' })).status).toBe(400);
    expect(
      (
        await deliver({
          ...good,
          Message: JSON.stringify(approvalMessage({ pipelineName: 'todobackend-evil' })),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await deliver({
          ...signer.sign(notification('x')),
          SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.example/c.pem',
        })
      ).status,
    ).toBe(403);
    expect((await h.post('/sns', 'not json', { 'content-type': 'text/plain' })).status).toBe(400);
    expect(posted()).toHaveLength(0);
    expect(codepipeline.calls()).toHaveLength(0);
  });

  it('answers an unknown topic and a bad signature alike; only the log says which', async () => {
    const unknown = 'arn:aws:sns:us-east-1:999999999999:someone-elses';
    const genuineUnknown = signer.sign(notification(approvalMessage(), { TopicArn: unknown }));
    const forgedKnown = {
      ...signer.sign(notification(approvalMessage())),
      Message: JSON.stringify(approvalMessage({ stageName: 'Forged' })),
    };
    const forgedUnknown = { ...genuineUnknown, Message: forgedKnown.Message };
    const answers = [await deliver(genuineUnknown), await deliver(forgedKnown), await deliver(forgedUnknown)];
    expect(answers).toEqual([
      { status: 403, body: 'message not accepted' },
      { status: 403, body: 'message not accepted' },
      { status: 403, body: 'message not accepted' },
    ]);
    const refusals = logLines
      .filter((l) => l.includes('SNS message refused'))
      .map((l) => (JSON.parse(l) as { reason: string }).reason);
    expect(refusals).toEqual([
      'topic is not on the allowlist',
      'signature: signature does not match',
      'signature: signature does not match',
    ]);
    expect(posted()).toHaveLength(0);
  });

  it('refuses a correctly signed message more than an hour old or 5 minutes ahead, though never seen before', async () => {
    const at = (offsetMs: number) => ({ Timestamp: new Date(Date.now() + offsetMs).toISOString() });
    expect(await deliver(signer.sign(notification(approvalMessage(), at(-2 * 3_600_000))))).toEqual({
      status: 400,
      body: 'message is too old',
    });
    expect(await deliver(signer.sign(notification(approvalMessage(), at(15 * 60_000))))).toEqual({
      status: 400,
      body: 'message is from the future',
    });
    expect(posted()).toHaveLength(0);
    expect(codepipeline.calls()).toHaveLength(0);
    // Within the hour, a delayed delivery (SNS retries for up to an hour) is still relayed.
    expect((await deliver(signer.sign(notification(approvalMessage(), at(-50 * 60_000))))).status).toBe(200);
    await approvalPost();
  });

  it('refuses a certificate on another region’s SNS host, which is never fetched', async () => {
    signer.fetched.length = 0;
    const elsewhere = signer.sign({
      ...notification(approvalMessage()),
      SigningCertURL: OTHER_REGION_CERT_URL,
    });
    expect(await deliver(elsewhere)).toEqual({ status: 403, body: 'message not accepted' });
    expect(signer.fetched).toEqual([]);
    expect(posted()).toHaveLength(0);
  });

  it('confirms a subscription for an allowed topic through the API, and refuses one for an unknown topic', async () => {
    const confirm = (topic: string) =>
      signer.sign(
        {
          Type: 'SubscriptionConfirmation',
          MessageId: `m-${topic.length}`,
          Token: 'token-abc',
          TopicArn: topic,
          Message: 'You have chosen to subscribe.',
          SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=token-abc',
          Timestamp: new Date().toISOString(),
        },
        '2',
      );
    expect((await deliver(confirm(TOPIC))).status).toBe(200);
    expect(sns.commandCalls(ConfirmSubscriptionCommand)[0]?.args[0].input).toMatchObject({
      TopicArn: TOPIC,
      Token: 'token-abc',
    });
    expect((await deliver(confirm('arn:aws:sns:us-east-1:999999999999:unknown'))).status).toBe(403);
    expect(sns.commandCalls(ConfirmSubscriptionCommand)).toHaveLength(1);
  });
});

describe('acting on a relayed approval', () => {
  it('an approver’s click calls PutApprovalResult with a summary naming them, and the buttons go away', async () => {
    await deliver(signer.sign(notification(approvalMessage())));
    const m = await approvalPost();
    expect(await click('capstan_pipeline_approve', m, 'U0MALLORY')).toContain('You are not an approver here');
    expect(await click('capstan_pipeline_reject', m, 'U0MALLORY')).toContain(
      'Only an approver can reject this',
    );
    expect(codepipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
    expect(await click('capstan_pipeline_approve', m, 'U0BOB')).toContain(
      'Approved: todobackend-pipeline continues.',
    );
    const input = codepipeline.commandCalls(PutApprovalResultCommand)[0]!.args[0].input;
    expect(input).toEqual({
      pipelineName: 'todobackend-pipeline',
      stageName: 'Approval',
      actionName: 'Approve',
      token: '1a2b3c4d-573f-4ea7-a67e-0123456789ab',
      result: { status: 'Approved', summary: 'Approved by bob (U0BOB) via Capstan' },
    });
    const done = await h.slack.waitFor(() =>
      posted().find((x) => x.ts === m.ts && x.text.endsWith(': approved')),
    );
    expect(JSON.stringify(done.blocks)).not.toContain('capstan_pipeline_approve');
    expect(await click('capstan_pipeline_approve', m, 'U0CAROL')).toContain('This approval is approved');
  });

  it('/deploy reject <id> <reason> does what the button does, with the reason in the summary', async () => {
    await deliver(signer.sign(notification(approvalMessage())));
    const m = await approvalPost();
    expect(body(m)).toContain(`request \`${lastId}\``);
    const r = await h.command(`reject ${lastId} smoke tests are red`, { user: 'U0CAROL', channel: 'C0PIPE' });
    expect(JSON.stringify(await responseTo(h.slack, r.responseUrl))).toContain(
      'Rejected: todobackend-pipeline stops at Approval.',
    );
    expect(codepipeline.commandCalls(PutApprovalResultCommand)[0]!.args[0].input.result).toEqual({
      status: 'Rejected',
      summary: 'Rejected by carol (U0CAROL) via Capstan: smoke tests are red',
    });
  });

  it('reject sends Rejected', async () => {
    await deliver(signer.sign(notification(approvalMessage())));
    const m = await approvalPost();
    await click('capstan_pipeline_reject', m, 'U0CAROL');
    expect(codepipeline.commandCalls(PutApprovalResultCommand)[0]!.args[0].input.result).toEqual({
      status: 'Rejected',
      summary: 'Rejected by carol (U0CAROL) via Capstan',
    });
  });

  it.each(['InvalidApprovalTokenException', 'ApprovalAlreadyCompletedException'])(
    '%s turns the message into "already decided or expired"',
    async (name) => {
      codepipeline.on(PutApprovalResultCommand).rejects(
        Object.assign(new Error('The approval request already received a response or has expired.'), {
          name,
          $metadata: {},
        }),
      );
      await deliver(signer.sign(notification(approvalMessage())));
      const m = await approvalPost();
      expect(await click('capstan_pipeline_approve', m, 'U0BOB')).toContain('already decided or has expired');
      const done = await h.slack.waitFor(() =>
        posted().find((x) => x.ts === m.ts && x.text.endsWith('already decided or expired')),
      );
      expect(JSON.stringify(done.blocks)).not.toContain('capstan_pipeline_approve');
    },
  );

  it('a decision already made in the console is found at click time', async () => {
    codepipeline.on(GetPipelineStateCommand).resolves({
      stageStates: [
        {
          stageName: 'Approval',
          actionStates: [
            {
              actionName: 'Approve',
              latestExecution: { status: 'Succeeded', token: '1a2b3c4d-573f-4ea7-a67e-0123456789ab' },
            },
          ],
        },
      ],
    });
    await deliver(signer.sign(notification(approvalMessage())));
    const m = await approvalPost();
    expect(await click('capstan_pipeline_approve', m, 'U0BOB')).toContain('already decided');
    expect(codepipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  it('a pipeline state-change notification retires the buttons; stage changes become one-line updates', async () => {
    await deliver(signer.sign(notification(approvalMessage())));
    const m = await approvalPost();
    const event = (detailType: string, detail: Record<string, unknown>) => ({
      version: '0',
      id: 'e1',
      'detail-type': detailType,
      source: 'aws.codepipeline',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail,
    });
    await deliver(
      signer.sign(
        notification(
          event('CodePipeline Action Execution State Change', {
            pipeline: 'todobackend-pipeline',
            'execution-id': 'abcdef12-3456',
            stage: 'Approval',
            action: 'Approve',
            state: 'SUCCEEDED',
            type: { owner: 'AWS', provider: 'Manual', category: 'Approval', version: '1' },
          }),
        ),
      ),
    );
    await h.slack.waitFor(() =>
      posted().find((x) => x.ts === m.ts && body(x).includes('Decided outside Slack: SUCCEEDED')),
    );
    await deliver(
      signer.sign(
        notification(
          event('CodePipeline Stage Execution State Change', {
            pipeline: 'todobackend-pipeline',
            'execution-id': 'abcdef12-3456',
            stage: 'Deploy',
            state: 'FAILED',
          }),
        ),
      ),
    );
    const line = await h.slack.waitFor(() => posted().find((x) => x.text.includes('stage *Deploy* FAILED')));
    expect(line.text).toBe(':x: *todobackend-pipeline* stage *Deploy* FAILED (execution `abcdef12`)');
  });

  it('"Approve with comment" opens a modal, and its submission approves with the comment', async () => {
    await deliver(signer.sign(notification(approvalMessage())));
    const m = await approvalPost();
    await click('capstan_pipeline_comment', m, 'U0BOB');
    const open = await h.slack.waitFor(() => h.slack.callsOf('views.open')[0]);
    const view = JSON.parse(String(open.args.view)) as { private_metadata: string; callback_id: string };
    expect(view.callback_id).toBe('capstan_pipeline_comment_modal');
    const r = await h.action({
      type: 'view_submission',
      team: { id: 'T0SANDBOX', domain: 'sandbox' },
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0SANDBOX' },
      api_app_id: 'A0CAPSTAN',
      token: 'deprecated',
      trigger_id: 't-modal',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: {
          values: {
            comment: { comment: { type: 'plain_text_input', value: 'change set reviewed with Carol' } },
          },
        },
        hash: 'h',
      },
    });
    expect(r.status).toBe(200);
    await h.slack.waitFor(() => codepipeline.commandCalls(PutApprovalResultCommand)[0] ?? undefined);
    expect(codepipeline.commandCalls(PutApprovalResultCommand)[0]!.args[0].input.result?.summary).toBe(
      'Approved by bob (U0BOB) via Capstan: change set reviewed with Carol',
    );
  });
});
