import { describe, expect, it } from 'vitest';
import type { Home } from '../../src/usecases/home.js';
import type { EnvStatus } from '../../src/usecases/status.js';
import { HOME_BLOCKS, homeView } from '../../src/views/home.js';
import type { HomeChart } from '../../src/views/homeChart.js';
import { DEV, T0 } from '../fixtures/deployments.js';
import { blockKitProblems, golden } from './blockKit.js';

const WEEK = 7 * 86_400_000;
const URL =
  'https://capstan.example.com/charts/YzF-dG9kb2JhY2tlbmR-MjA0MTJ-MS4wXzMuMF81LjFfNy4w.AAAAAAAAAAAAAAAAAAAAAA.png';

const running: EnvStatus = {
  env: DEV,
  where: 'ECS service todobackend-dev',
  ok: true,
  version: '1.2.3',
  digest: `sha256:${'ab12'.repeat(16)}`,
  state: 'ACTIVE',
  facts: [],
  inProgress: false,
  events: [],
};

const chart = (app: string, imageUrl?: string): HomeChart => ({
  app,
  days: 28,
  weeks: [0, 1, 2, 3].map((i) => ({ start: T0 + i * WEEK, deploys: 2 * i + 1, failures: i === 2 ? 1 : 0 })),
  ...(imageUrl ? { imageUrl } : {}),
});

const home = (environments: readonly EnvStatus[]): Home => ({
  userId: 'U0ALICE',
  at: T0 + 4 * WEEK,
  environments,
  waiting: [],
});

describe('the Home tab with its weekly chart', () => {
  it('shows each app’s chart as an image Capstan serves, its numbers as alt text (snapshot)', async () => {
    const view = homeView(home([running]), [chart('todobackend', URL)]);
    await golden('home/chart', view, 'home');
    expect(view.blocks.find((b) => b.type === 'image')).toMatchObject({
      image_url: URL,
      title: { text: 'Deploys and failures per week: todobackend, last 4 weeks to today' },
      alt_text:
        'Deploys and failures per week: todobackend, last 4 weeks to today. week of 20 Nov: 1 deploy, 0 failures; ' +
        'week of 27 Nov: 3 deploys, 0 failures; week of 4 Dec: 5 deploys, 1 failure; week of 11 Dec–today: 7 deploys, 0 failures.',
    });
  });

  it('without a public address, says the same figures in words, with no image (snapshot)', async () => {
    const view = homeView(home([running]), [chart('todobackend'), chart('billing')]);
    await golden('home/chartInWords', view, 'home');
    const json = JSON.stringify(view.blocks);
    expect(json).not.toContain('"image"');
    expect(json).toContain(
      '*todobackend*, last 4 weeks: 16 deploys, 1 failure\\ndeploys per week · 20 Nov: 1 · 27 Nov: 3 · 4 Dec: 5 (1 failure) · 11 Dec: 7',
    );
  });

  it('without charts, the Home tab has no picture and no heading for one', () => {
    const json = JSON.stringify(homeView(home([running])).blocks);
    expect(json).not.toContain('image');
    expect(json).not.toContain('Deploys and failures per week');
  });

  it('keeps the charts within the 100 blocks, leaving apps out of the matrix instead', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ ...running, env: { ...DEV, app: `app-${i}` } }));
    const charts = [1, 2, 3, 4, 5].map((i) => chart(`app-${i}`, `${URL}?${i}`));
    const view = homeView(home(many), charts);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCKS);
    expect(blockKitProblems(view, 'home')).toEqual([]);
    expect(view.blocks.filter((b) => b.type === 'image')).toHaveLength(5);
    expect(JSON.stringify(view.blocks)).toMatch(/…and \d+ more apps/);
  });

  it('says the figures in words rather than give Slack an image_url past its 3,000 characters', () => {
    const view = homeView(home([running]), [chart('todobackend', `https://x.example/${'a'.repeat(3000)}`)]);
    expect(view.blocks.some((b) => b.type === 'image')).toBe(false);
    expect(JSON.stringify(view.blocks)).toContain('*todobackend*, last 4 weeks');
  });
});
