import { describe, expect, it } from 'vitest';
import { ago, capBlocks, link, section, slackDate } from '../../src/views/message.js';
import { blockKitProblems } from './blockKit.js';

describe('message helpers', () => {
  it('a link only to http(s), with characters that would end it early encoded and its label escaped', () => {
    expect(link('https://x.example/a?b=1|2>3', 'a <b> & c')).toBe(
      '<https://x.example/a?b=1%7C2%3E3|a &lt;b&gt; &amp; c>',
    );
    expect(link('javascript:alert(1)', 'x')).toBeUndefined();
    expect(link(undefined, 'x')).toBeUndefined();
  });

  it('dates are Slack dates with a UTC fallback', () => {
    expect(slackDate(Date.UTC(2026, 10, 20, 10, 0))).toBe(
      '<!date^1795168800^{date_short_pretty} {time}|2026-11-20 10:00 UTC>',
    );
  });

  it('durations', () => {
    expect([ago(4_000), ago(62_000), ago(3 * 3_600_000 + 60_000), ago(72 * 3_600_000)]).toEqual([
      '4s',
      '1m 2s',
      '3h 1m',
      '3d',
    ]);
  });

  it('capBlocks keeps a message inside 50 blocks and says how much is left out', () => {
    const blocks = capBlocks(Array.from({ length: 80 }, (_, i) => section(`line ${i}`)));
    expect(blocks).toHaveLength(50);
    expect(JSON.stringify(blocks.at(-1))).toContain('…and 31 more');
  });
});

describe('the Block Kit limits check', () => {
  it('finds what Slack would refuse', () => {
    const problems = blockKitProblems({
      text: '',
      blocks: [
        { type: 'header', text: { type: 'mrkdwn', text: 'x'.repeat(151) } },
        { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } },
        { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
        { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) },
        {
          type: 'actions',
          block_id: 'a',
          elements: [
            {
              type: 'button',
              action_id: 'b',
              text: { type: 'plain_text', text: 'x'.repeat(76) },
              value: 'v',
            },
          ],
        },
        { type: 'actions', block_id: 'a', elements: [] },
      ],
    });
    expect(problems).toEqual([
      'text: missing: it is the notification and the screen-reader fallback',
      'blocks[0].text: type mrkdwn is not plain_text',
      'blocks[0].text: 151 > 150 characters',
      'blocks[1].text: 3001 > 3000 characters',
      'blocks[2]: 11 fields > 10',
      'blocks[3]: 11 elements > 10',
      'blocks[4].elements[0].text: 76 > 75 characters',
      'blocks[5]: block_id a is used twice',
    ]);
  });

  it('counts blocks: 50 in a message, 100 in a modal', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(blockKitProblems({ text: 't', blocks })).toEqual(['blocks: 51 > 50']);
    expect(blockKitProblems({ type: 'modal', blocks }, 'modal')).toEqual([]);
  });
});
