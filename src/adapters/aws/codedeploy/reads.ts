import {
  BatchGetDeploymentTargetsCommand,
  type CodeDeployClient,
  type DeploymentStatus,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  paginateListDeployments,
} from '@aws-sdk/client-codedeploy';
import type { CodeDeploy } from '../../../ports/codedeploy.js';
import { call, toCapstanError } from '../errors.js';
import { deploymentOp, groupOp, nameOf, toDeployment, toDeploymentGroup, toTarget } from './shapes.js';

export type CodeDeployReads = Pick<
  CodeDeploy,
  | 'getDeploymentGroup'
  | 'getDeployment'
  | 'listDeployments'
  | 'listDeploymentTargets'
  | 'batchGetDeploymentTargets'
>;

type Client = (region: string) => CodeDeployClient;

/** What Capstan reads from CodeDeploy; a group or deployment that does not exist reads as undefined. */
export function codeDeployReads(client: Client): CodeDeployReads {
  return { ...groupReads(client), ...deploymentReads(client) };
}

/** A deployment group, and the deployments it holds. */
function groupReads(client: Client): Pick<CodeDeployReads, 'getDeploymentGroup' | 'listDeployments'> {
  return {
    async getDeploymentGroup(ref) {
      const op = groupOp(ref, 'codedeploy:GetDeploymentGroup');
      let info;
      try {
        const out = await client(ref.region).send(
          new GetDeploymentGroupCommand({ applicationName: ref.application, deploymentGroupName: ref.group }),
        );
        info = out.deploymentGroupInfo;
      } catch (e) {
        const name = nameOf(e);
        if (name === 'DeploymentGroupDoesNotExistException' || name === 'ApplicationDoesNotExistException')
          return undefined;
        throw toCapstanError(e, op);
      }
      return info ? toDeploymentGroup(info, ref) : undefined;
    },

    async listDeployments(ref, statuses, options = {}) {
      const op = groupOp(ref, 'codedeploy:ListDeployments');
      const limit = options.limit ?? 100;
      const ids: string[] = [];
      await call(op, async () => {
        const pages = paginateListDeployments(
          { client: client(ref.region) },
          {
            applicationName: ref.application,
            deploymentGroupName: ref.group,
            includeOnlyStatuses: statuses.length > 0 ? ([...statuses] as DeploymentStatus[]) : undefined,
            createTimeRange:
              options.createdAfter === undefined ? undefined : { start: new Date(options.createdAfter) },
          },
        );
        for await (const page of pages) {
          ids.push(...(page.deployments ?? []));
          if (ids.length >= limit) break;
        }
      });
      return ids.slice(0, limit);
    },
  };
}

/** One deployment, and its targets (instances, Lambda functions, ECS task sets). */
function deploymentReads(
  client: Client,
): Pick<CodeDeployReads, 'getDeployment' | 'listDeploymentTargets' | 'batchGetDeploymentTargets'> {
  return {
    async getDeployment(region, deploymentId) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:GetDeployment');
      let d;
      try {
        d = (await client(region).send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo;
      } catch (e) {
        const name = nameOf(e);
        if (name === 'DeploymentDoesNotExistException' || name === 'InvalidDeploymentIdException')
          return undefined;
        throw toCapstanError(e, op);
      }
      return d ? toDeployment(d, deploymentId) : undefined;
    },

    async listDeploymentTargets(region, deploymentId, statuses) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:ListDeploymentTargets');
      try {
        const out = await client(region).send(
          new ListDeploymentTargetsCommand({
            deploymentId,
            targetFilters: statuses ? { TargetStatus: [...statuses] } : undefined,
          }),
        );
        return out.targetIds ?? [];
      } catch (e) {
        if (nameOf(e) === 'DeploymentNotStartedException') return [];
        throw toCapstanError(e, op);
      }
    },

    async batchGetDeploymentTargets(region, deploymentId, targetIds) {
      if (targetIds.length === 0) return [];
      const op = deploymentOp(region, deploymentId, 'codedeploy:BatchGetDeploymentTargets');
      try {
        const out = await client(region).send(
          new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: targetIds.slice(0, 25) }),
        );
        return (out.deploymentTargets ?? []).flatMap((t) => toTarget(t) ?? []);
      } catch (e) {
        if (nameOf(e) === 'DeploymentNotStartedException') return [];
        throw toCapstanError(e, op);
      }
    },
  };
}
