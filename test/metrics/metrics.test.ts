import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, startHarness } from '../support/harness.js';

// Short leases, so a finished deployment's lease is handed back within the test.
const YAML = `${TEST_YAML}
replicas:
  leaseFor: 300ms
`;

let h: Harness;
let aws: FakeEcs;

beforeEach(async () => {
  aws = new FakeEcs();
  h = await startHarness({ yaml: YAML, slack: { users: USERS, groups: GROUPS } });
});
afterEach(async () => {
  await h.stop();
  aws.restore();
});

async function scrape(): Promise<{ status: number; type: string | null; text: string }> {
  const r = await fetch(`${h.base}/metrics`);
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

/** The value of one series (`name{labels}` exactly as exposed), or undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Scrapes until the series satisfies `ok`; fails with the last scrape after `timeoutMs`. */
async function until(
  series: string,
  ok: (v: number | undefined) => boolean,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { text } = await scrape();
    if (ok(value(text, series))) return text;
    if (Date.now() > deadline)
      throw new Error(`${series} is ${value(text, series)} after ${timeoutMs} ms:\n${text}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const throttling = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: {} });

describe('/metrics', () => {
  it('shows rollouts in flight, lease ownership, AWS and Slack errors, outcomes and the time to show an end', async () => {
    // The deploy's own reads succeed; the rollout's looks are throttled until the test lets them through.
    let throttled = true;
    aws.beforeDescribe = () => {
      if (throttled && aws.ecs.commandCalls(UpdateServiceCommand).length > 0) throw throttling();
    };
    expect((await h.command('todobackend 1.2.3')).status).toBe(200);

    const during = await until(
      'capstan_aws_call_errors_total{code="ThrottlingException"}',
      (v) => (v ?? 0) >= 1,
    );
    expect(value(during, 'capstan_rollouts_in_flight{state="rolling_out"}')).toBe(1);
    expect(value(during, 'capstan_rollouts_in_flight{state="rolling_back"}')).toBe(0);
    expect(value(during, 'capstan_leases_held')).toBe(1);
    expect(value(during, 'capstan_rollout_outcomes_total{target="ECS",result="succeeded"}')).toBeUndefined();

    // The next message Slack is asked to post fails once.
    h.slack.failOnce.set('chat.postMessage', 'channel_not_found');
    throttled = false;
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages('C0DEV')
        .find((m) => m.text.includes(' 1.2.3 to dev') && m.text.endsWith(': succeeded')),
    );

    const after = await until('capstan_leases_held', (v) => v === 0);
    expect(value(after, 'capstan_rollout_outcomes_total{target="ECS",result="succeeded"}')).toBe(1);
    expect(value(after, 'capstan_rollouts_in_flight{state="rolling_out"}')).toBe(0);
    expect(value(after, 'capstan_rollout_end_to_slack_seconds_count')).toBe(1);
    expect(value(after, 'capstan_rollout_end_to_slack_seconds_sum')).toBeLessThan(5);
    expect(
      value(after, 'capstan_slack_call_errors_total{method="chat.postMessage",code="channel_not_found"}'),
    ).toBe(1);
    expect(value(after, 'capstan_aws_call_errors_total{code="ThrottlingException"}')).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('is Prometheus text from a registry of its own: two Capstans in one process each count their own rollouts', async () => {
    const other = await startHarness({ yaml: YAML, slack: { users: USERS, groups: GROUPS } });
    try {
      expect((await h.command('todobackend 1.2.3')).status).toBe(200);
      await until('capstan_rollout_outcomes_total{target="ECS",result="succeeded"}', (v) => v === 1);

      const r = await fetch(`${other.base}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await r.text();
      expect(text).toContain('# TYPE capstan_rollout_outcomes_total counter');
      expect(value(text, 'capstan_rollout_outcomes_total{target="ECS",result="succeeded"}')).toBeUndefined();
      expect(value(text, 'capstan_leases_held')).toBe(0);
    } finally {
      await other.stop();
    }
  });
});
