import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { type Harness, startHarness } from '../support/harness.js';
import { TOPIC, type TestSigner, approvalMessage, notification, testSigner } from '../support/snsSigning.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/capstan-approvals';
const yaml = (trustRaw: boolean) => `${TEST_YAML}
sns:
  topics: [${TOPIC}]
  sqsQueueUrl: ${QUEUE}
  trustRawSqsMessages: ${trustRaw}
pipelines:
  - name: todobackend-pipeline
    channel: C0PIPE
    policy: { approvers: ["@deploy-approvers"], approvals: 1 }
`;

const sqs = mockClient(SQSClient);
const pipelines = mockClient(CodePipelineClient);
// Test files share a worker without isolation: the real send comes back for the next file.
afterAll(() => {
  sqs.restore();
  pipelines.restore();
});
let signer: TestSigner;
let h: Harness;

beforeAll(async () => {
  signer = await testSigner();
});
afterEach(async () => {
  await h.stop();
  sqs.reset();
});

/** Serves the given messages once, then long-polls empty (briefly, for the test). */
function queue(messages: Message[]) {
  let served = false;
  sqs.on(ReceiveMessageCommand).callsFake(async () => {
    if (!served) {
      served = true;
      return { Messages: messages };
    }
    await new Promise((r) => setTimeout(r, 50));
    return { Messages: [] };
  });
  sqs.on(DeleteMessageCommand).resolves({});
}

const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);

describe('SQS mode', () => {
  it('accepts signed SNS envelopes and trusted raw messages, and deletes each once handled', async () => {
    queue([
      {
        MessageId: 'q1',
        ReceiptHandle: 'r-envelope',
        Body: JSON.stringify(signer.sign(notification(approvalMessage()))),
      },
      {
        MessageId: 'q2',
        ReceiptHandle: 'r-raw',
        Body: JSON.stringify(
          approvalMessage({ token: '2b2b3c4d-573f-4ea7-a67e-0123456789ab', stageName: 'Prod' }),
        ),
      },
      {
        MessageId: 'q3',
        ReceiptHandle: 'r-forged',
        Body: JSON.stringify({
          ...signer.sign(notification(approvalMessage())),
          Message: JSON.stringify(approvalMessage({ stageName: 'Forged' })),
        }),
      },
    ]);
    h = await startHarness({
      yaml: yaml(true),
      slack: { users: USERS, groups: GROUPS },
      fetchCert: (u) => signer.fetchCert(u),
    });
    await h.slack.waitFor(() => (deleted().length === 3 ? true : undefined));
    const posts = h.slack.channelMessages('C0PIPE');
    expect(posts).toHaveLength(2);
    expect(JSON.stringify(posts.map((p) => p.blocks))).not.toContain('Forged');
    expect(deleted().sort()).toEqual(['r-envelope', 'r-forged', 'r-raw']);
  });

  it('deletes a stale or far-future SNS envelope as unhandleable without relaying it', async () => {
    const at = (offsetMs: number) => ({ Timestamp: new Date(Date.now() + offsetMs).toISOString() });
    const envelope = (offsetMs: number, stageName: string) =>
      JSON.stringify(signer.sign(notification(approvalMessage({ stageName }), at(offsetMs))));
    queue([
      { MessageId: 'q6', ReceiptHandle: 'r-stale', Body: envelope(-2 * 3_600_000, 'Stale') },
      { MessageId: 'q7', ReceiptHandle: 'r-future', Body: envelope(3_600_000, 'Future') },
      { MessageId: 'q8', ReceiptHandle: 'r-fresh', Body: envelope(-60_000, 'Fresh') },
    ]);
    h = await startHarness({
      yaml: yaml(false),
      slack: { users: USERS, groups: GROUPS },
      fetchCert: (u) => signer.fetchCert(u),
    });
    await h.slack.waitFor(() => (deleted().length === 3 ? true : undefined));
    expect(deleted().sort()).toEqual(['r-fresh', 'r-future', 'r-stale']);
    const posts = JSON.stringify(h.slack.channelMessages('C0PIPE').map((p) => p.blocks));
    expect(h.slack.channelMessages('C0PIPE')).toHaveLength(1);
    expect(posts).toContain('Fresh');
    expect(posts).not.toContain('Stale');
    expect(posts).not.toContain('Future');
  });

  it('refuses raw messages unless configured as trusted', async () => {
    queue([{ MessageId: 'q4', ReceiptHandle: 'r-raw', Body: JSON.stringify(approvalMessage()) }]);
    h = await startHarness({
      yaml: yaml(false),
      slack: { users: USERS, groups: GROUPS },
      fetchCert: (u) => signer.fetchCert(u),
    });
    await h.slack.waitFor(() => (deleted().length === 1 ? true : undefined));
    expect(h.slack.channelMessages('C0PIPE')).toHaveLength(0);
  });

  it('leaves a message on the queue when handling it failed', async () => {
    queue([
      {
        MessageId: 'q5',
        ReceiptHandle: 'r-fails',
        Body: JSON.stringify(signer.sign(notification(approvalMessage()))),
      },
    ]);
    h = await startHarness({
      yaml: yaml(true),
      slack: { users: USERS, groups: GROUPS },
      fetchCert: (u) => signer.fetchCert(u),
    });
    h.slack.failOnce.set('chat.postMessage', 'channel_not_found');
    await h.slack.waitFor(() =>
      h.slack.calls.find((c) => c.method === 'chat.postMessage:error' || c.method === 'chat.postMessage'),
    );
    // A batch is handled before the next receive: once SQS is asked again, the failed message was judged.
    await h.slack.waitFor(() => sqs.commandCalls(ReceiveMessageCommand).length >= 2 || undefined);
    expect(deleted()).toEqual([]);
  });
});
