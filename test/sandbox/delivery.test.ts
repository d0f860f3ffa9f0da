import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/main.js';
import { find } from '../e2e/sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

describe('the sandbox delivery demo', () => {
  it('answers /deploy stats from the seeded weeks, and gates bluegreen on what dev verified', async () => {
    sb = await startSandbox({
      tickMs: 60,
      pollMs: 50,
      timing: { slackPostIntervalMs: 20, slackUpdateIntervalMs: 20, changeSetPollMs: 20, expiryCheckMs: 100 },
      deliveryDemo: true,
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

    expect(await sb.ui.command('U0ALICE', 'C0BLUEGREEN', 'todobackend 1.2.3 to bluegreen')).toBe(200);
    await sb.slack.waitFor(() =>
      sb!.slack.responses
        .map((r) => JSON.stringify(r.body))
        .find((b) => b.includes('was not verified there')),
    );
    expect(await sb.ui.command('U0ALICE', 'C0BLUEGREEN', 'promote todobackend to bluegreen')).toBe(200);
    await sb.slack.waitFor(() =>
      sb!.slack.responses
        .map((r) => JSON.stringify(r.body))
        .find(
          (b) => b.includes('Promoting what *dev* runs verified') && b.includes('`1.2.2` to *bluegreen*'),
        ),
    );
  });
});
