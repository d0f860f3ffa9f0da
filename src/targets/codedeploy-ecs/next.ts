import type { CodeDeployEcsTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { ContainerNotFound, type TaskDefinitionDocument, nextRevision } from '../../domain/taskDefinition.js';
import { revisionName } from './appspec.js';
import type { Context } from './schemas.js';

export const imageOf = (ctx: Context) => `${ctx.image.repositoryUri}@${ctx.image.digest}`;

/** The next task definition revision: the current one with the container's image pinned by digest. */
export function nextDocument(
  t: CodeDeployEcsTarget,
  ctx: Context,
  version: string,
  requestedBy: string,
): TaskDefinitionDocument {
  try {
    return nextRevision(ctx.current, {
      container: t.ecs.container,
      image: imageOf(ctx),
      version,
      requestedBy,
    });
  } catch (err) {
    if (err instanceof ContainerNotFound) {
      throw new CapstanError('invalid_state', {
        kind: 'codedeploy.containerMissing',
        taskDefinition: revisionName(ctx.currentArn),
        container: err.container,
        available: [...err.available],
      });
    }
    throw err;
  }
}
