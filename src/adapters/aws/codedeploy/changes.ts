import {
  type CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { CapstanError } from '../../../domain/errors.js';
import type { CodeDeploy, DeploymentGroupRef } from '../../../ports/codedeploy.js';
import { type Operation, toCapstanError } from '../errors.js';
import { deploymentOp, groupOp, nameOf, toSdkRevision } from './shapes.js';

export type CodeDeployChanges = Pick<
  CodeDeploy,
  'createDeployment' | 'continueDeployment' | 'stopDeployment'
>;

const notWaiting = (deploymentId: string, region: string, cause: unknown) =>
  new CapstanError('invalid_state', { kind: 'codedeploy.notWaiting', deploymentId, region }, { cause });

/** Why CreateDeployment failed: another deployment of the group running, or the AWS error as it is. */
function createRefused(e: unknown, ref: DeploymentGroupRef, op: Operation): Error {
  // Which error a second concurrent deployment raises is not documented; both look like this.
  if (
    nameOf(e) === 'DeploymentLimitExceededException' ||
    (e instanceof Error && /already (has an? )?(active|in.progress)|in progress/i.test(e.message))
  ) {
    return new CapstanError(
      'conflict',
      {
        kind: 'codedeploy.concurrentRefused',
        group: ref.group,
        application: ref.application,
        region: ref.region,
      },
      { cause: e },
    );
  }
  return toCapstanError(e, op);
}

/**
 * What Capstan changes in CodeDeploy. `once` is the client that does not retry on its own, for
 * CreateDeployment (see ../codedeploy.ts).
 */
export function codeDeployChanges(
  client: (region: string) => CodeDeployClient,
  once: (region: string) => CodeDeployClient,
): CodeDeployChanges {
  return {
    async createDeployment(ref, revision, description) {
      const op = groupOp(ref, 'codedeploy:CreateDeployment');
      try {
        const out = await once(ref.region).send(
          new CreateDeploymentCommand({
            applicationName: ref.application,
            deploymentGroupName: ref.group,
            revision: toSdkRevision(revision),
            description,
          }),
        );
        if (!out.deploymentId) throw new Error('CreateDeployment returned no deployment id');
        return out.deploymentId;
      } catch (e) {
        throw createRefused(e, ref, op);
      }
    },

    async continueDeployment(region, deploymentId, wait) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:ContinueDeployment');
      try {
        await client(region).send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: wait }));
      } catch (e) {
        const name = nameOf(e);
        if (
          name === 'DeploymentIsNotInReadyStateException' ||
          name === 'DeploymentAlreadyCompletedException'
        ) {
          throw notWaiting(deploymentId, region, e);
        }
        throw toCapstanError(e, op);
      }
    },

    async stopDeployment(region, deploymentId, autoRollback) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:StopDeployment');
      try {
        await client(region).send(
          new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: autoRollback }),
        );
      } catch (e) {
        if (nameOf(e) === 'DeploymentAlreadyCompletedException') throw notWaiting(deploymentId, region, e);
        throw toCapstanError(e, op);
      }
    },
  };
}
