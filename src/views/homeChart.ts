import type { ImageBlock, KnownBlock } from '@slack/types';
import type { WeekCount } from '../usecases/stats/figures.js';
import { dayLabel, weeklyChartAltText, weeklyChartTitle } from './chart.js';
import { clip, context, escape, header, section } from './message.js';

/** One app's deploys and failures per week, for the Home tab. */
export interface HomeChart {
  readonly app: string;
  readonly days: number;
  readonly weeks: readonly WeekCount[];
  /** Where Slack fetches the picture (Capstan's own /charts route); absent, the figures are said in words. */
  readonly imageUrl?: string | undefined;
}

/** Slack's limit on an image block's image_url. */
export const IMAGE_URL_MAX = 3000;

/** The chart's title, drawn on it and said above it. */
export function homeChartTitle(app: string, days: number): string {
  return weeklyChartTitle(app, Math.round(days / 7));
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The figures without the picture: totals, then each week. */
function figuresText(c: HomeChart): string {
  const deploys = c.weeks.reduce((n, w) => n + w.deploys, 0);
  const failures = c.weeks.reduce((n, w) => n + w.failures, 0);
  const weeks = c.weeks.map(
    (w) => `${dayLabel(w.start)}: ${w.deploys}${w.failures > 0 ? ` (${plural(w.failures, 'failure')})` : ''}`,
  );
  return [
    `*${escape(c.app)}*, last ${plural(Math.round(c.days / 7), 'week')}: ${plural(deploys, 'deploy')}, ${plural(failures, 'failure')}`,
    `deploys per week · ${weeks.join(' · ')}`,
  ].join('\n');
}

function chartBlock(c: HomeChart): KnownBlock {
  const title = homeChartTitle(c.app, c.days);
  if (c.imageUrl === undefined || c.imageUrl.length > IMAGE_URL_MAX) return section(figuresText(c));
  const image: ImageBlock = {
    type: 'image',
    block_id: `capstan_chart_${c.app}`.slice(0, 255),
    image_url: c.imageUrl,
    title: { type: 'plain_text', text: clip(title, 2000) },
    alt_text: clip(weeklyChartAltText(title, c.weeks), 2000),
  };
  return image;
}

/**
 * The Home tab's delivery part: a header, one picture per app (its numbers as alt text), or, when
 * Capstan has no public address for Slack to fetch pictures from, the same figures in words.
 */
export function homeChartBlocks(charts: readonly HomeChart[]): KnownBlock[] {
  if (charts.length === 0) return [];
  return [
    header('Deploys and failures per week'),
    ...charts.map(chartBlock),
    context([
      `Failures are deploys that failed, were rolled back, or were followed by a rollback within 24 h · ${escape('`/deploy stats <app>`')} for every figure`,
    ]),
  ];
}
