import type { BeanstalkTarget, Environment } from '../../domain/catalog.js';
import { errorMessage } from '../../lib/errors.js';
import type { BeanstalkEnvironment } from '../../ports/beanstalk.js';
import type { EnvironmentOf, Reading } from '../strategy.js';
import type { BeanstalkStrategyDeps } from './deps.js';
import { environmentConsoleUrl, liveOne, refOf } from './environment.js';
import { findEnvironment, notFound, tagOf, tagsOf } from './lookups.js';

const EVENTS_IN_DETAIL = 5;
const EVENTS_LOOKBACK_MS = 14 * 86_400_000;

type Env = EnvironmentOf<'beanstalk'>;

/** What runs now, for `status`: one DescribeEnvironments per application. */
export async function read(
  deps: BeanstalkStrategyDeps,
  envs: readonly Env[],
  detail: boolean,
): Promise<ReadonlyMap<Environment, Reading | Error>> {
  const out = new Map<Environment, Reading | Error>();
  const groups = new Map<string, Env[]>();
  for (const env of envs) {
    const k = `${env.target.region}|${env.target.application}`;
    groups.set(k, [...(groups.get(k) ?? []), env]);
  }
  await Promise.all([...groups.values()].map((group) => readApplication(deps, group, detail, out)));
  return out;
}

/** The version running now, to pick a rollback target. */
export async function running(deps: BeanstalkStrategyDeps, t: BeanstalkTarget): Promise<string | undefined> {
  const e = await findEnvironment(deps, t);
  if (!e) throw notFound(t);
  return e.versionLabel ? tagOf(deps, t, e.versionLabel) : undefined;
}

async function readApplication(
  deps: BeanstalkStrategyDeps,
  group: readonly Env[],
  detail: boolean,
  out: Map<Environment, Reading | Error>,
): Promise<void> {
  const t0 = group[0]?.target;
  if (!t0) return;
  let found: readonly BeanstalkEnvironment[];
  try {
    const names = [...new Set(group.map((env) => env.target.environment))];
    found = await deps.beanstalk.describeEnvironments(t0.region, t0.application, names);
  } catch (e) {
    for (const env of group) out.set(env, e instanceof Error ? e : new Error(errorMessage(e)));
    return;
  }
  const tags = await tagsOf(
    deps,
    t0,
    found.flatMap((e) => (e.versionLabel ? [e.versionLabel] : [])),
  );
  await Promise.all(
    group.map(async (env) => {
      const t = env.target;
      const e = liveOne(found, t.environment);
      if (!e) {
        out.set(env, notFound(t));
        return;
      }
      const version = e.versionLabel ? (tags.get(e.versionLabel) ?? e.versionLabel) : undefined;
      out.set(env, await readingOf(deps, t, e, version, detail));
    }),
  );
}

async function readingOf(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  e: BeanstalkEnvironment,
  version: string | undefined,
  detail: boolean,
): Promise<Reading> {
  let events: Reading['events'] = [];
  if (detail) {
    try {
      const since = deps.now() - EVENTS_LOOKBACK_MS;
      const recent = await deps.beanstalk.describeEvents(refOf(t), since, { limit: EVENTS_IN_DETAIL });
      events = recent.map((ev) => ({ at: ev.at, message: ev.message })).reverse();
    } catch {
      // The state is still worth showing without its events.
    }
  }
  return {
    version,
    state: e.status,
    facts: [{ kind: 'beanstalk.health', health: e.health, healthStatus: e.healthStatus }],
    inProgress: e.status !== 'Ready',
    changedAt: e.updatedAt,
    events,
    consoleUrl: environmentConsoleUrl(t, e.id),
  };
}
