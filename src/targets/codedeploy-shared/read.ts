import type { CodeDeployGroupTarget, Environment } from '../../domain/catalog.js';
import { errorMessage } from '../../lib/errors.js';
import { ACTIVE_STATUSES, type CodeDeploy, type DeploymentGroup } from '../../ports/codedeploy.js';
import type { AwsEvent, Reading, RecentEvent } from '../strategy.js';
import { type CodeDeployEnvironment, type CodeDeployKind, groupConsoleUrl, pollGroupOf } from './group.js';
import type { Track } from './schemas.js';
import { code, short } from './words.js';

/** What a group runs, as each kind of group can tell. */
export interface Running {
  readonly version?: string | undefined;
  readonly digest?: string | undefined;
  /** The revision, for people: an S3 URI, a task definition revision. */
  readonly revision: string;
}

/** What `status` shows of a group; with `detail`, the error of its last failed deployment. */
export async function readingOf(
  cd: CodeDeploy,
  t: CodeDeployGroupTarget,
  group: DeploymentGroup,
  running: Running,
  detail: boolean,
): Promise<Reading> {
  const last = group.lastAttempted;
  const facts = [
    last ? `last deployment ${last.id} ${last.status}` : 'no deployments yet',
    ...(group.lastSuccessful && group.lastSuccessful.id !== last?.id
      ? [`last success ${group.lastSuccessful.id}`]
      : []),
    `revision ${running.revision}`,
    group.autoRollback.enabled
      ? `CodeDeploy rolls back on ${group.autoRollback.events.join(', ') || 'nothing'}`
      : 'no automatic rollback in CodeDeploy',
  ];
  const events: RecentEvent[] = [];
  if (detail && last && (last.status === 'Failed' || last.status === 'Stopped')) {
    const d = await cd.getDeployment(t.region, last.id);
    if (d?.error) {
      events.push({
        at: d.completedAt ?? d.createdAt ?? 0,
        message: `${d.id} ${d.status}: ${d.error.code ?? ''} ${short(d.error.message ?? '')}`,
      });
    }
  }
  return {
    version: running.version,
    digest: running.digest,
    state: last?.status ?? 'no deployments',
    facts,
    inProgress: last !== undefined && ACTIVE_STATUSES.includes(last.status),
    changedAt: last?.endedAt ?? last?.createdAt,
    events,
    consoleUrl: groupConsoleUrl(t),
  };
}

/** One reading per environment, an Error where it could not be read. */
export async function readEach<E extends Environment>(
  envs: readonly E[],
  one: (env: E) => Promise<Reading>,
): Promise<ReadonlyMap<Environment, Reading | Error>> {
  const out = new Map<Environment, Reading | Error>();
  await Promise.all(
    envs.map(async (env) => {
      try {
        out.set(env, await one(env));
      } catch (e) {
        out.set(env, e instanceof Error ? e : new Error(errorMessage(e)));
      }
    }),
  );
  return out;
}

/** Lets a blue/green deployment waiting to reroute traffic go on (ContinueDeployment). */
export async function proceed(
  cd: CodeDeploy,
  env: CodeDeployEnvironment,
  track: Track,
): Promise<readonly string[]> {
  await cd.continueDeployment(env.target.region, track.deploymentId, 'READY_WAIT');
  return [
    `:arrow_forward: CodeDeploy deployment ${code(track.deploymentId)} is rerouting traffic to the new version.`,
  ];
}

/**
 * CodeDeploy's rollouts are observed per region, so a deployment's state change concerns its
 * region's group (of each kind in use). The detail's fields are not documented well enough to
 * narrow it further.
 */
export function eventGroupsOf(kind: CodeDeployKind): (e: AwsEvent) => readonly string[] {
  return (e) => {
    if (e.source !== 'aws.codedeploy' || e.detailType !== 'CodeDeploy Deployment State-change Notification')
      return [];
    return e.region ? [pollGroupOf(kind, e.region)] : [];
  };
}
