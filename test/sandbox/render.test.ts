import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script, runInNewContext } from 'node:vm';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SlackStandIn } from '../../sandbox/slackApi.js';
import { SlackBridge, escapeTyped } from '../../sandbox/ui/bridge.js';
import { PAGE } from '../../sandbox/ui/page.js';
import { RENDER_JS } from '../../sandbox/ui/render.js';

// The sandbox page's renderer, run in node exactly as the page embeds it.
interface Directory {
  readonly bot: string;
  readonly users: readonly { id: string; name: string }[];
  readonly channels: readonly { id: string; name: string }[];
  readonly groups: readonly { id: string; handle: string }[];
}
interface Renderer {
  esc(s: string): string;
  mrkdwn(t: string): string;
  text(o: { type: string; text: string }): string;
  renderBlocks(m: { text: string; blocks?: unknown[]; ts?: string; channel?: string }): string;
  emojiCodes: string[];
}
type MakeRenderer = (dir: () => Directory, o?: { timeZone?: string; now?: () => number }) => Renderer;

const makeRenderer = runInNewContext(`${RENDER_JS}; makeRenderer`) as MakeRenderer;
const NOW = Date.UTC(2026, 11, 7, 9, 30); // Monday 7 December 2026, 09:30 UTC
const directory: Directory = {
  bot: 'UCAPSTAN',
  users: [
    { id: 'U0ALICE', name: 'alice' },
    { id: 'U0BOB', name: 'bob' },
  ],
  channels: [{ id: 'C0DEV', name: 'todobackend-dev' }],
  groups: [{ id: 'S0APPROVERS', handle: 'deploy-approvers' }],
};
const r = makeRenderer(() => directory, { timeZone: 'UTC', now: () => NOW });
/** What a person sees: the HTML without its tags, entities decoded. */
const seen = (html: string) =>
  html
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('the sandbox page renders Slack text as Slack does', () => {
  it('shows a user group mention by its handle, highlighted', () => {
    const html = r.mrkdwn('needs one approval from <!subteam^S0APPROVERS>');
    expect(html).toBe('needs one approval from <span class="mention">@deploy-approvers</span>');
    expect(seen(r.mrkdwn('<!subteam^S0UNKNOWN|@ops>'))).toBe('@ops');
    expect(seen(r.mrkdwn('<!subteam^S0UNKNOWN>'))).toBe('@S0UNKNOWN');
  });

  it('shows users, Capstan, channels and @here by name', () => {
    const html = r.mrkdwn('<@U0ALICE> asked <@UCAPSTAN> in <#C0DEV> <!here>');
    expect(seen(html)).toBe('@alice asked @capstan in #todobackend-dev @here');
    expect(html).toContain('<span class="mention" data-ch="C0DEV">#todobackend-dev</span>');
  });

  it('turns the emoji codes Capstan uses into emoji, in mrkdwn and in plain_text', () => {
    expect(r.mrkdwn(':double_vertical_bar: waiting for *Continue*')).toBe('⏸️ waiting for <b>Continue</b>');
    expect(r.text({ type: 'plain_text', text: ':rocket: Deploy' })).toBe('🚀 Deploy');
    expect(r.mrkdwn(':not_an_emoji_we_know:')).toBe(':not_an_emoji_we_know:');
  });

  it('has an emoji for every code in src/', () => {
    const used = new Set<string>();
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    for (const file of walk(join(import.meta.dirname, '..', '..', 'src'))) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/(?<=[\s'"`(]|^):([a-z0-9_+-]+):(?=[\s'"`)$]|$)/gm)) used.add(m[1]!);
    }
    used.delete('memory'); // SQLite's `:memory:`, not an emoji
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((code) => !r.emojiCodes.includes(code))).toEqual([]);
  });

  it('leaves no emoji code or raw markup in any Block Kit snapshot', () => {
    const root = join(import.meta.dirname, '..', 'views', '__snapshots__');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const message = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
        text: string;
        blocks?: unknown[];
      };
      const shown = seen(r.renderBlocks(message));
      expect(shown, file).not.toMatch(/(^|\s):[a-z0-9_+-]+:(\s|$)/);
      expect(shown, file).not.toMatch(/<[@#!]|\bsubteam\^|@group/);
    }
  });

  it('shows what a person typed as text: markup they type is escaped, never a link', () => {
    const typed = '/deploy <script>x</script> & <https://evil.example|click> *not bold?* a_b';
    const html = r.mrkdwn(escapeTyped(typed));
    expect(html).not.toContain('<a ');
    expect(html).not.toContain('<script');
    expect(seen(html)).toBe('/deploy <script>x</script> & <https://evil.example|click> not bold? a_b');
    expect(seen(r.mrkdwn(escapeTyped('to stag_ing feature_new_ui!')))).toBe('to stag_ing feature_new_ui!');
    expect(r.mrkdwn(escapeTyped('&lt;b&gt;'))).toBe('&amp;lt;b&amp;gt;');
  });

  it('keeps what was typed escaped in the channel: a /deploy command, an unknown command, a message', async () => {
    const capstan = createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => capstan.listen(0, '127.0.0.1', resolve));
    const slack = new SlackStandIn({
      users: directory.users,
      groups: [{ ...directory.groups[0]!, users: [] }],
    });
    await slack.start();
    try {
      const port = (capstan.address() as AddressInfo).port;
      const bridge = new SlackBridge(slack, {
        eventsUrl: () => `http://127.0.0.1:${port}/slack/events`,
        signingSecret: 'secret',
        channels: directory.channels,
      });
      await bridge.message('U0ALICE', 'C0DEV', '/deploy todobackend <script>x</script>');
      await bridge.message('U0ALICE', 'C0DEV', '/nope<b>');
      await bridge.message('U0ALICE', 'C0DEV', 'look: <https://evil.example|here> & @bob');
      const state = bridge.state('U0ALICE');
      expect(state.groups).toEqual([{ id: 'S0APPROVERS', handle: 'deploy-approvers' }]);
      const page = makeRenderer(() => ({ ...state, bot: slack.botUserId }), { timeZone: 'UTC' });
      const shown = state.messages.map((m) => page.renderBlocks(m));
      expect(shown.map(seen)).toEqual([
        '/deploy todobackend <script>x</script>',
        '/nope<b> is not a command here: try /deploy help.',
        'look: <https://evil.example|here> & @bob',
      ]);
      expect(shown.join('')).not.toMatch(/<a |<script|<b>/);
    } finally {
      await slack.stop();
      await new Promise((resolve) => capstan.close(resolve));
    }
  });

  it('links only http(s) and mailto addresses, with their labels', () => {
    expect(r.mrkdwn('<https://console.aws.amazon.com/x?a=1&amp;b=2|the stack>')).toBe(
      '<a href="https://console.aws.amazon.com/x?a=1&amp;b=2" target="_blank" rel="noopener">the stack</a>',
    );
    expect(r.mrkdwn('<javascript:alert(1)|x>')).toBe('x');
    expect(r.mrkdwn('<https://x.example/"onmouseover="alert(1)>')).toContain(
      'href="https://x.example/&quot;onmouseover=&quot;alert(1)"',
    );
  });

  it('shows an image block by its http(s) image_url, with its title and alt text, and nothing else as an image', () => {
    const url = 'http://127.0.0.1:3101/charts/YzF-dG9kbw.AAAAAAAAAAAAAAAAAAAAAA.png';
    const block = {
      type: 'image',
      image_url: url,
      title: { type: 'plain_text', text: 'Deploys and failures per week: todobackend, last 28 days' },
      alt_text: 'week of 9 Nov: 1 deploy, 0 failures "<b>"',
    };
    const html = r.renderBlocks({ text: '', blocks: [block] });
    expect(html).toContain(
      `<img src="${url}" alt="week of 9 Nov: 1 deploy, 0 failures &quot;&lt;b&gt;&quot;"`,
    );
    expect(seen(html)).toBe('Deploys and failures per week: todobackend, last 28 days');
    for (const image_url of ['javascript:alert(1)', 'data:image/png;base64,AAAA', '//evil.example/x.png'])
      expect(r.renderBlocks({ text: '', blocks: [{ ...block, image_url }] })).not.toContain('<img');
  });

  it('formats dates with Slack tokens in the viewer’s time zone', () => {
    const at = (ms: number) => Math.floor(ms / 1000);
    expect(r.mrkdwn(`<!date^${at(NOW - 3_600_000)}^{date_short_pretty} {time}|fallback>`)).toBe(
      'today 8:30 AM',
    );
    expect(r.mrkdwn(`<!date^${at(NOW - 86_400_000)}^{date_short_pretty} {time}|fallback>`)).toBe(
      'yesterday 9:30 AM',
    );
    expect(r.mrkdwn(`<!date^${at(Date.UTC(2026, 10, 20, 10))}^{date_short_pretty} {time}|x>`)).toBe(
      'Nov 20, 2026 10:00 AM',
    );
    expect(r.mrkdwn(`<!date^${at(Date.UTC(2026, 10, 22, 10))}^{date_long} {date_num}|x>`)).toBe(
      'Sunday, November 22nd, 2026 2026-11-22',
    );
    expect(r.mrkdwn(`<!date^${at(NOW - 120_000)}^{ago}|x>`)).toBe('2 minutes ago');
  });

  it('formats code, bold, italic, strike and quotes, and nothing inside code', () => {
    expect(r.mrkdwn('*Requested by*\n<@U0BOB>')).toBe(
      '<b>Requested by</b><br><span class="mention">@bob</span>',
    );
    expect(r.mrkdwn('_italic_ ~gone~ `:x: *raw*`')).toBe('<i>italic</i> <s>gone</s> <code>:x: *raw*</code>');
    expect(r.mrkdwn('```\nline &lt;1&gt;\n```')).toBe('<pre>line &lt;1&gt;\n</pre>');
    expect(r.mrkdwn('&gt; quoted')).toBe('<blockquote>quoted</blockquote>');
  });

  it('is the renderer the page runs, in a script that compiles', () => {
    expect(PAGE).toContain(RENDER_JS);
    expect(PAGE).toContain('makeRenderer(() => state)');
    // Its icon is inline, so the browser never asks for a /favicon.ico.
    expect(PAGE).toMatch(/<link rel="icon" type="image\/svg\+xml" href="data:image\/svg\+xml,[^"]+">/);
    const script = /<script>([\s\S]*)<\/script>/.exec(PAGE)?.[1] ?? '';
    expect(() => new Script(script)).not.toThrow();
  });
});
