import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { decodePng } from '../support/png.js';
import { parseCsv } from '../support/csv.js';

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

    // The chart, shared in the channel through Slack's external upload flow, with its numbers as text.
    const shared = await h.slack.waitFor(() => h.slack.channelMessages('C0DEV').find((m) => m.files?.length));
    const file = shared.files![0]!;
    expect(file.title).toBe('Deploys and failures per week: todobackend/dev, last week to today');
    expect(file.altText).toContain(': 1 deploy, 0 failures.');
    expect(decodePng(file.bytes!)).toMatchObject({ width: 720, height: 360 });
    expect(file.length).toBe(file.bytes!.length);
    const methods = h.slack.calls.map((c) => c.method);
    // The figures first, then the chart below them.
    const figuresAt = h.slack.calls.findIndex(
      (c) => c.method === 'response_url' && JSON.stringify(c.args).includes('Delivery of'),
    );
    expect(figuresAt).toBeGreaterThanOrEqual(0);
    expect(figuresAt).toBeLessThan(methods.indexOf('files.getUploadURLExternal'));
    expect(methods.indexOf('files.getUploadURLExternal')).toBeLessThan(methods.indexOf('upload'));
    expect(methods.indexOf('upload')).toBeLessThan(methods.indexOf('files.completeUploadExternal'));
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toContain('capstan_files_shared_total{what="chart",result="ok"} 1\n');
  });

  it('a chart Slack refuses is told to the person who asked; the figures stand', async () => {
    h.slack.failOnce.set('files.getUploadURLExternal', 'not_in_channel');
    const answer = JSON.stringify(await reply('stats todobackend'));
    expect(answer).toContain('Delivery of todobackend, last 30 days');
    const told = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ephemeralTo === 'U0ALICE' && m.text.includes('could not be shared')),
    );
    expect(told.text).toContain('Invite Capstan to this channel');
  });

  it('/deploy history --csv shares every entry of the ledger as a CSV file that reads back', async () => {
    await reply('todobackend 1.2.3 to dev');
    await h.slack.waitFor(() =>
      h.slack.channelMessages('C0DEV').find((m) => / 1\.2\.3 to dev.*: succeeded$/.test(m.text)),
    );
    const answer = JSON.stringify(await reply('history todobackend dev --csv'));
    expect(answer).toContain('Shared the history of *todobackend/dev* in this channel as CSV: its one entry');
    const shared = h.slack.channelMessages('C0DEV').find((m) => m.files?.length);
    const file = shared!.files![0]!;
    expect(file.filename).toMatch(/^todobackend-dev-history-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, row] = parseCsv(file.bytes!.toString('utf8'));
    const got = Object.fromEntries(header!.map((c, i) => [c, row![i]]));
    expect(got).toMatchObject({
      kind: 'deploy',
      env: 'dev',
      state: 'succeeded',
      requested_by: 'U0ALICE',
      to_version: '1.2.3',
    });
    expect(got.image_digest).toMatch(/^sha256:/);
  });

  it('refuses a bad --days with the usage, and changes nothing', async () => {
    const r = await h.command('stats todobackend --days 0', { user: 'U0ALICE', channel: 'C0DEV' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('--days takes a whole number of days from 1 to 365');
    expect(r.body).toContain('/deploy stats [&lt;app&gt;] [&lt;env&gt;] [--days 30]');
  });
});
