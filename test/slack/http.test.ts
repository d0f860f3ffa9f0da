import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { toBoltLogger } from '../../src/slack/boltLogger.js';
import { FreshHttpReceiver, judgeSlackTimestamp } from '../../src/slack/freshness.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { describeServices, REPO_URI, service, taskDefinition, tdArn } from '../fixtures/ecs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { SIGNING_SECRET, slackHeaders } from '../support/signing.js';

const ecs = mockClient(ECSClient);
const cfn = mockClient(CloudFormationClient);
const DIGEST = 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

function fakeAws() {
  ecs.reset();
  cfn.reset();
  ecs
    .on(DescribeServicesCommand)
    .callsFake((input: { services: string[] }) =>
      describeServices(
        ...input.services.map((name) =>
          name === 'billing-staging'
            ? service({ serviceName: name, taskDefinition: tdArn('billing', 7) })
            : service({ serviceName: name }),
        ),
      ),
    );
  ecs
    .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('todobackend', 41) })
    .resolves(taskDefinition(41, `${REPO_URI}@${DIGEST}`, '1.2.2'));
  ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('billing', 7) }).resolves({
    ...taskDefinition(7, 'billing:3.0.1'),
    taskDefinition: {
      ...taskDefinition(7, 'x').taskDefinition,
      containerDefinitions: [{ name: 'web', image: 'billing:3.0.1' }],
    },
  });
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'todobackend-prod',
        StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/todobackend-prod/abc',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-01-01T00:00:00Z'),
        LastUpdatedTime: new Date('2026-11-19T12:00:00Z'),
        Parameters: [
          { ParameterKey: 'ApplicationImageTag', ParameterValue: '1.2.1' },
          { ParameterKey: 'DesiredCount', ParameterValue: '3' },
        ],
      },
    ],
  });
  cfn.on(DescribeStackEventsCommand).resolves({
    StackEvents: [
      {
        EventId: 'ev1',
        StackId: 'x',
        StackName: 'todobackend-prod',
        LogicalResourceId: 'todobackend-prod',
        ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'UPDATE_COMPLETE',
        Timestamp: new Date('2026-11-19T12:00:00Z'),
      },
    ],
  });
}

const textOf = (body: Record<string, unknown>) => JSON.stringify(body);

const logLines: string[] = [];
const captureLogger = createLogger('debug', (line) => logLines.push(line));
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Slack over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      yaml: TEST_YAML,
      slack: { users: USERS, groups: GROUPS },
      logger: captureLogger,
    });
  });
  afterAll(async () => {
    await h.stop();
    ecs.restore();
    cfn.restore();
  });
  beforeEach(() => fakeAws());

  it('answers /healthz when ready', async () => {
    const r = await fetch(`${h.base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true });
  });

  it('/deploy help answers in the acknowledgement, listing every command', async () => {
    const r = await h.command('help');
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    for (const sub of ['status', 'approve', 'reject', 'rollback', 'history', 'lock', 'unlock', '--dry-run']) {
      expect(JSON.stringify(body.blocks)).toContain(sub);
    }
    expect(ecs.calls()).toHaveLength(0);
  });

  it('bad input gets a short ephemeral message with the usage line, and no AWS call', async () => {
    const r = await h.command('todobakend 1.2.3');
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('Did you mean todobackend?');
    // Usage is text: escaped, so `<app>` is not a Slack link.
    expect(body.text).toContain('/deploy &lt;app&gt; &lt;version&gt; [to &lt;env&gt;] [--dry-run]');
    expect(ecs.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('status <app> answers in the channel with the environment matrix', async () => {
    const r = await h.command('status todobackend');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    const reply = await responseTo(h.slack, r.responseUrl);
    expect(reply.response_type).toBe('in_channel');
    const text = textOf(reply);
    expect(text).toContain('*dev*');
    expect(text).toContain('`1.2.2` (sha256:9f86d081884c)');
    expect(text).toContain('tasks 2/2 running');
    expect(text).toContain('*prod*');
    expect(text).toContain('`1.2.1`');
    // the matrix reads ECS once and needs no stack events
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(0);
  });

  it('status <app> <env> gives one environment in detail with its last events', async () => {
    const r = await h.command('status todobackend dev');
    const reply = await responseTo(h.slack, r.responseUrl);
    const text = textOf(reply);
    expect(text).toContain('todobackend / dev');
    expect(text).toContain('Recent events');
    expect(text).toContain('has reached a steady state.');
    expect(text).toContain('in cluster todo-dev');
  });

  it('status for a CloudFormation environment shows the parameter and the stack events', async () => {
    const r = await h.command('status todobackend prod');
    const text = textOf(await responseTo(h.slack, r.responseUrl));
    expect(text).toContain('`1.2.1`');
    expect(text).toContain('state: UPDATE_COMPLETE');
    expect(text).toContain('todobackend-prod UPDATE_COMPLETE');
  });

  it('status with no app lists every app compactly, batching services of one cluster into one call', async () => {
    const r = await h.command('status');
    const text = textOf(await responseTo(h.slack, r.responseUrl));
    expect(text).toContain('*todobackend*');
    expect(text).toContain('*billing*');
    expect(text).toContain('`3.0.1`');
    const calls = ecs.commandCalls(DescribeServicesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.services).toEqual(['todobackend-dev', 'billing-staging']);
  });

  it('an AWS denial becomes one line naming the resource and the missing permission', async () => {
    const denied = Object.assign(
      new Error(
        'User: arn:aws:sts::123456789012:assumed-role/capstan/x is not authorized to perform: cloudformation:DescribeStacks on resource: todobackend-prod',
      ),
      { name: 'AccessDenied' },
    );
    cfn.on(DescribeStacksCommand).rejects(denied);
    const r = await h.command('status todobackend');
    const text = textOf(await responseTo(h.slack, r.responseUrl));
    expect(text).toContain(
      "AWS denied cloudformation:DescribeStacks on CloudFormation stack todobackend-prod (us-east-1): allow cloudformation:DescribeStacks in Capstan's IAM policy.",
    );
    // the other environment is still shown
    expect(text).toContain('`1.2.2`');
  });

  it('a missing service and missing credentials are named, not dumped', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: 'todobackend-dev', reason: 'MISSING' }] });
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const r = await h.command('status todobackend');
    const text = textOf(await responseTo(h.slack, r.responseUrl));
    expect(text).toContain('ECS service todobackend-dev was not found in cluster todo-dev (us-east-1).');
    expect(text).toContain('No AWS credentials to read CloudFormation stack todobackend-prod (us-east-1)');
    expect(text).not.toContain('at ');
  });

  it('mentioning the bot with status in a deploy thread answers in that thread', async () => {
    const r = await h.event({
      type: 'app_mention',
      user: 'U0BOB',
      text: '<@UCAPSTAN> status todobackend dev',
      ts: '1700000100.000200',
      thread_ts: '1700000000.000100',
      channel: 'C0DEV',
    });
    expect(r.status).toBe(200);
    const msg = await h.slack.waitFor(() => h.slack.messages.find((m) => m.threadTs === '1700000000.000100'));
    expect(msg.channel).toBe('C0DEV');
    expect(JSON.stringify(msg.blocks)).toContain('todobackend / dev');
  });

  describe('refuses what Slack did not sign', () => {
    const body = new URLSearchParams({
      command: '/deploy',
      text: 'status',
      user_id: 'U0ALICE',
      channel_id: 'C0DEV',
      response_url: 'http://127.0.0.1:9/x',
    }).toString();

    it('a forged signature gets 401 and does nothing', async () => {
      const r = await h.post('/slack/events', body, {
        'content-type': 'application/x-www-form-urlencoded',
        ...slackHeaders(body, undefined, 'wrong-secret'),
      });
      expect(r.status).toBe(401);
      expect(ecs.calls()).toHaveLength(0);
    });

    it('a timestamp older than 5 minutes gets 401', async () => {
      const ts = Math.floor(Date.now() / 1000) - 301;
      const r = await h.post('/slack/events', body, {
        'content-type': 'application/x-www-form-urlencoded',
        ...slackHeaders(body, ts),
      });
      expect(r.status).toBe(401);
      expect(ecs.calls()).toHaveLength(0);
    });

    it('a correctly signed request from more than 5 minutes in the future gets 401, does nothing, and logs no secret', async () => {
      logLines.length = 0;
      for (const ahead of [360, 3600, 86_400 * 365]) {
        const headers = slackHeaders(body, nowSeconds() + ahead);
        const r = await h.post('/slack/events', body, {
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        });
        expect(r.status).toBe(401);
        expect(r.body).toBe('');
        const signature = headers['x-slack-signature']!.slice(3);
        expect(logLines.join('\n')).not.toContain(signature);
      }
      expect(ecs.calls()).toHaveLength(0);
      const refusals = logLines.filter((l) => l.includes('Slack request refused'));
      expect(refusals).toHaveLength(3);
      expect(refusals[0]).toContain('x-slack-request-timestamp is in the future');
      expect(logLines.join('\n')).not.toContain(SIGNING_SECRET);
    });

    it('a timestamp a little ahead of the clock, within the window, is accepted', async () => {
      const help = new URLSearchParams({ command: '/deploy', text: 'help', user_id: 'U0ALICE' }).toString();
      const r = await h.post('/slack/events', help, {
        'content-type': 'application/x-www-form-urlencoded',
        ...slackHeaders(help, nowSeconds() + 240),
      });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ response_type: 'ephemeral' });
    });

    it('a missing signature gets 401', async () => {
      const r = await h.post('/slack/events', body, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(r.status).toBe(401);
    });

    it('a malformed body gets 400', async () => {
      const bad = '{"type": "event_callback", ';
      const r = await h.post('/slack/events', bad, {
        'content-type': 'application/json',
        ...slackHeaders(bad),
      });
      expect(r.status).toBe(400);
      expect(ecs.calls()).toHaveLength(0);
    });
  });
});

describe('Slack request timestamps', () => {
  const now = Date.parse('2026-11-21T22:00:00Z');
  const at = (offsetSeconds: number) => String(Math.floor(now / 1000) + offsetSeconds);

  it.each([
    [at(0), true],
    [at(300), true],
    [at(-300), true],
    [at(301), false],
    [at(-301), false],
    [at(86_400), false],
    ['1e10', false],
    ['-5', false],
    ['', false],
    [[at(0), at(0)], false],
  ])('judges %j as fresh: %s', (header, fresh) => {
    expect(judgeSlackTimestamp(header, now).ok).toBe(fresh);
  });

  it('an absent timestamp is left to Bolt, which refuses it unless it is an ssl_check', () => {
    expect(judgeSlackTimestamp(undefined, now).ok).toBe(true);
  });

  describe('through Bolt, by an injected clock', () => {
    // The receiver's clock runs an hour ahead of the wall clock: only the injected clock can explain
    // refusing a request signed now and accepting one signed an hour from now.
    const skewMs = 3_600_000;
    let app: App;
    let base: string;
    const handled: string[] = [];
    beforeAll(async () => {
      app = new App({
        receiver: new FreshHttpReceiver({
          signingSecret: SIGNING_SECRET,
          log: createLogger('error', () => {}),
          now: () => Date.now() + skewMs,
        }),
        authorize: async () => ({ botToken: 'xoxb-test-token', botId: 'B0CAPSTAN', botUserId: 'U0CAPSTAN' }),
        logger: toBoltLogger(createLogger('error', () => {})),
      });
      app.command('/deploy', async ({ command, ack }) => {
        handled.push(command.text);
        await ack();
      });
      const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await app.stop();
    });

    const send = (text: string, ts: number) => {
      const body = new URLSearchParams({ command: '/deploy', text, user_id: 'U0ALICE' }).toString();
      return fetch(`${base}/slack/events`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, ts) },
      });
    };

    it('refuses a request signed by the wall clock, an hour old by the receiver’s', async () => {
      expect((await send('signed now', nowSeconds())).status).toBe(401);
      expect(handled).toEqual([]);
    });

    it('accepts a request signed at the receiver’s now', async () => {
      expect((await send('signed an hour ahead', nowSeconds() + skewMs / 1000)).status).toBe(200);
      expect(handled).toEqual(['signed an hour ahead']);
    });
  });
});
