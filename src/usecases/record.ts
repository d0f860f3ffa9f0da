import type { Deployment } from '../domain/deployment.js';
import type { Fact } from '../domain/facts/index.js';
import type { Reported } from '../domain/facts/rollout.js';
import type { Logger } from '../lib/logger.js';
import type { Clock } from '../ports/clock.js';
import type { DeployNotifier, ShownMessage } from '../ports/notifier.js';
import type { Store } from '../ports/store.js';
import { LOST, MAX_ATTEMPTS, retryOnConflict } from './compareAndSet.js';
import type { DeployDeps } from './deps.js';
import { why } from './rollout/cause.js';

type Change = Partial<Deployment> | ((cur: Deployment) => Partial<Deployment>);

/**
 * Writes a change to a deployment, retrying on a concurrent write (compare-and-set on `rev`): the
 * change is applied again to what the other writer left, if `accept` takes it (else undefined).
 */
function write(
  store: Store,
  d: Deployment,
  change: Change,
  now: number,
  accept: (cur: Deployment) => boolean,
): Promise<Deployment | undefined> {
  return retryOnConflict<Deployment | undefined>(
    async (n) => {
      const cur = n === 0 ? d : await store.get(d.id);
      if (!cur) throw new Error(`deployment ${d.id} vanished`);
      if (!accept(cur)) return undefined;
      const patch = typeof change === 'function' ? change(cur) : change;
      return (await store.update({ ...cur, ...patch, updatedAt: now })) ?? LOST;
    },
    () => {
      throw new Error(`could not record ${d.id} after ${MAX_ATTEMPTS} attempts`);
    },
  );
}

/**
 * Writes a change to a deployment, retrying on a concurrent write (compare-and-set on `rev`): the
 * change is applied again to what the other writer left.
 */
export async function save(store: Store, d: Deployment, change: Change, now: number): Promise<Deployment> {
  // Every attempt is accepted, so a record always comes back.
  return (await write(store, d, change, now, () => true))!;
}

/** Whether the ledger's record is where `seen` was: same state, phase and ending (other fields may move). */
export const sameStage = (cur: Deployment, seen: Deployment): boolean =>
  cur.state === seen.state &&
  cur.tracking?.phase === seen.tracking?.phase &&
  cur.finishedAt === seen.finishedAt;

/**
 * save() for what following a rollout writes, from what one look saw: when another writer moved the
 * deployment on meanwhile (ended it, rolled it back, began its bake: a replica that took the rollout
 * over while this one stalled, or a person's decision), nothing is written and undefined is returned,
 * so an old look never re-opens, re-ends or rolls back what was already decided.
 */
export function saveInFlight(
  store: Store,
  d: Deployment,
  change: Partial<Deployment>,
  now: number,
): Promise<Deployment | undefined> {
  return write(store, d, change, now, (cur) => cur === d || sameStage(cur, d));
}

/** Ends a request with `state` and why (a fact, or plain text; views word and escape it) and shows it. */
export async function finish(
  deps: Pick<DeployDeps, 'store' | 'notifier' | 'clock' | 'logger'>,
  d: Deployment,
  state: Deployment['state'],
  said: Reported | Fact,
): Promise<Deployment> {
  const cur = (await deps.store.get(d.id)) ?? d;
  const now = deps.clock.now();
  return showAndRecord(deps, await save(deps.store, cur, { state, ...why(said), finishedAt: now }, now));
}

/** Shows the deployment in Slack, and keeps the message's timestamp in the ledger. */
export async function showAndRecord(
  deps: {
    readonly store: Store;
    readonly notifier: DeployNotifier;
    readonly clock: Clock;
    readonly logger: Logger;
  },
  d: Deployment,
): Promise<Deployment> {
  try {
    const shown = await deps.notifier.show(d, (m) => recordMessage(deps, d.id, m));
    if (shown && shown.messageTs !== d.messageTs) {
      return save(
        deps.store,
        d,
        { messageTs: shown.messageTs, permalink: shown.permalink },
        deps.clock.now(),
      );
    }
  } catch (e) {
    deps.logger.warn('could not show deployment in Slack', {
      id: d.id,
      error: e instanceof Error ? e.message : String(e),
    });
  }
  return d;
}

/** Keeps where a deployment's message landed after show() returned (a retried post, or posted anew). */
async function recordMessage(
  deps: { readonly store: Store; readonly clock: Clock },
  id: string,
  m: ShownMessage,
): Promise<void> {
  const cur = await deps.store.get(id);
  if (!cur || (cur.messageTs === m.messageTs && cur.permalink === m.permalink)) return;
  await save(deps.store, cur, { messageTs: m.messageTs, permalink: m.permalink }, deps.clock.now());
}
