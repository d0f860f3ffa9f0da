import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/main.js';
import { RAW_TIME, stringsOf, withoutSlackDates } from '../views/rawTimes.js';
import { click, find, statusOf, text, threadWith, why } from './sandbox.js';

/** The fast sandbox, with `live` and `watched` baking for a few seconds instead of a minute. */
function bakingSandbox(bakeMs: number): Promise<Sandbox> {
  return startSandbox({
    tickMs: 60,
    pollMs: 50,
    bakeMs,
    timing: { slackPostIntervalMs: 20, slackUpdateIntervalMs: 20, changeSetPollMs: 20, expiryCheckMs: 100 },
  });
}

let sb: Sandbox | undefined;
afterEach(async () => {
  const said = sb ? [...sb.slack.messages, ...sb.slack.responses.map((r) => r.body)] : [];
  const raw = said.flatMap((m) => stringsOf(m)).filter((x) => RAW_TIME.test(withoutSlackDates(x.text)));
  await sb?.stop();
  sb = undefined;
  expect(raw.map((x) => `${x.at}: ${x.text}`)).toEqual([]);
});

const FIVE_XX =
  /^:rotating_light: Alarm `todobackend-(live|watched)-5xx` went off: Threshold Crossed: 3 out of the last 3 datapoints/;

describe('sandbox journeys: verification (simulated CloudWatch alarms after the rollout)', () => {
  it('live: 1.2.3 bakes with its alarms quiet and is verified; 1.2.4-broken succeeds, trips its 5XX alarm, and Capstan rolls back to 1.2.3 naming the alarm first', async () => {
    sb = await bakingSandbox(2_500);
    await sb.ui.command('U0ALICE', 'C0LIVE', 'todobackend 1.2.3 to live');
    const verified = await find(
      sb,
      'C0LIVE',
      (m) => m.text === 'deploy of todobackend 1.2.3 to live: verified',
      30_000,
    );
    expect(text(verified)).toContain('`1.2.2` → `1.2.3`');
    await threadWith(
      sb,
      verified,
      'now verifying until',
      '`todobackend-live-*`',
      'No alarm went off during the bake: verified.',
    );
    expect(sb.aws.count('cloudwatch', 'DescribeAlarms')).toBeGreaterThan(1);
    expect(await statusOf(sb, 'C0LIVE', 'live')).toContain('1.2.3');

    await sb.ui.command('U0ALICE', 'C0LIVE', 'todobackend 1.2.4-broken to live');
    // The rollout itself succeeds: the broken build starts here, and only its alarm tells.
    const done = await find(
      sb,
      'C0LIVE',
      (m) => m.text === 'deploy of todobackend 1.2.4-broken to live: rolled back to 1.2.3',
      30_000,
    );
    const shown = sb.slack.calls
      .filter((c) => c.method === 'chat.update' && c.args.ts === done.ts)
      .map((c) =>
        String(c.args.text)
          .replace(/^.*: /, '')
          .replace(/ \d+\/\d+$/, ''),
      );
    // In this order (Slack edits are coalesced: a short-lived state may be skipped, never reordered).
    const path = ['rolling out', 'verifying', 'rolling back', 'rolled back to 1.2.3'];
    const at = shown.map((x) => path.indexOf(x));
    expect(at).not.toContain(-1);
    expect(at).toEqual([...at].sort((x, y) => x - y));
    expect(shown.at(-1)).toBe('rolled back to 1.2.3');
    expect(why(done)).toMatch(FIVE_XX);
    expect(text(done)).not.toContain('todobackend-live-latency` went off');
    const thread = await threadWith(
      sb,
      done,
      'Alarm `todobackend-live-5xx` went off',
      'Rolling back to `1.2.3`',
    );
    expect(thread.match(/now verifying until/g)).toHaveLength(1);
    // 1.2.3, the broken build, and Capstan's rollback to 1.2.3.
    expect(sb.aws.count('ecs', 'UpdateService')).toBe(3);
    expect(sb.aws.ecs.running('todobackend-live')?.image?.tag).toBe('1.2.3');
    // Back on a good version, the alarm goes back to OK.
    await sb.slack.waitFor(
      () => sb!.aws.cloudwatch.alarm('todobackend-live-5xx')?.state === 'OK' || undefined,
    );
  }, 90_000);

  it('watched: the alarm asks the requester and the approvers; Keep (with why) ends it succeeded, not verified', async () => {
    sb = await bakingSandbox(60_000);
    await sb.ui.command('U0ALICE', 'C0WATCHED', 'todobackend 1.2.4-broken to watched');
    const asking = await find(
      sb,
      'C0WATCHED',
      (m) =>
        m.text.startsWith('deploy of todobackend 1.2.4-broken to watched') &&
        JSON.stringify(m.blocks).includes('Keep'),
      30_000,
    );
    expect(text(asking)).toContain('todobackend-watched-5xx');
    await threadWith(sb, asking, '<!subteam^', '<@U0ALICE>', 'todobackend-watched-5xx');
    // Keep asks why, in a modal; the version then stays, ending succeeded (kept), not verified.
    await click(sb, asking, 'capstan_bake_keep', 'U0BOB');
    const modal = await sb.slack.waitFor(() => sb!.ui.modals.get('U0BOB'));
    expect(modal.callback_id).toBe('capstan_bake_keep_modal');
    expect(
      await sb.ui.submitView('U0BOB', { reason: { reason: 'a known flaky upstream, fixed in 1.2.5' } }),
    ).toBe(200);
    const kept = await find(
      sb,
      'C0WATCHED',
      (m) =>
        m.ts === asking.ts &&
        m.text === 'deploy of todobackend 1.2.4-broken to watched: succeeded, not verified',
      30_000,
    );
    expect(JSON.stringify(kept.blocks)).not.toContain('capstan_bake_keep');
    await threadWith(
      sb,
      kept,
      '<@U0BOB> kept this version although `todobackend-watched-5xx` went off: a known flaky upstream, fixed in 1.2.5',
    );
    expect(await statusOf(sb, 'C0WATCHED', 'watched')).toContain('1.2.4-broken');
    expect(sb.aws.count('ecs', 'UpdateService')).toBe(1);
    // The alarm kept in ALARM is a dirty signal to start from: the next deploy is refused, naming it.
    await sb.ui.command('U0ALICE', 'C0WATCHED', 'todobackend 1.2.3 to watched');
    const refused = await sb.slack.waitFor(() =>
      sb!.slack.responses.map((r) => JSON.stringify(r.body)).find((b) => b.includes('Not deployed')),
    );
    expect(refused).toContain(
      '`todobackend-watched-5xx` is in ALARM (Threshold Crossed: 3 out of the last 3',
    );
    expect(sb.aws.count('ecs', 'UpdateService')).toBe(1);
  }, 90_000);
});
