import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, startHarness } from '../support/harness.js';
import { slackHeaders } from '../support/signing.js';

let h: Harness;
let other: Harness;
let ecs: FakeEcs;
let lines: string[];

beforeEach(async () => {
  lines = [];
  ecs = new FakeEcs();
  h = await startHarness({
    yaml: TEST_YAML,
    slack: { users: USERS, groups: GROUPS },
    logger: createLogger('debug', (l) => lines.push(`a ${l}`)),
  });
  // A second replica on the same ledger, behind the same load balancer.
  other = await startHarness({
    yaml: TEST_YAML,
    standIn: h.slack,
    dbPath: h.dbPath,
    logger: createLogger('debug', (l) => lines.push(`b ${l}`)),
  });
});
afterEach(async () => {
  await other.stop();
  await h.stop();
  ecs.restore();
});

const json = (body: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  ...slackHeaders(body),
  ...extra,
});

function mention(eventId: string, ts: string): string {
  return JSON.stringify({
    token: 'deprecated',
    team_id: 'T0SANDBOX',
    api_app_id: 'A0CAPSTAN',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'app_mention',
      user: 'U0ALICE',
      text: '<@UCAPSTAN> status todobackend dev',
      channel: 'C0DEV',
      ts,
      event_ts: ts,
    },
  });
}

describe('Slack over HTTP: retries and what Slack should never send', () => {
  it('an Events API retry (X-Slack-Retry-Num) is answered 200 and not acted on again, on this replica or another', async () => {
    const ts = '1790000000.000200';
    const body = mention('EvRETRY01', ts);
    expect((await h.post('/slack/events', body, json(body))).status).toBe(200);
    await h.slack.waitFor(() => h.slack.thread('C0DEV', ts)[0]);

    const retry = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    const again = await other.post('/slack/events', body, json(body, retry));
    expect(again.status).toBe(200);
    const twice = await h.post('/slack/events', body, json(body, { ...retry, 'x-slack-retry-num': '2' }));
    expect(twice.status).toBe(200);
    // The 200 goes out first; the drop is decided right after it, before anything is acted on.
    const seenBefore = () => lines.filter((l) => l.includes('seen before')).map((l) => l[0]);
    await h.slack.waitFor(() => seenBefore().length === 2 || undefined);
    expect(seenBefore()).toEqual(['b', 'a']);
    expect(h.slack.thread('C0DEV', ts)).toHaveLength(1);

    // A new mention, with its own event id, is answered as before.
    const next = mention('EvRETRY02', '1790000000.000300');
    expect((await other.post('/slack/events', next, json(next))).status).toBe(200);
    await h.slack.waitFor(() => h.slack.thread('C0DEV', '1790000000.000300')[0]);
  });

  it('signed payloads Capstan cannot act on are answered 200 at once and logged without their content', async () => {
    const bodies = [
      JSON.stringify({ type: 'event_callback', event_id: 'EvX', token: 'xoxb-leaked-1' }),
      JSON.stringify({ type: 'event_callback', event: { type: 'app_mention', text: 7 } }),
      JSON.stringify({ type: 'app_rate_limited', minute_rate_limited: 1 }),
    ];
    for (const b of bodies) {
      const t0 = Date.now();
      const r = await h.post('/slack/events', b, json(b));
      expect(r.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(2000);
    }
    const forms: Record<string, string>[] = [
      { payload: JSON.stringify({ type: 'block_actions', actions: 'approve', user: { id: 'U0BOB' } }) },
      { payload: JSON.stringify({ type: 'view_submission', user: { id: 'U0BOB' }, view: null }) },
      { command: '/other', text: 'x', user_id: 'U0ALICE', channel_id: 'C0DEV' },
      { command: '/deploy', user_id: 'U0ALICE' },
    ];
    for (const f of forms) {
      const b = new URLSearchParams(f).toString();
      const r = await h.post('/slack/events', b, {
        'content-type': 'application/x-www-form-urlencoded',
        ...slackHeaders(b),
      });
      expect(r.status).toBe(200);
    }
    const dropped = lines.filter((l) => l.includes('Slack payload dropped'));
    expect(dropped.length).toBeGreaterThanOrEqual(bodies.length + forms.length - 1);
    expect(lines.join('\n')).not.toContain('xoxb-leaked-1');
    expect(ecs.ecs.calls()).toHaveLength(0);
  });
});
