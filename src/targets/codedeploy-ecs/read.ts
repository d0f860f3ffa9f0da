import { containerImage, runningVersion } from '../../domain/taskDefinition.js';
import { parseImage } from '../../domain/version.js';
import type { CodeDeploy, DeploymentGroup } from '../../ports/codedeploy.js';
import type { Ecs } from '../../ports/ecs.js';
import type { Running } from '../codedeploy-shared/read.js';
import { revisionName } from './appspec.js';
import { type BlueGreenEnvironment, currentTaskDefinition, requireEcsGroup } from './check.js';

/** The group and what the service runs: its task definition's version, and the image digest it pins. */
export async function readRunning(
  deps: { readonly codedeploy: CodeDeploy; readonly ecs: Ecs },
  env: BlueGreenEnvironment,
): Promise<{ readonly group: DeploymentGroup; readonly running: Running }> {
  const t = env.target;
  const group = await requireEcsGroup(deps.codedeploy, t);
  const current = await currentTaskDefinition(deps.ecs, t, group);
  const image = containerImage(current.doc.taskDefinition, t.ecs.container);
  return {
    group,
    running: {
      version: runningVersion(current.doc, t.ecs.container),
      digest: image ? parseImage(image).digest : undefined,
      revision: { kind: 'taskDefinition', name: revisionName(current.arn) },
    },
  };
}
