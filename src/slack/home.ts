import type { WebClient } from '@slack/web-api';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { type HomeDeps, readHome } from '../usecases/home.js';
import { homeView } from '../views/home.js';
import type { HomeChart } from '../views/homeChart.js';

export interface HomePublisherDeps {
  readonly home: HomeDeps;
  /** The charts of the viewer's apps (homeCharts.ts); never throws. None by default. */
  readonly charts?: ((userId: string) => Promise<readonly HomeChart[]>) | undefined;
  readonly logger: Logger;
}

const inWords = (charts: readonly HomeChart[]) => charts.map(({ imageUrl: _, ...c }) => c);

/**
 * Publishes one person's Home tab. Slack fetches a chart's picture when the view is published: if
 * it refuses the view (Capstan's address unreachable from Slack), the view goes again with the
 * figures in words.
 */
export async function publishHome(
  deps: HomePublisherDeps,
  client: Pick<WebClient, 'views'>,
  userId: string,
): Promise<void> {
  const { logger } = deps;
  try {
    const [home, charts] = await Promise.all([readHome(deps.home, userId), deps.charts?.(userId) ?? []]);
    const publish = (c: readonly HomeChart[]) =>
      client.views.publish({ user_id: userId, view: homeView(home, c) });
    await publish(charts).catch(async (e: unknown) => {
      if (!charts.some((c) => c.imageUrl !== undefined)) throw e;
      logger.warn('the Home tab was refused with its charts; published with the figures in words', {
        user: userId,
        error: errorMessage(e),
      });
      await publish(inWords(charts));
    });
  } catch (e) {
    logger.warn('could not publish the Home tab', { user: userId, error: errorMessage(e) });
  }
}
