import { type Catalog, type Environment, findEnvironment } from '../domain/catalog.js';
import { closest } from '../lib/closest.js';
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

/** The environment named, or a refusal that says which configured one is closest to what was typed. */
function configured(catalog: Catalog, app: string, name: string): Environment {
  const env = findEnvironment(catalog, app, name);
  if (env) return env;
  const names = catalog.apps.find((a) => a.name === app)?.environments.map((e) => e.name) ?? [];
  throw new CapstanError('not_found', {
    kind: 'env.notConfigured',
    app,
    env: name,
    closest: closest(name, names),
  });
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
      const to = configured(deps.catalog, cmd.app, cmd.to);
      // A source named but not configured (a typo) is said as such, not as "no promotion.from".
      const from = cmd.from !== undefined ? configured(deps.catalog, cmd.app, cmd.from) : undefined;
      const source = from ?? (to.promotion && findEnvironment(deps.catalog, cmd.app, to.promotion.from));
      const override =
        cmd.override === undefined ? undefined : { reason: cmd.override, admins: deps.catalog.admins };
      const r = await requestPromotion(deps.deploy, to, source, actor.userId, override);
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
