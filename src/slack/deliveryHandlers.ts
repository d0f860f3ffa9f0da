import { type Catalog, findEnvironment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { DeployDeps } from '../usecases/deps.js';
import { requestPromotion } from '../usecases/promote.js';
import { readStats } from '../usecases/stats/read.js';
import { notice } from '../views/help.js';
import { promotionStartedText } from '../views/promotion.js';
import { statsMessage } from '../views/stats.js';
import type { CommandHandlers } from './dispatch.js';
import { type ChartDeps, shareStatsChart } from './statsChart.js';
import { type CsvDeps, exportHistory } from './historyCsv.js';

export interface DeliveryHandlerDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly clock: Clock;
  readonly deploy: DeployDeps;
  /** Where the stats chart is rendered and shared; without it the figures come as text alone. */
  readonly chart?: ChartDeps | undefined;
  /** `/deploy history` without `--csv`. */
  readonly history?: CommandHandlers['history'];
  /** Where `--csv` exports are shared; without it `--csv` is answered as not available. */
  readonly csv?: CsvDeps | undefined;
}

/**
 * `/deploy stats`: the delivery figures, said in the channel (they describe the team's flow, not a
 * person). `/deploy promote`: the verified image of one environment to the next.
 */
export function deliveryHandlers(
  deps: DeliveryHandlerDeps,
): Pick<CommandHandlers, 'stats' | 'promote' | 'history'> {
  return {
    async history(cmd, actor) {
      if (cmd.csv && deps.csv)
        return exportHistory({ ...deps.csv, store: deps.store, clock: deps.clock }, cmd, actor);
      return deps.history?.(cmd, actor);
    },
    async promote(cmd, actor) {
      const to = findEnvironment(deps.catalog, cmd.app, cmd.to);
      if (!to) throw new CapstanError('not_found', { kind: 'env.notConfigured', app: cmd.app, env: cmd.to });
      const fromName = cmd.from ?? to.promotion?.from;
      const from = fromName === undefined ? undefined : findEnvironment(deps.catalog, cmd.app, fromName);
      const override =
        cmd.override === undefined ? undefined : { reason: cmd.override, admins: deps.catalog.admins };
      const r = await requestPromotion(deps.deploy, to, from, actor.userId, override);
      if (r.kind !== 'started') return undefined;
      return { visibility: 'ephemeral', message: notice(promotionStartedText(r, to, actor.channelId)) };
    },

    async stats(cmd, actor) {
      const stats = await readStats(deps, cmd);
      const chart = deps.chart;
      // The chart is its own message: shared once the figures are posted, so it lands below them.
      const after =
        chart && stats.envs.length > 0
          ? () => shareStatsChart(chart, stats, cmd, { channel: actor.channelId, user: actor.userId })
          : undefined;
      return { visibility: 'in_channel', message: statsMessage(stats, cmd), after };
    },
  };
}
