import type { CodeDeployGroupTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import {
  ACTIVE_STATUSES,
  type CodeDeploy,
  type DeploymentGroup,
  type DeploymentGroupRef,
} from '../../ports/codedeploy.js';
import type { EnvironmentOf } from '../strategy.js';

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

/** The group, refused when it is missing or deploys to another platform than capstan.yml describes. */
export async function requireGroup(
  cd: CodeDeploy,
  t: CodeDeployGroupTarget,
  /** CodeDeploy's compute platform that capstan.yml describes. */
  platform: 'Server' | 'ECS',
): Promise<DeploymentGroup> {
  const group = await cd.getDeploymentGroup(groupRef(t));
  if (!group) {
    throw new CapstanError('not_found', {
      kind: 'codedeploy.groupNotFound',
      group: t.deploymentGroup,
      application: t.application,
      region: t.region,
    });
  }
  if (group.computePlatform !== platform) {
    throw new CapstanError('invalid_state', {
      kind: 'codedeploy.wrongPlatform',
      group: t.deploymentGroup,
      platform: group.computePlatform,
      expected: platform,
    });
  }
  return group;
}

/** CodeDeploy runs one deployment per group at a time: refuse rather than fail later. */
export async function requireIdle(cd: CodeDeploy, t: CodeDeployGroupTarget): Promise<void> {
  const [busy] = await cd.listDeployments(groupRef(t), ACTIVE_STATUSES, { limit: 1 });
  if (busy === undefined) return;
  const d = await cd.getDeployment(t.region, busy);
  throw new CapstanError('conflict', {
    kind: 'codedeploy.groupBusy',
    group: t.deploymentGroup,
    busy: {
      deploymentId: busy,
      seen: d && { status: d.status, description: d.description, creator: d.creator },
    },
    terminationWait: d?.terminationWaitStarted === true,
  });
}
