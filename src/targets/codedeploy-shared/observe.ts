import type { CodeDeployGroupTarget } from '../../domain/catalog.js';
import { isCapstanError } from '../../domain/errors.js';
import type { CodeDeployFactOf } from '../../domain/facts/codedeploy.js';
import type { CodeDeploy, CodeDeployDeployment, RevisionLocation } from '../../ports/codedeploy.js';
import type { Observation, Observed } from '../strategy.js';
import {
  type Look,
  concluded,
  followSelfRollback,
  gone,
  hasEnded,
  judgeActive,
  lookAt,
  oursOf,
  promisesRollback,
  rollbackMessage,
  rollbackNeverStarted,
  waitForRollback,
} from './evaluate.js';
import { errorOf } from './errors.js';
import {
  type Failure,
  alarmStop,
  failedEvent,
  failure,
  knownFailure,
  manualStop,
  stoppedByHand,
  stoppedOnAlarm,
} from './failure.js';
import { type CodeDeployEnvironment, groupRef } from './group.js';
import type { Track } from './schemas.js';
import { whoStarted } from './started.js';
import { observeEach } from '../each.js';

/** Failing targets read for diagnostics. */
const FAILED_TARGETS_READ = 5;

export interface ObserveDeps {
  readonly codedeploy: CodeDeploy;
  readonly now: () => number;
}

type VersionOf<E> = (env: E, revision: RevisionLocation | undefined) => string | undefined;

/**
 * The AWS reads of a look at CodeDeploy rollouts; evaluate.ts judges what they return.
 * `versionOf` names the version a revision deploys, where the kind of group can tell.
 */
export function createObserve<E extends CodeDeployEnvironment>(
  deps: ObserveDeps,
  versionOf: VersionOf<E>,
): (items: readonly Observed<Track, E>[]) => Promise<ReadonlyMap<string, Observation<Track>>> {
  return (items) => observeEach(items, (item) => observeOne(deps, versionOf, item));
}

async function observeOne<E extends CodeDeployEnvironment>(
  deps: ObserveDeps,
  versionOf: VersionOf<E>,
  item: Observed<Track, E>,
): Promise<Observation<Track>> {
  const { codedeploy: cd } = deps;
  const t = item.env.target;
  const d = await cd.getDeployment(t.region, item.data.deploymentId);
  if (!d) return gone(t, item.data, (await cd.getDeploymentGroup(groupRef(t))) !== undefined);
  const look = lookAt(d, item.data);
  if (!hasEnded(d)) return judgeActive(d, look, versionOf(item.env, d.revision), deps.now());
  return ended(deps, item, d, look);
}

/** A failed or stopped deployment: CodeDeploy's own rollback, a wait for it, someone else's deployment, or a failure. */
async function ended(
  deps: ObserveDeps,
  item: Observed<Track, CodeDeployEnvironment>,
  d: CodeDeployDeployment,
  look: Look,
): Promise<Observation<Track>> {
  const { codedeploy: cd } = deps;
  const t = item.env.target;
  const now = deps.now();
  const { track } = look;
  const f = knownFailure(track) ?? (await failureOf(cd, t, d));
  const following = followSelfRollback(item.phase, d, track, f);
  if (following) return following;
  const lines = [...f.lines, ...rollbackMessage(item.phase, d, track)];
  if (track.stoppedToRollBack || (item.phase === 'rollout' && (await expectsRollback(cd, t, d)))) {
    const timeoutMs = item.env.rolloutTimeoutMs;
    const waiting = waitForRollback({ d, look, failure: f, lines, timeoutMs }, now);
    if (waiting) return waiting;
    lines.push(rollbackNeverStarted(d));
  }
  const by = await supersededBy(cd, t, d, oursOf(d, track));
  return concluded(item.phase, d, track, f, lines, by);
}

async function failureOf(
  cd: CodeDeploy,
  t: CodeDeployGroupTarget,
  d: CodeDeployDeployment,
): Promise<Failure> {
  if (stoppedByHand(d)) return manualStop(d);
  const region = t.region;
  try {
    if (stoppedOnAlarm(d))
      return alarmStop(d, (await cd.getDeploymentGroup(groupRef(t)))?.alarms?.names ?? []);
    return failure(d, await failingEvents(cd, region, d));
  } catch (e) {
    if (isCapstanError(e) && e.code === 'throttled') throw e; // look again on the next poll
    return failure(d, [], errorOf(e));
  }
}

/** The failing lifecycle events of a deployment, one per target, cause first. */
async function failingEvents(
  cd: CodeDeploy,
  region: string,
  d: CodeDeployDeployment,
): Promise<CodeDeployFactOf<'codedeploy.eventFailed'>[]> {
  const ids = await cd.listDeploymentTargets(region, d.id, ['Failed']);
  const targets = await cd.batchGetDeploymentTargets(region, d.id, ids.slice(0, FAILED_TARGETS_READ));
  return targets.flatMap((target) => failedEvent(target) ?? []);
}

async function expectsRollback(
  cd: CodeDeploy,
  t: CodeDeployGroupTarget,
  d: CodeDeployDeployment,
): Promise<boolean> {
  const config = d.autoRollback ?? (await cd.getDeploymentGroup(groupRef(t)))?.autoRollback;
  return promisesRollback(d, config);
}

/** Another deployment (not this one, not its rollback) that came after it, if any. */
async function supersededBy(
  cd: CodeDeploy,
  t: CodeDeployGroupTarget,
  d: CodeDeployDeployment,
  ours: ReadonlySet<string>,
): Promise<string | undefined> {
  const ids = await cd.listDeployments(groupRef(t), [], { createdAfter: d.createdAt, limit: 5 });
  let looked = 0;
  for (const id of ids) {
    if (ours.has(id) || id === d.rollback?.deploymentId) continue;
    if (++looked > 3) break;
    const other = await cd.getDeployment(t.region, id);
    if (!other || (other.createdAt ?? 0) < (d.createdAt ?? 0)) continue;
    // Scale-out deployments and CodeDeploy's rollbacks of ours replace nothing.
    if (other.creator === 'autoscaling' || other.rollback?.triggeringDeploymentId === d.id) continue;
    return whoStarted(other);
  }
  return undefined;
}
