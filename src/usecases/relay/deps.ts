import type { Catalog } from '../../domain/catalog.js';
import { type PipelineApproval, routeFor } from '../../domain/pipelineApproval.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Directory } from '../../ports/chat.js';
import type { Clock } from '../../ports/clock.js';
import type { PipelineNotifier } from '../../ports/pipelineNotifier.js';
import type { Pipelines } from '../../ports/pipelines.js';
import type { Store } from '../../ports/store.js';

export interface RelayDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly notifier: PipelineNotifier;
  readonly directory: Directory;
  readonly pipelines: Pipelines;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Shows what became of a relayed approval on its Slack message; a failure is logged, not thrown. */
export async function render(deps: RelayDeps, a: PipelineApproval): Promise<void> {
  const route = routeFor(deps.catalog, a.pipeline);
  if (!route) return;
  await deps.notifier
    .update(a, route.policy)
    .catch((e: unknown) =>
      deps.logger.warn('could not update a pipeline approval message', { id: a.id, error: errorMessage(e) }),
    );
}
