import { describe, expect, it } from 'vitest';
import { deliveryFigures } from '../../src/usecases/stats/figures.js';
import { notice } from '../../src/views/help.js';
import { chartFailedText, statsMessage, share } from '../../src/views/stats.js';
import { chartWeeks } from '../../src/usecases/stats/weeks.js';
import { HISTORY, day, entry } from '../fixtures/delivery.js';
import { MIN, T0 } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const window = { from: T0, to: day(14) };
const weeks = chartWeeks(window.to, 14);

describe('stats', () => {
  it('says each figure with what it counts, small numbers as counts', async () => {
    const figures = deliveryFigures(HISTORY, window, {
      isVerified: (d) => d.state === 'verified' || d.state === 'succeeded',
      weeks,
    });
    const empty = deliveryFigures([], window, { isVerified: () => true, weeks });
    const m = statsMessage(
      {
        ...window,
        days: 14,
        weeks,
        envs: [
          { app: 'todobackend', env: 'dev', figures, partial: false },
          { app: 'todobackend', env: 'prod', figures: empty, partial: false },
        ],
      },
      { app: 'todobackend' },
    );
    await golden('stats/app', m);
    const text = JSON.stringify(m);
    expect(text).toContain('3 of 6 deploys failed');
    expect(text).toContain('6 deploys in 14 days (3.0 a week); 2 rollbacks besides, not counted');
    expect(text).toContain('3 of 8 deployments were rollbacks or fixes right after a failure');
    expect(text).toContain('median 1h 10m, p90 2h 0m');
    expect(text).toContain('1 deploy with an unknown outcome left out');
    expect(text).toContain('median 5m 0s · 3 recovered');
    // An environment with nothing in the window is one short line, not a block of empty figures.
    expect(text).not.toContain('*todobackend/prod*');
    expect(text).toContain('No deploys in the last 14 days: todobackend/prod');
    expect(m.text).toContain('todobackend/dev: 6 deploys, change fail rate 3 of 6');
    expect(m.text).toContain('No deploys in the last 14 days: todobackend/prod');
  });

  it('says rates in one unit per reply, and an empty figure one way', async () => {
    const isVerified = () => true;
    const busy = deliveryFigures(HISTORY, window, { isVerified, weeks });
    // One rollback and nothing else: there is something to show, but no deploy.
    const rare = deliveryFigures([entry('r1', 'rollback', 'succeeded', day(3), 5 * MIN)], window, {
      isVerified,
      weeks,
    });
    const slow = deliveryFigures([entry('s1', 'deploy', 'succeeded', day(3), 5 * MIN)], window, {
      isVerified,
      weeks,
    });
    const envs = [
      { app: 'todobackend', env: 'dev', figures: busy, partial: false },
      { app: 'todobackend', env: 'staging', figures: rare, partial: false },
      { app: 'todobackend', env: 'prod', figures: slow, partial: false },
    ];
    const m = statsMessage({ ...window, days: 14, weeks, envs }, { app: 'todobackend' });
    await golden('stats/units', m);
    const text = JSON.stringify(m);
    expect(text).toContain('6 deploys in 14 days (12.9 a month)');
    expect(text).toContain('1 deploy in 14 days (2.1 a month)');
    expect(text).not.toContain('a week');
    expect(text).toContain('no deploys in 14 days; 1 rollback besides, not counted');
    expect(text).toContain('*Change fail rate*\\nno deploys in 14 days');
    expect(text).toContain('*Rework rate*\\n1 of 1 deployments');
    expect(text).not.toMatch(/no deploy(ment)?s yet|0 deploys in/);
  });

  it('says when the scope has no environments', async () => {
    const m = statsMessage({ ...window, days: 14, weeks, envs: [] }, { app: 'nope', env: 'prod' });
    await golden('stats/noEnvironments', m);
    expect(m.text).toBe('Delivery of nope/prod, last 14 days: no environment configured.');
  });

  it('tells the person who asked that the chart could not be shared, and what to do', async () => {
    const m = notice(chartFailedText({ data: { error: 'not_in_channel' } }));
    await golden('stats/chartFailed', m);
    expect(JSON.stringify(m)).toContain('Invite Capstan to this channel to get it.');
    expect(chartFailedText(new Error('socket hang up'))).not.toContain('Slack said');
  });

  it('a share is a count below 20, with a percentage from there', () => {
    expect(share(2, 7)).toBe('2 of 7');
    expect(share(6, 40)).toBe('6 of 40 (15 %)');
    expect(share(0, 0)).toBe('none yet');
  });
});
