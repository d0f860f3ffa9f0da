import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/main.js';
import { click, find, statusOf } from '../e2e/sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

/** Sends `/deploy <command>` as alice in `channel`; the first reply to her that contains `words`. */
async function answer(channel: string, command: string, words: string): Promise<string> {
  expect(await sb!.ui.command('U0ALICE', channel, command)).toBe(200);
  return sb!.slack.waitFor(() =>
    [...sb!.slack.responses]
      .reverse()
      .map((r) => JSON.stringify(r.body))
      .find((b) => b.includes(words)),
  );
}

describe('the sandbox delivery demo', () => {
  it('answers /deploy stats from the seeded weeks; bluegreen refuses 1.2.3 until dev verified it and it soaked, then takes it promoted', async () => {
    sb = await startSandbox({
      tickMs: 60,
      pollMs: 50,
      timing: { slackPostIntervalMs: 20, slackUpdateIntervalMs: 20, changeSetPollMs: 20, expiryCheckMs: 100 },
      deliveryDemo: true,
      soakMs: 1000,
    });
    expect(await sb.ui.command('U0ALICE', 'C0DEV', 'stats todobackend dev')).toBe(200);
    const stats = await sb.slack.waitFor(() =>
      sb!.slack.responses
        .map((r) => JSON.stringify(r.body))
        .find((b) => b.includes('Delivery of todobackend/dev')),
    );
    // Seven seeded entries: one rolled back by Capstan, one deploy undone by a rollback within 24 h.
    expect(stats).toContain('6 deploys in 30 days');
    expect(stats).toContain('2 of 6 deploys failed');
    await find(sb, 'C0DEV', (m) => (m.files?.length ?? 0) > 0);

    // bluegreen takes only what dev verified: 1.2.3 never ran there. What dev runs (1.2.2, seeded weeks
    // ago) would pass, so that promotion is offered.
    const notVerified = await answer(
      'C0BLUEGREEN',
      'todobackend 1.2.3 to bluegreen',
      'was not verified there',
    );
    expect(notVerified).toContain(
      'Works now: `/deploy promote todobackend to bluegreen`, for what *dev* runs, `1.2.2`',
    );

    // Verified in dev (it has no bake: succeeded counts), then soaking: the reply says until when.
    await sb.ui.command('U0ALICE', 'C0DEV', 'todobackend 1.2.3 to dev');
    await find(sb, 'C0DEV', (m) => /todobackend 1\.2\.3 to dev: succeeded$/.test(m.text));
    const soaking = await answer('C0BLUEGREEN', 'todobackend 1.2.3 to bluegreen', 'must soak there for');
    expect(soaking).toContain('`/deploy todobackend 1.2.3 to bluegreen` works after <!date^');
    const allowedAt = Number(/works after <!date\^(\d+)\^/.exec(soaking)?.[1]);
    // The sandbox runs on real time: wait for the moment the reply named (a Slack date is in whole seconds).
    await sb.slack.waitFor(() => Date.now() >= (allowedAt + 1) * 1000 || undefined, 10_000);

    // Allowed now: promoted, it waits to reroute traffic, an approver lets it go on, and it succeeds.
    const promoted = await answer(
      'C0BLUEGREEN',
      'promote todobackend to bluegreen',
      'Promoting what *dev* runs',
    );
    expect(promoted).toContain('Deploying *todobackend* `1.2.3` to *bluegreen*');
    const waiting = await find(
      sb,
      'C0BLUEGREEN',
      (m) =>
        /1\.2\.3 to bluegreen: rolling out/.test(m.text) &&
        JSON.stringify(m.blocks).includes('capstan_continue'),
    );
    await click(sb, waiting, 'capstan_continue', 'U0BOB');
    await find(
      sb,
      'C0BLUEGREEN',
      (m) => m.ts === waiting.ts && /1\.2\.3 to bluegreen: succeeded$/.test(m.text),
    );
    expect(await statusOf(sb, 'C0BLUEGREEN', 'bluegreen')).toBe('Status of todobackend/bluegreen: 1.2.3');
  });
});
