import { ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClustersCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvelopeType, StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

const APP_TOKEN = 'xapp-1-test';

let h: Harness;
let ecs: FakeEcs;
let cfn: FakeCfn;

beforeEach(async () => {
  ecs = new FakeEcs();
  cfn = new FakeCfn();
  h = await start(2_000);
});

/** Capstan in Socket Mode; the SDK pings every third of `pingTimeoutMs` and waits that long before it reconnects (5 s by default). */
function start(pingTimeoutMs: number): Promise<Harness> {
  // The stand-in accepts this app-level token only, so a socket opened with any other token fails.
  return startHarness({
    yaml: TEST_YAML,
    slack: { users: USERS, groups: GROUPS, appToken: APP_TOKEN },
    env: { SLACK_APP_TOKEN: APP_TOKEN },
    socketPingTimeoutMs: pingTimeoutMs,
  });
}
afterEach(async () => {
  await h.stop();
  ecs.restore();
  cfn.restore();
});

const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;

/** The last envelope of `type` the stand-in delivered, and Capstan's acknowledgement of it. */
function lastExchange(type: EnvelopeType) {
  const envelope = h.slack.socket.delivered.filter((e) => e.type === type).at(-1);
  expect(envelope).toBeDefined();
  const ack = h.slack.socket.acks.find((a) => a.envelopeId === envelope!.envelope_id);
  return { envelope: envelope!, ack };
}

async function answer(text: string, opts: { user?: string; channel?: string } = {}): Promise<string> {
  const r = await h.command(text, opts);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

function message(channel: string, until: (m: StoredMessage) => boolean): Promise<StoredMessage> {
  return h.slack.waitFor(() => h.slack.channelMessages(channel).find(until));
}

describe('Socket Mode', () => {
  it('opens the socket with the app-level token and serves /healthz on PORT, with no HTTP endpoint for Slack', async () => {
    expect(h.slack.callsOf('apps.connections.open')).toHaveLength(1);
    expect(h.slack.socket.connected).toBe(true);
    expect(h.slack.socket.hellos).toBe(1);

    const health = await fetch(`${h.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const events = await fetch(`${h.base}/slack/events`, { method: 'POST', body: '{}' });
    expect(events.status).toBe(404);
  });

  it('a /deploy envelope is acknowledged by its id before the AWS work ends, runs to succeeded, and status shows it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    ecs.ecs.on(DescribeClustersCommand).callsFake(async () => {
      await held;
      return { clusters: [{ clusterName: 'todo-dev', status: 'ACTIVE' }] };
    });

    // h.command resolves with the acknowledgement; the stand-in rejects one that takes over 3 s.
    const r = await h.command('todobackend 1.2.3');
    const { envelope, ack } = lastExchange('slash_commands');
    expect(envelope.payload).toMatchObject({
      command: '/deploy',
      text: 'todobackend 1.2.3',
      user_id: 'U0ALICE',
    });
    expect(envelope.accepts_response_payload).toBe(true);
    expect(ack).toMatchObject({ envelopeId: envelope.envelope_id, payload: undefined });
    expect(r.body).toBe('');
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    release();

    expect(JSON.stringify(await responseTo(h.slack, r.responseUrl))).toContain(
      'Deploying *todobackend* `1.2.3` to *dev*',
    );
    const parent = await message(
      'C0DEV',
      (m) => m.text.includes(' 1.2.3 to dev') && /: succeeded$/.test(m.text),
    );
    expect(body(parent)).toContain('`1.2.2` → `1.2.3`');
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);

    expect(await answer('status todobackend dev')).toContain('`1.2.3`');
    expect(h.slack.socket.acks).toHaveLength(2);
  });

  it('an answer given at once (help) travels back in the acknowledgement', async () => {
    const r = await h.command('help');
    const { ack } = lastExchange('slash_commands');
    expect(ack?.payload).toMatchObject({ response_type: 'ephemeral', text: 'Capstan: /deploy commands' });
    expect(r.body).toContain('Apps: todobackend, billing');
  });

  it('an approval click is an interactive envelope, acknowledged by its id and authorized on the clicking user', async () => {
    cfn.resources = [{ logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'False' }];
    const asked = await answer('todobackend 1.2.3 to prod', { channel: 'C0PROD' });
    const id = /request `(r-[a-z0-9]+)`/.exec(asked)?.[1];
    expect(id).toBeDefined();
    const review = await message('C0PROD', (m) => JSON.stringify(m.blocks).includes('capstan_approve'));

    const click = async (user: string) => {
      const r = await h.click({ actionId: 'capstan_approve', value: id!, user, message: review });
      const { envelope, ack } = lastExchange('interactive');
      expect(envelope.payload).toMatchObject({ type: 'block_actions', user: { id: user } });
      expect(envelope.accepts_response_payload).toBe(false);
      expect(ack).toMatchObject({ envelopeId: envelope.envelope_id, payload: undefined });
      return JSON.stringify(await responseTo(h.slack, r.responseUrl));
    };
    expect(await click('U0MALLORY')).toContain('You are not an approver here. Approvers: @deploy-approvers.');
    expect(await click('U0ALICE')).toContain('You asked for this change, so someone else has to approve it.');
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);

    expect(await click('U0BOB')).toContain('Approved.');
    const done = await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(body(done)).toContain('Approvals 1/1: <@U0BOB>');
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  it('a mention arrives as an events_api envelope and is answered in its thread', async () => {
    const ts = '1790000000.000100';
    await h.event({
      type: 'app_mention',
      user: 'U0ALICE',
      text: '<@UCAPSTAN> status todobackend dev',
      channel: 'C0DEV',
      ts,
      event_ts: ts,
    });
    const { envelope, ack } = lastExchange('events_api');
    expect(envelope.payload).toMatchObject({ type: 'event_callback', event: { type: 'app_mention' } });
    expect(ack?.envelopeId).toBe(envelope.envelope_id);
    const reply = await h.slack.waitFor(() => h.slack.thread('C0DEV', ts)[0]);
    expect(body(reply)).toContain('`1.2.2`');
  });

  // The SDK pings every clientPingTimeout/3 and waits clientPingTimeout before reconnecting, on its
  // own timers: this one runs with 1.2 s rather than 2 s, so it takes about 1.5 s.
  it('keeps the link alive, and when Slack asks it to reconnect, opens a fresh socket and keeps answering', async () => {
    await h.stop();
    h = await start(1_200);
    // The SDK drops a link whose pings go unanswered; the stand-in answers them as Slack does.
    await h.slack.waitFor(() => h.slack.socket.pingsReceived > 0);
    h.slack.socket.disconnect('refresh_requested');
    await h.slack.waitFor(() => h.slack.socket.hellos === 2 && h.slack.socket.connected, 15_000);
    expect(h.slack.callsOf('apps.connections.open')).toHaveLength(2);
    expect(await answer('status todobackend dev')).toContain('`1.2.2`');
    expect(h.slack.socket.hellos).toBe(2);
  });
});
