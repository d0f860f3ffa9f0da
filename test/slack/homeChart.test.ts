import { afterEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { decodePng } from '../support/png.js';
import { expectWithinBlockKit } from '../views/blockKit.js';

const PUBLIC = 'https://capstan.example.com';
const APP_TOKEN = 'xapp-1-test';

let h: Harness;
let aws: FakeEcs;

async function start(env: Record<string, string> = {}) {
  const clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  const socket = env.SLACK_APP_TOKEN !== undefined;
  h = await startHarness({
    yaml: TEST_YAML,
    slack: { users: USERS, groups: GROUPS, ...(socket ? { appToken: APP_TOKEN } : {}) },
    clock,
    sleep: clock.sleep,
    env,
  });
}
afterEach(async () => {
  await h.stop();
  aws.restore();
});

type Block = {
  type: string;
  image_url?: string;
  alt_text?: string;
  title?: { text: string };
  text?: { text: string };
};

const published = (user: string) => h.slack.callsOf('views.publish').filter((c) => c.args.user_id === user);

/** Opens the Home tab as `user` and returns the blocks of the view Slack took. */
async function openHome(user: string): Promise<Block[]> {
  const before = published(user).length;
  const r = await h.event({
    type: 'app_home_opened',
    user,
    channel: `D0${user}`,
    tab: 'home',
    event_ts: '1.0',
  });
  expect(r.status).toBe(200);
  await h.slack.waitFor(() => h.slack.homeViews.get(user) && published(user).length > before);
  const view = h.slack.homeViews.get(user) as unknown as { blocks: Block[] };
  expectWithinBlockKit(view, 'home');
  return view.blocks;
}
const images = (blocks: Block[]) => blocks.filter((b) => b.type === 'image');

/** Fetches a chart the way Slack would, from this Capstan (the public address stands for it). */
async function fetchChart(imageUrl: string) {
  expect(imageUrl.startsWith(`${PUBLIC}/charts/`)).toBe(true);
  const r = await fetch(`${h.base}${new URL(imageUrl).pathname}`);
  return { status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) };
}

describe("the Home tab's weekly chart, served by Capstan", () => {
  it('shows each of the viewer’s apps as an image Capstan draws on request, the same URL while the figures stay', async () => {
    await start({ CAPSTAN_PUBLIC_URL: `${PUBLIC}/` });
    const alice = images(await openHome('U0ALICE'));
    // Alice may deploy todobackend and billing; Mallory only todobackend.
    expect(alice.map((b) => b.title?.text)).toEqual([
      'Deploys and failures per week: todobackend, last 4 weeks to today',
      'Deploys and failures per week: billing, last 4 weeks to today',
    ]);
    expect(alice[0]!.alt_text).toContain(': 0 deploys, 0 failures.');
    const png = await fetchChart(alice[0]!.image_url!);
    expect(png).toMatchObject({ status: 200, type: 'image/png' });
    expect(decodePng(png.body)).toMatchObject({ width: 720, height: 360 });
    expect((await fetchChart(alice[1]!.image_url!)).status).toBe(200);

    // Someone else with the same app sees the same URL (Slack fetches it once).
    const mallory = images(await openHome('U0MALLORY'));
    expect(mallory.map((b) => b.image_url)).toEqual([alice[0]!.image_url]);

    // A deploy changes todobackend's figures: its URL changes, billing's does not.
    const r = await h.command('todobackend 1.2.3 to dev', { user: 'U0ALICE', channel: 'C0DEV' });
    await responseTo(h.slack, r.responseUrl);
    await h.slack.waitFor(() =>
      h.slack.channelMessages('C0DEV').find((m) => / 1\.2\.3 to dev.*: succeeded$/.test(m.text)),
    );
    const after = images(await openHome('U0ALICE'));
    expect(after[0]!.image_url).not.toBe(alice[0]!.image_url);
    expect(after[0]!.alt_text).toContain(': 1 deploy, 0 failures.');
    expect(after[1]!.image_url).toBe(alice[1]!.image_url);
    expect(decodePng((await fetchChart(after[0]!.image_url!)).body).width).toBe(720);

    // A URL changed by one character draws nothing.
    const forged = after[0]!.image_url!.replace(
      /\.(.)([^./]*\.png)$/,
      (_, c: string, rest: string) => `.${c === 'A' ? 'B' : 'A'}${rest}`,
    );
    expect(forged).not.toBe(after[0]!.image_url);
    expect(await fetchChart(forged)).toMatchObject({ status: 404, body: Buffer.alloc(0) });
  });

  it('without a public address, says the figures in words and shows no image', async () => {
    await start();
    const blocks = await openHome('U0MALLORY');
    expect(images(blocks)).toEqual([]);
    const words = blocks.find((b) => b.text?.text?.startsWith('*todobackend*, last'))?.text?.text;
    expect(words).toMatch(
      /^\*todobackend\*, last 4 weeks: 0 deploys, 0 failures\ndeploys per week · \d+ \w{3}: 0 · \d+ \w{3}: 0 · \d+ \w{3}: 0 · \d+ \w{3}: 0$/,
    );
    // The route is there all the same, and draws nothing it did not sign.
    expect((await fetch(`${h.base}/charts/nothing.AAAAAAAAAAAAAAAAAAAAAA.png`)).status).toBe(404);
    // A malformed escape names nothing either (Bolt would answer 500 while decoding it).
    for (const bad of ['%', '%E0%A4%A.png'])
      expect((await fetch(`${h.base}/charts/${bad}`)).status).toBe(404);
    expect(JSON.stringify(blocks)).toContain('Which version runs where');
  });

  it('publishes the figures in words when Slack refuses the view with its pictures', async () => {
    await start({ CAPSTAN_PUBLIC_URL: PUBLIC });
    h.slack.failOnce.set('views.publish', 'invalid_blocks');
    const blocks = await openHome('U0MALLORY');
    const refused = h.slack.callsOf('views.publish:error');
    expect(refused.map((c) => JSON.stringify(c.args).includes('image_url'))).toEqual([true]);
    expect(published('U0MALLORY')).toHaveLength(1);
    expect(images(blocks)).toEqual([]);
    expect(blocks.find((b) => b.text?.text?.startsWith('*todobackend*, last 4 weeks'))).toBeDefined();
  });

  it('in Socket Mode, serves the chart on the side listener beside /healthz', async () => {
    await start({ SLACK_APP_TOKEN: APP_TOKEN, CAPSTAN_PUBLIC_URL: PUBLIC });
    const [chart] = images(await openHome('U0MALLORY'));
    const png = await fetchChart(chart!.image_url!);
    expect(png.status).toBe(200);
    expect(decodePng(png.body)).toMatchObject({ width: 720, height: 360 });
    expect((await fetchChart(`${PUBLIC}/charts/nothing.AAAAAAAAAAAAAAAAAAAAAA.png`)).status).toBe(404);
  });
});
