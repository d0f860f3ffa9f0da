import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSnsVerifier } from '../../src/adapters/sns/verify.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { type Config, readConfig } from '../../src/config/readConfig.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { PipelineNotifier } from '../../src/ports/pipelineNotifier.js';
import { snsRoute } from '../../src/sns/httpRoute.js';
import {
  DEFAULT_SNS_MAX_MESSAGE_AGE_MS,
  SNS_MAX_CLOCK_SKEW_MS,
  judgeMessageAge,
} from '../../src/sns/messageAge.js';
import type { InboundDeps } from '../../src/sns/receive.js';
import { SqsPoller } from '../../src/sns/sqsPoller.js';
import { TEST_YAML } from '../fixtures/config.js';
import { TOPIC, type TestSigner, approvalMessage, notification, testSigner } from '../support/snsSigning.js';

const YAML = `${TEST_YAML.replace('__DB__', '":memory:"')}
sns:
  topics: [${TOPIC}]
pipelines:
  - name: todobackend-*
    channel: C0PIPE
    policy: { approvers: ["@deploy-approvers"], approvals: 1 }
`;

/** Capstan's clock in these tests; nothing here reads the wall clock. */
let now = Date.parse('2026-11-21T22:00:00Z');
let signer: TestSigner;
let config: Config;
let posted: string[];
let confirmed: string[];
let deps: InboundDeps;
let server: Server;
let base: string;

function inbound(maxMessageAgeMs?: number): InboundDeps {
  const store = openSqliteStore(':memory:');
  const clock = { now: () => now };
  const notifier: PipelineNotifier = {
    post: async (a) => {
      posted.push(a.token);
      return `${posted.length}.000100`;
    },
    update: async () => {},
    stageChanged: async () => {},
    displayName: async (userId) => userId,
  };
  return {
    verify: createSnsVerifier({ fetchCert: (u) => signer.fetchCert(u) }),
    topics: [TOPIC],
    store,
    subscriptions: {
      confirm: async (topic) => {
        confirmed.push(topic);
        return `${topic}:subscription`;
      },
    },
    relay: {
      catalog: config.catalog,
      store,
      notifier,
      directory: { groupsOf: async () => new Set() },
      pipelines: { putApprovalResult: async () => {}, approvalState: async () => undefined },
      clock,
      logger: silentLogger,
    },
    clock,
    logger: silentLogger,
    maxMessageAgeMs,
  };
}

let seq = 0;
/** A signed approval notification published `offsetMs` from Capstan's now (negative: in the past). */
function approvalAt(offsetMs: number) {
  seq += 1;
  const token = `${String(seq).padStart(8, '0')}-573f-4ea7-a67e-0123456789ab`;
  const expires = new Date(now + 6 * 86_400_000).toISOString().slice(0, 16) + 'Z';
  return signer.sign(
    notification(approvalMessage({ token, expires }), { Timestamp: new Date(now + offsetMs).toISOString() }),
  );
}

async function deliver(envelope: Record<string, unknown>) {
  const r = await fetch(`${base}/sns`, {
    method: 'POST',
    body: JSON.stringify(envelope),
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': String(envelope.Type),
      'x-amz-sns-topic-arn': String(envelope.TopicArn),
    },
  });
  return { status: r.status, body: await r.text() };
}

beforeAll(async () => {
  signer = await testSigner();
  const result = readConfig(
    { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 's', CAPSTAN_CONFIG: 'capstan.yml' },
    () => YAML,
  );
  if (!result.ok) throw new Error(result.problems.join('\n'));
  config = result.config;
});
beforeEach(async () => {
  now = Date.parse('2026-11-21T22:00:00Z');
  posted = [];
  confirmed = [];
  deps = inbound();
  // The route over whatever deps the test holds now (a test may set other limits).
  server = createServer((req, res) => snsRoute(deps).handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('POST /sns judges a message’s age by Capstan’s clock', () => {
  it('refuses a message older than the maximum age though its MessageId was never seen, and does not remember it', async () => {
    const stale = approvalAt(-DEFAULT_SNS_MAX_MESSAGE_AGE_MS - 1000);
    expect(await deliver(stale)).toEqual({ status: 400, body: 'message is too old' });
    expect(posted).toEqual([]);
    // The refusal recorded nothing: had the message been fresh, it would be handled.
    now -= 2000;
    expect(await deliver(stale)).toEqual({ status: 200, body: 'posted' });
    expect(posted).toHaveLength(1);
  });

  it('accepts a message exactly as old as the maximum age', async () => {
    expect((await deliver(approvalAt(-DEFAULT_SNS_MAX_MESSAGE_AGE_MS))).status).toBe(200);
    expect(posted).toHaveLength(1);
  });

  it('uses the maximum age it is given instead of the default', async () => {
    deps = inbound(10 * 60_000);
    expect((await deliver(approvalAt(-10 * 60_000 - 1000))).status).toBe(400);
    expect((await deliver(approvalAt(-9 * 60_000))).status).toBe(200);
    expect(posted).toHaveLength(1);
  });

  it('refuses a message from more than 5 minutes in the future, and accepts one up to 5 minutes ahead', async () => {
    expect(await deliver(approvalAt(SNS_MAX_CLOCK_SKEW_MS + 1000))).toEqual({
      status: 400,
      body: 'message is from the future',
    });
    expect(posted).toEqual([]);
    expect((await deliver(approvalAt(SNS_MAX_CLOCK_SKEW_MS))).status).toBe(200);
    expect(posted).toHaveLength(1);
  });

  it('holds a subscription confirmation to the same age', async () => {
    const confirmation = (offsetMs: number) =>
      signer.sign(
        {
          Type: 'SubscriptionConfirmation',
          MessageId: `c-${offsetMs}`,
          Token: 'token-abc',
          TopicArn: TOPIC,
          Message: 'You have chosen to subscribe.',
          SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=token-abc',
          Timestamp: new Date(now + offsetMs).toISOString(),
        },
        '2',
      );
    expect((await deliver(confirmation(-2 * DEFAULT_SNS_MAX_MESSAGE_AGE_MS))).status).toBe(400);
    expect(confirmed).toEqual([]);
    expect((await deliver(confirmation(-1000))).status).toBe(200);
    expect(confirmed).toEqual([TOPIC]);
  });
});

describe('SQS mode judges a message’s age by Capstan’s clock', () => {
  it('deletes a stale envelope as unhandleable without relaying it, and handles a fresh one', async () => {
    const deleted: string[] = [];
    const poller = new SqsPoller(
      { receive: async () => [], delete: async (receipt) => void deleted.push(receipt) },
      deps,
      false,
    );
    await poller.handle({ id: 'q1', receipt: 'r-stale', body: JSON.stringify(approvalAt(-2 * 3_600_000)) });
    await poller.handle({ id: 'q2', receipt: 'r-future', body: JSON.stringify(approvalAt(3_600_000)) });
    expect(deleted).toEqual(['r-stale', 'r-future']);
    expect(posted).toEqual([]);
    await poller.handle({ id: 'q3', receipt: 'r-fresh', body: JSON.stringify(approvalAt(-60_000)) });
    expect(deleted).toEqual(['r-stale', 'r-future', 'r-fresh']);
    expect(posted).toHaveLength(1);
  });
});

describe('judgeMessageAge', () => {
  it.each([
    '2026-11-21 22:00:00',
    'Sat, 21 Nov 2026 22:00:00 GMT',
    '2026-11-21T23:00:00+01:00',
    '2026-11-21',
    'yesterday',
  ])('refuses a Timestamp that is not ISO-8601 UTC: %s', (timestamp) => {
    expect(judgeMessageAge(timestamp, now)).toEqual({
      ok: false,
      reason: 'Timestamp is not an ISO-8601 UTC time',
    });
  });

  it('accepts SNS’s own format, with or without milliseconds', () => {
    expect(judgeMessageAge('2026-11-21T21:59:59.812Z', now).ok).toBe(true);
    expect(judgeMessageAge('2026-11-21T21:59:59Z', now).ok).toBe(true);
  });
});
