import type { BeanstalkEnvironment } from '../../ports/beanstalk.js';
import type { EnvironmentOf, Observation, Observed } from '../strategy.js';
import type { BeanstalkStrategyDeps } from './deps.js';
import { liveOne, refOf } from './environment.js';
import { evaluate, eventsSince, goneWhat, isGone } from './evaluate.js';
import { tagOf } from './lookups.js';
import type { BeanstalkTrack } from './schemas.js';

type Item = Observed<BeanstalkTrack, EnvironmentOf<'beanstalk'>>;

/**
 * One look at the rollouts of one application (the poll group): one DescribeEnvironments they all
 * depend on (its failure is theirs alike), then each environment's events, judged on their own.
 */
export async function observe(
  deps: BeanstalkStrategyDeps,
  items: readonly Item[],
): Promise<ReadonlyMap<string, Observation<BeanstalkTrack>>> {
  const out = new Map<string, Observation<BeanstalkTrack>>();
  const first = items[0];
  if (!first) return out;
  const t0 = first.env.target;
  const names = [...new Set(items.map((i) => i.env.target.environment))];
  const found = await deps.beanstalk.describeEnvironments(t0.region, t0.application, names);
  await Promise.all(
    items.map(async (item) => {
      try {
        out.set(item.id, await observeOne(deps, item, liveOne(found, item.env.target.environment)));
      } catch (error) {
        // A read that fails for this rollout alone (its events) never decides the others.
        out.set(item.id, { kind: 'unreadable', data: item.data, lines: [], error });
      }
    }),
  );
  return out;
}

async function observeOne(
  deps: BeanstalkStrategyDeps,
  item: Item,
  environment: BeanstalkEnvironment | undefined,
): Promise<Observation<BeanstalkTrack>> {
  const { target } = item.env;
  const track = item.data;
  if (!environment || isGone(environment))
    return { kind: 'missing', data: track, lines: [], what: goneWhat(target, environment) };
  const events = await deps.beanstalk.describeEvents(refOf(target), eventsSince(track));
  const judged = evaluate({ target, phase: item.phase, track, environment, events });
  if (judged.kind !== 'superseded') return judged;
  const { label, ...rest } = judged;
  return { ...rest, by: label ? await tagOf(deps, target, label) : 'another change' };
}
