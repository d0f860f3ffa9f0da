import type { CodeDeployGroupTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { escapeMrkdwn } from '../../lib/mrkdwn.js';
import {
  ACTIVE_STATUSES,
  type CodeDeploy,
  type DeploymentGroup,
  type DeploymentGroupRef,
} from '../../ports/codedeploy.js';
import type { EnvironmentOf } from '../strategy.js';
import { whoStarted } from './words.js';

/** The two kinds of CodeDeploy target: a server group (S3 bundles) and an ECS blue/green group. */
export type CodeDeployKind = 'codedeploy-server' | 'codedeploy-ecs';
export type CodeDeployEnvironment = EnvironmentOf<CodeDeployKind>;

export const groupRef = (t: CodeDeployGroupTarget): DeploymentGroupRef => ({
  region: t.region,
  application: t.application,
  group: t.deploymentGroup,
});

/** Both kinds are observed per region, each kind on its own (a look is handed one strategy's rollouts). */
export const pollGroupOf = (kind: CodeDeployKind, region: string) => `${kind}|${region}`;

export function describeGroup(t: CodeDeployGroupTarget): string {
  return `CodeDeploy deployment group ${t.deploymentGroup} of ${t.application} (${t.region})`;
}

export function groupConsoleUrl(t: CodeDeployGroupTarget): string {
  return `${consoleBase(t.region)}/codesuite/codedeploy/applications/${encodeURIComponent(t.application)}/deployment-groups/${encodeURIComponent(t.deploymentGroup)}?region=${t.region}`;
}

function consoleBase(region: string): string {
  return region.startsWith('cn-') ? 'https://console.amazonaws.cn' : 'https://console.aws.amazon.com';
}

/** What a group must deploy to for capstan.yml's description of it to hold. */
export interface Platform {
  /** CodeDeploy's compute platform: Server or ECS. */
  readonly computePlatform: string;
  /** What capstan.yml describes, for people: "an ECS service". */
  readonly described: string;
}

/** The group, refused when it is missing or deploys to another platform than capstan.yml describes. */
export async function requireGroup(
  cd: CodeDeploy,
  t: CodeDeployGroupTarget,
  platform: Platform,
): Promise<DeploymentGroup> {
  const group = await cd.getDeploymentGroup(groupRef(t));
  if (!group) {
    throw new CapstanError(
      'not_found',
      `CodeDeploy deployment group ${t.deploymentGroup} of application ${t.application} was not found in ${t.region}.`,
    );
  }
  if (group.computePlatform !== platform.computePlatform) {
    throw new CapstanError(
      'invalid_state',
      `CodeDeploy group ${t.deploymentGroup} deploys to ${escapeMrkdwn(group.computePlatform)}, but capstan.yml describes ${platform.described}.`,
    );
  }
  return group;
}

/** CodeDeploy runs one deployment per group at a time: refuse rather than fail later. */
export async function requireIdle(cd: CodeDeploy, t: CodeDeployGroupTarget): Promise<void> {
  const [busy] = await cd.listDeployments(groupRef(t), ACTIVE_STATUSES, { limit: 1 });
  if (busy === undefined) return;
  const d = await cd.getDeployment(t.region, busy);
  const what = d ? whoStarted(d) : `CodeDeploy deployment ${busy}`;
  const wait = d?.terminationWaitStarted
    ? ' It is waiting to remove the original environment; end that wait in CodeDeploy or let it run out.'
    : ' Wait for it to end, or stop it in CodeDeploy.';
  throw new CapstanError(
    'conflict',
    `${escapeMrkdwn(what)} is already in progress in group ${t.deploymentGroup}.${wait}`,
  );
}
