import type { Catalog } from '../domain/catalog.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { readStats } from '../usecases/stats/read.js';
import { statsMessage } from '../views/stats.js';
import type { CommandHandlers } from './dispatch.js';

export interface DeliveryHandlerDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly clock: Clock;
}

/** `/deploy stats`: the delivery figures, said in the channel (they describe the team's flow, not a person). */
export function deliveryHandlers(deps: DeliveryHandlerDeps): Pick<CommandHandlers, 'stats'> {
  return {
    async stats(cmd) {
      const stats = await readStats(deps, cmd);
      return { visibility: 'in_channel', message: statsMessage(stats, cmd) };
    },
  };
}
