import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Chat } from '../ports/chat.js';
import type { FileSharing, ImageRenderer } from '../ports/files.js';
import type { DeliveryStats } from '../usecases/stats/read.js';
import { CHART, addWeeks, weeklyChartAltText, weeklyChartSvg } from '../views/chart.js';
import { chartFailedText, chartTitle } from '../views/stats.js';
import { notice } from '../views/help.js';

export interface ChartDeps {
  readonly files: FileSharing;
  readonly renderer: ImageRenderer;
  readonly chat: Pick<Chat, 'postEphemeral'>;
  readonly logger: Logger;
  /** Told whether the chart was shared (`ok`) or what Slack said (the /metrics counter). */
  readonly onShared?: ((result: string) => void) | undefined;
}

/** Slack's error string, or `error`. */
export function slackCode(e: unknown): string {
  const code = (e as { data?: { error?: unknown } } | undefined)?.data?.error;
  return typeof code === 'string' ? code : 'error';
}

/** The weekly chart as PNG bytes, rendered in-process from its SVG. */
export function renderWeeklyChart(renderer: ImageRenderer, stats: DeliveryStats, title: string): Buffer {
  return renderer.png(weeklyChartSvg(title, addWeeks(stats.envs.map((e) => e.figures.weeks))));
}

/**
 * Shares the chart of deploys and failures per week in the channel, its numbers in the alt text.
 * A chart that cannot be shared is told to the person who asked; the figures were answered already.
 */
export async function shareStatsChart(
  deps: ChartDeps,
  stats: DeliveryStats,
  scope: { app?: string | undefined; env?: string | undefined },
  where: { channel: string; user: string },
): Promise<void> {
  const title = chartTitle(stats, scope);
  try {
    const png = renderWeeklyChart(deps.renderer, stats, title);
    const weeks = addWeeks(stats.envs.map((e) => e.figures.weeks));
    await deps.files.share({
      channel: where.channel,
      filename: `deploys-per-week-${CHART.width}x${CHART.height}.png`,
      title,
      content: png,
      altText: weeklyChartAltText(title, weeks),
      comment: title,
    });
    deps.onShared?.('ok');
  } catch (e) {
    deps.onShared?.(slackCode(e));
    deps.logger.warn('could not share the stats chart', { channel: where.channel, error: errorMessage(e) });
    await deps.chat
      .postEphemeral(where.channel, where.user, notice(chartFailedText(e)))
      .catch(() => undefined);
  }
}
