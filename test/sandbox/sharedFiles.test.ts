import { runInNewContext } from 'node:vm';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackFileSharing } from '../../src/adapters/slack/files.js';
import { SlackStandIn } from '../../sandbox/slackApi.js';
import { SlackBridge } from '../../sandbox/ui/bridge.js';
import { RENDER_JS } from '../../sandbox/ui/render.js';

type Renderer = { renderBlocks(m: { text: string; blocks: unknown[] }): string };
const makeRenderer = runInNewContext(`${RENDER_JS}; makeRenderer`) as (d: () => object) => Renderer;

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const CSV = Buffer.from('request,version,state\ndep-1,1.2.3,succeeded\n');

let slack: SlackStandIn | undefined;
afterEach(async () => {
  await slack?.stop();
  slack = undefined;
});

describe('files Capstan shares, on the sandbox page', () => {
  it('shows a shared PNG as an image and a CSV as a link, both served by the stand-in', async () => {
    slack = new SlackStandIn({ users: [{ id: 'U0ALICE', name: 'alice' }] });
    await slack.start();
    const bridge = new SlackBridge(slack, {
      eventsUrl: () => 'http://127.0.0.1:1/slack/events',
      signingSecret: 'secret',
      channels: [{ id: 'C0DEV', name: 'todobackend-dev' }],
    });
    // Shared the way Capstan shares them: the real adapter, files.uploadV2 against the stand-in.
    const files = createSlackFileSharing(
      new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
    );
    const alt = 'week of 9 Nov: 1 deploy, 0 failures "<b>"';
    await files.share({
      channel: 'C0DEV',
      filename: 'chart.png',
      title: 'Deploys per week',
      content: PNG,
      altText: alt,
    });
    await files.share({
      channel: 'C0DEV',
      filename: 'todobackend-dev.csv',
      title: 'History of todobackend/dev',
      content: CSV,
    });

    const [chart, csv] = bridge.state('U0ALICE').messages;
    const page = makeRenderer(() => ({ bot: slack!.botUserId }));
    const chartHtml = page.renderBlocks(chart!);
    const imageUrl = /<img src="([^"]+)"/.exec(chartHtml)?.[1];
    expect(imageUrl).toMatch(new RegExp(`^${slack.url}/files/F\\w+/chart\\.png$`));
    expect(chartHtml).toContain('alt="week of 9 Nov: 1 deploy, 0 failures &quot;&lt;b&gt;&quot;"');
    expect(chartHtml).toContain('Deploys per week');

    const csvHtml = page.renderBlocks(csv!);
    expect(csvHtml).not.toContain('<img');
    const link =
      /<a href="([^"]+)" download="todobackend-dev\.csv"[^>]*>📄 History of todobackend\/dev<\/a>/.exec(
        csvHtml,
      );
    expect(link?.[1]).toMatch(new RegExp(`^${slack.url}/files/F\\w+/todobackend-dev\\.csv$`));

    const image = await fetch(imageUrl!);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
    const download = await fetch(link![1]!);
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="todobackend-dev.csv"');
    expect(await download.text()).toBe(CSV.toString());
    expect((await fetch(`${slack.url}/files/F0NOPE/x.csv`)).status).toBe(404);
  });
});
