import type { EcsTarget } from '../../domain/catalog.js';
import { CapstanError, isCapstanError } from '../../domain/errors.js';
import type { Fact } from '../../domain/facts/index.js';
import type { EcsService, EventsWanted } from '../../ports/ecs.js';
import { observeEach, unreadable } from '../each.js';
import type { EarlyObservations, Observation, Observed } from '../strategy.js';
import { conclude, wantsStoppedTasks } from './conclude.js';
import { evaluate } from './evaluate.js';
import type { EcsTrack } from './schemas.js';
import { type EcsEnvironment, type EcsStrategyDeps, batchesOf, where } from './service.js';
import { readStoppedTasks } from './stopped.js';

type Item = Observed<EcsTrack, EcsEnvironment>;
/** A service, or the error of the call that should have described it. */
type Described = EcsService | { readonly error: unknown };

/**
 * One look at the services of one cluster, each rollout judged by the deployment Capstan follows.
 * Looks are counted in memory, not in the ledger: a count that changed every look would be a write
 * every look.
 */
export function createObserver(deps: EcsStrategyDeps) {
  const looks = new Map<string, number>();

  /**
   * The services of the look, described in batches one after the other; each batch is judged as
   * soon as it answers (and told to `early`), so a slow or throttled batch never holds up the
   * endings of the others. A batch that fails is the error of its services; when every batch fails
   * (throttled or denied for the whole cluster) the look as a whole fails and backs off. A deleted
   * cluster ends the rollouts not judged yet.
   */
  return async function observe(
    items: readonly Item[],
    early?: EarlyObservations<EcsTrack>,
  ): Promise<ReadonlyMap<string, Observation<EcsTrack>>> {
    const first = items[0];
    if (!first) return new Map();
    const loc = first.env.target;
    const out = new Map<string, Observation<EcsTrack>>();
    const judging: Promise<void>[] = [];
    const batches = batchesOf([...new Set(items.map((i) => i.env.target.service))]);
    let failures = 0;
    let clusterGone = false;
    for (const batch of batches) {
      const found = await describeBatch(deps, loc, items, batch).catch((e: unknown) => {
        if (isCapstanError(e) && e.code === 'not_found') return 'cluster gone' as const;
        if (++failures === batches.length) throw e;
        return new Map<string, Described>(batch.map((n) => [n, { error: e }]));
      });
      if (found === 'cluster gone') {
        clusterGone = true;
        break;
      }
      const mine = items.filter((i) => batch.includes(i.env.target.service));
      judging.push(
        observeEach(mine, (item) => observeOne(deps, looks, item, found)).then((part) => {
          for (const [id, obs] of part) out.set(id, obs);
          early?.(part);
        }),
      );
    }
    await Promise.all(judging);
    if (clusterGone) endWithCluster(loc, items, out);
    return out;
  };
}

/** One rollout judged by the look at its service, with the stopped tasks read when the judgement needs them. */
async function observeOne(
  deps: EcsStrategyDeps,
  looks: Map<string, number>,
  item: Item,
  found: ReadonlyMap<string, Described>,
): Promise<Observation<EcsTrack>> {
  const t = item.env.target;
  const service = found.get(t.service);
  if (service && 'error' in service) return unreadable(item, service.error);
  if (!service || service.status !== 'ACTIVE') {
    return {
      kind: 'missing',
      data: item.data,
      lines: [],
      what: { kind: 'ecs.serviceGone', ...where(t), ...(service ? { status: service.status } : {}) },
    };
  }
  const look = evaluate(service, item.data, item.phase);
  const j = look.judgement;
  const lines: Fact[] = look.events.map((message) => ({ kind: 'ecs.serviceEvent', message }));
  let data = j.track;
  const n = (looks.get(item.id) ?? 0) + 1;
  if (j.kind === 'progress') looks.set(item.id, n);
  else looks.delete(item.id);
  if (wantsStoppedTasks(j, look.tasksStopped, n)) {
    // ECS said tasks stopped, or a failure needs its cause: urgent; a routine check waits its turn.
    const urgent = look.tasksStopped || j.kind === 'failed';
    const stopped = await readStoppedTasks(deps.ecs, t, data, urgent);
    data = stopped.track;
    lines.push(...stopped.lines);
  }
  return conclude(j, data, lines, service.circuitBreaker, deps.now());
}

/** A deleted cluster ends the rollouts not judged yet. */
function endWithCluster(
  loc: EcsTarget,
  items: readonly Item[],
  out: Map<string, Observation<EcsTrack>>,
): void {
  const what: Fact = { kind: 'ecs.clusterGone', cluster: loc.cluster, region: loc.region };
  for (const item of items)
    if (!out.has(item.id)) out.set(item.id, { kind: 'missing', data: item.data, lines: [], what });
}

/** The events a look at `batch` needs: those after the earliest last seen, and any naming a deployment followed. */
function eventsWanted(items: readonly Item[], batch: readonly string[]): EventsWanted {
  const mine = items.filter((i) => batch.includes(i.env.target.service));
  return {
    after: Math.min(...mine.map((i) => i.data.lastEventAt)),
    mentioning: mine.flatMap((i) => (i.data.ecsDeploymentId ? [i.data.ecsDeploymentId] : [])),
  };
}

/** One DescribeServices call: each service of `batch`, or the error of the call that should have described it. */
async function describeBatch(
  deps: EcsStrategyDeps,
  loc: EcsTarget,
  items: readonly Item[],
  batch: readonly string[],
): Promise<Map<string, Described>> {
  const found = new Map<string, Described>();
  const r = await deps.ecs.describeServices(loc, batch, { events: eventsWanted(items, batch) });
  for (const s of r.services) found.set(s.name, s);
  for (const f of r.failed ?? []) {
    const error = new CapstanError('upstream', {
      kind: 'ecs.describeFailed',
      service: f.name,
      cluster: loc.cluster,
      region: loc.region,
      reason: f.reason,
    });
    found.set(f.name, { error });
  }
  return found;
}
