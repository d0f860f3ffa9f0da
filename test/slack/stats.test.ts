import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

let h: Harness;
let aws: FakeEcs;
let clock: SkipClock;

beforeEach(async () => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  h = await startHarness({
    yaml: TEST_YAML,
    slack: { users: USERS, groups: GROUPS },
    clock,
    sleep: clock.sleep,
  });
});
afterEach(async () => {
  await h.stop();
  aws.restore();
});

async function reply(command: string, user = 'U0ALICE') {
  const r = await h.command(command, { user, channel: 'C0DEV' });
  expect(r.status).toBe(200);
  return responseTo(h.slack, r.responseUrl);
}

describe('/deploy stats', () => {
  it('answers in the channel with the figures of a deploy just made, lead time from the push in ECR', async () => {
    const pushedAt = aws.tags.get('1.2.3')!.pushedAt.getTime();
    await reply('todobackend 1.2.3 to dev');
    const done = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0DEV').find((m) => / 1\.2\.3 to dev.*: succeeded$/.test(m.text)),
    );
    expect(done).toBeDefined();
    const answer = await reply('stats todobackend dev --days 7');
    expect(answer.response_type).toBe('in_channel');
    const text = JSON.stringify(answer);
    expect(text).toContain('Delivery of todobackend/dev, last 7 days');
    expect(text).toContain('1 deploy in 7 days');
    expect(text).toContain('0 of 1 deploys failed');
    // ECR says 1.2.3 was pushed 27 days before the deploy: that is the lead time.
    expect(Math.round((clock.now() - pushedAt) / 86_400_000)).toBe(27);
    expect(text).toContain('median 27d, p90 27d · from 1 of 1 verified changes');
  });

  it('refuses a bad --days with the usage, and changes nothing', async () => {
    const r = await h.command('stats todobackend --days 0', { user: 'U0ALICE', channel: 'C0DEV' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('--days takes a whole number of days from 1 to 365');
    expect(r.body).toContain('/deploy stats [&lt;app&gt;] [&lt;env&gt;] [--days 30]');
  });
});
