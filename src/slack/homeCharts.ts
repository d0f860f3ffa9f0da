import { createResvgRenderer } from '../adapters/render/resvg.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { type HomeChartsDeps, readHomeCharts } from '../usecases/stats/homeCharts.js';
import type { HomeChart } from '../views/homeChart.js';
import { CHARTS_PATH, chartRoute } from './chartRoute.js';
import { chartFile, chartKey } from './chartUrl.js';

export interface HomeChartOptions extends HomeChartsDeps {
  readonly logger: Logger;
  /** Where Slack reaches Capstan (CAPSTAN_PUBLIC_URL, no trailing slash); absent, the figures go in words. */
  readonly publicUrl?: string | undefined;
  /** chartKey(secret): what chart URLs are signed with (the same on every replica). */
  readonly key: Buffer;
}

/**
 * The Home tab's charts of one viewer's apps, each pointing at Capstan's own /charts route when it
 * has a public address. Never throws: figures that cannot be read leave the Home tab without them.
 */
export function homeCharts(o: HomeChartOptions): (userId: string) => Promise<readonly HomeChart[]> {
  return async (userId) => {
    try {
      const charts = await readHomeCharts(o, userId);
      return charts.map((c) => {
        const from = c.weeks[0]?.start;
        if (o.publicUrl === undefined || from === undefined) return c;
        const file = chartFile(o.key, { app: c.app, from, weeks: c.weeks });
        return { ...c, imageUrl: `${o.publicUrl}${CHARTS_PATH}/${file}` };
      });
    } catch (e) {
      o.logger.warn('could not read the Home tab charts', { user: userId, error: errorMessage(e) });
      return [];
    }
  };
}

/** The settings the charts read (config/env.ts). */
export interface ChartSettings {
  readonly SLACK_SIGNING_SECRET?: string | undefined;
  readonly SLACK_APP_TOKEN?: string | undefined;
  readonly SLACK_BOT_TOKEN: string;
  readonly CAPSTAN_PUBLIC_URL?: string | undefined;
}

/**
 * The Home tab's charts and the route that serves them, signed with one key derived from a secret
 * every replica shares: the signing secret (in Socket Mode without one, the app-level token).
 */
export function homeChartParts(o: HomeChartsDeps & { env: ChartSettings; logger: Logger }) {
  const { env, ...deps } = o;
  const key = chartKey(env.SLACK_SIGNING_SECRET ?? env.SLACK_APP_TOKEN ?? env.SLACK_BOT_TOKEN);
  return {
    route: chartRoute({ key, renderer: createResvgRenderer(), logger: deps.logger }),
    forViewer: homeCharts({ ...deps, key, publicUrl: env.CAPSTAN_PUBLIC_URL }),
  };
}
