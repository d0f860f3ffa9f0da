import type { CodeDeployGroupTarget, Environment } from '../../domain/catalog.js';
import type { CodeDeployFact, Revision } from '../../domain/facts/codedeploy.js';
import { errorMessage } from '../../lib/errors.js';
import { ACTIVE_STATUSES, type CodeDeploy, type DeploymentGroup } from '../../ports/codedeploy.js';
import type { AwsEvent, Reading, RecentEvent } from '../strategy.js';
import { type CodeDeployEnvironment, type CodeDeployKind, groupConsoleUrl, pollGroupOf } from './group.js';
import type { Track } from './schemas.js';
import { short } from '../../lib/text.js';
import { codeDeployPlatformAlarms } from '../shared/platformAlarms.js';

/** What a group runs, as each kind of group can tell. */
export interface Running {
  readonly version?: string | undefined;
  readonly digest?: string | undefined;
  /** The revision: an S3 bundle, a task definition revision. */
  readonly revision: Revision;
}

/** What `status` shows of a group; with `detail`, the error of its last failed deployment. */
export async function readingOf(
  cd: CodeDeploy,
  t: CodeDeployGroupTarget,
  group: DeploymentGroup,
  running: Running,
  detail: boolean,
  /** Given: `status` for one environment shows the group's own alarm rollback too. */
  env?: Environment,
): Promise<Reading> {
  const last = group.lastAttempted;
  const facts: CodeDeployFact[] = [
    last
      ? { kind: 'codedeploy.lastDeployment', deploymentId: last.id, status: last.status }
      : { kind: 'codedeploy.noDeployments' },
    ...(group.lastSuccessful && group.lastSuccessful.id !== last?.id
      ? [{ kind: 'codedeploy.lastSuccess' as const, deploymentId: group.lastSuccessful.id }]
      : []),
    { kind: 'codedeploy.revision', revision: running.revision },
    {
      kind: 'codedeploy.autoRollback',
      enabled: group.autoRollback.enabled,
      events: [...group.autoRollback.events],
    },
  ];
  const alarms = detail && env ? codeDeployPlatformAlarms(env, group) : undefined;
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
    facts: alarms ? [...facts, alarms] : facts,
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
): Promise<readonly CodeDeployFact[]> {
  await cd.continueDeployment(env.target.region, track.deploymentId, 'READY_WAIT');
  return [{ kind: 'codedeploy.rerouting', deploymentId: track.deploymentId }];
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
