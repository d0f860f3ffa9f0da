import type { CodeDeployEcsTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { ContainerNotFound, type TaskDefinitionDocument, nextRevision } from '../../domain/taskDefinition.js';
import { escapeMrkdwn } from '../../lib/mrkdwn.js';
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
      throw new CapstanError(
        'invalid_state',
        `Task definition ${revisionName(ctx.currentArn)} has no container "${err.container}" (it has ${err.available.map(escapeMrkdwn).join(', ')}); fix \`container\` in capstan.yml.`,
      );
    }
    throw err;
  }
}
