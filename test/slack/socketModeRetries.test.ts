import { ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

const APP_TOKEN = 'xapp-1-test';

let h: Harness;
let ecs: FakeEcs;
let cfn: FakeCfn;
let lines: string[];
let rejections: unknown[];
const onRejection = (reason: unknown) => rejections.push(reason);

const start = (env: Record<string, string> = {}) =>
  startHarness({
    yaml: TEST_YAML,
    slack: { users: USERS, groups: GROUPS, appToken: APP_TOKEN },
    env: { SLACK_APP_TOKEN: APP_TOKEN, ...env },
    logger: createLogger('debug', (l) => lines.push(l)),
  });

beforeEach(async () => {
  lines = [];
  rejections = [];
  process.on('unhandledRejection', onRejection);
  ecs = new FakeEcs();
  cfn = new FakeCfn();
  h = await start();
});
afterEach(async () => {
  await h.stop();
  ecs.restore();
  cfn.restore();
  process.off('unhandledRejection', onRejection);
});

async function answer(text: string, opts: { user?: string; channel?: string } = {}): Promise<string> {
  const r = await h.command(text, opts);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

function message(channel: string, until: (m: StoredMessage) => boolean): Promise<StoredMessage> {
  return h.slack.waitFor(() => h.slack.channelMessages(channel).find(until));
}

describe('Socket Mode: what Slack sends wrong or twice', () => {
  it('an events_api envelope without an event is acknowledged and dropped; Capstan keeps serving', async () => {
    const ack = await h.slack.socket.sendRaw(
      JSON.stringify({
        envelope_id: 'env-no-event',
        type: 'events_api',
        payload: { type: 'event_callback', event_id: 'Ev1' },
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: '',
      }),
      { envelopeId: 'env-no-event' },
    );
    expect(ack?.envelopeId).toBe('env-no-event');
    expect(lines.join('\n')).toContain('events_api payload has no event');

    // Messages the client itself must not trip on: not JSON, null, a type naming its own events.
    await h.slack.socket.sendRaw('{"envelope_id": "trunc');
    await h.slack.socket.sendRaw('null');
    for (const type of ['ws_message', 'error', 'close', 'slack_event', 'connected']) {
      const id = `env-${type}`;
      const a = await h.slack.socket.sendRaw(JSON.stringify({ envelope_id: id, type, payload: {} }), {
        envelopeId: id,
      });
      expect(a?.envelopeId).toBe(id);
    }
    expect(await answer('status todobackend dev')).toContain('`1.2.2`');
    expect(h.slack.socket.connected).toBe(true);
    expect(rejections).toEqual([]);
  });

  it('an approval click Slack delivers again (same envelope_id, retry_attempt 1) is acknowledged and acted on once', async () => {
    cfn.resources = [{ logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'False' }];
    const asked = await answer('todobackend 1.2.3 to prod', { channel: 'C0PROD' });
    const id = /request `(r-[a-z0-9]+)`/.exec(asked)?.[1];
    expect(id).toBeDefined();
    const review = await message('C0PROD', (m) => JSON.stringify(m.blocks).includes('capstan_approve'));

    const click = await h.click({ actionId: 'capstan_approve', value: id!, user: 'U0BOB', message: review });
    expect(JSON.stringify(await responseTo(h.slack, click.responseUrl))).toContain('Approved.');
    const envelope = h.slack.socket.delivered.filter((e) => e.type === 'interactive').at(-1)!;

    const again = await h.slack.socket.redeliver(envelope.envelope_id, 1, 'timeout');
    expect(again.envelopeId).toBe(envelope.envelope_id);
    // The drop is decided before the acknowledgement goes out: nothing more can follow it.
    expect(lines.some((l) => l.includes('envelope seen before'))).toBe(true);
    const path = new URL(click.responseUrl).pathname;
    expect(h.slack.responses.filter((r) => r.url === path)).toHaveLength(1);

    await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(h.slack.responses.filter((r) => r.url === path)).toHaveLength(1);
  });

  it('a retry reaching another replica is acknowledged there and not acted on again', async () => {
    const first = await h.command('help');
    expect(first.body).toContain('Capstan: /deploy commands');
    const envelope = h.slack.socket.delivered.filter((e) => e.type === 'slash_commands').at(-1)!;
    // A second replica on the same ledger opens its own socket; Slack's retry goes to it.
    const other = await startHarness({
      yaml: TEST_YAML,
      standIn: h.slack,
      dbPath: h.dbPath,
      env: { SLACK_APP_TOKEN: APP_TOKEN },
      logger: createLogger('debug', (l) => lines.push(`other ${l}`)),
    });
    try {
      await h.slack.waitFor(() => h.slack.socket.hellos === 2);
      const again = await h.slack.socket.redeliver(envelope.envelope_id, 1, 'timeout');
      // The other replica answers with a plain acknowledgement: help is not given twice.
      expect(again.payload).toBeUndefined();
      expect(lines.some((l) => l.startsWith('other ') && l.includes('seen before'))).toBe(true);
    } finally {
      await other.stop();
    }
  });
});

describe('Socket Mode: the side listener', () => {
  it('reports the port it got with PORT=0 and binds HOST only', async () => {
    await h.stop();
    h = await start({ PORT: '0' });
    expect(h.capstan.port).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${h.capstan.port}/healthz`);
    expect(health.status).toBe(200);
    // HOST is 127.0.0.1: another loopback address reaches nothing.
    await expect(fetch(`http://127.0.0.2:${h.capstan.port}/healthz`)).rejects.toThrow();
  });
});
