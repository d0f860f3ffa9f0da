import type { CodeDeployEcsTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import {
  ContainerNotFound,
  READ_ONLY_MEMBERS,
  type TaskDefinition,
  type TaskDefinitionDocument,
  VERSION_TAG,
  containerImage,
  diffTaskDefinitions,
  nextRevision,
  tagValue,
} from '../../domain/taskDefinition.js';
import { escapeMrkdwn } from '../../lib/mrkdwn.js';
import { groupConsoleUrl } from '../codedeploy-shared/group.js';
import type { Prepared } from '../strategy.js';
import { revisionName } from './appspec.js';
import type { Context, Plan } from './schemas.js';

const imageOf = (ctx: Context) => `${ctx.image.repositoryUri}@${ctx.image.digest}`;

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

function withoutReadOnly(td: TaskDefinition): TaskDefinition {
  const out: Record<string, unknown> = { ...td };
  for (const m of READ_ONLY_MEMBERS) delete out[m];
  return out;
}

/** What deploying `version` changes, from what check() read: pure. */
export function planOf(
  t: CodeDeployEcsTarget,
  ctx: Context,
  version: string,
  requestedBy: string,
): Prepared<Plan> {
  const doc = nextDocument(t, ctx, version, requestedBy);
  const image = imageOf(ctx);
  const lines = diffTaskDefinitions(withoutReadOnly(ctx.current.taskDefinition), doc.taskDefinition);
  const fromTag = tagValue(ctx.current.tags, VERSION_TAG);
  if (fromTag !== version) lines.push(`tags.${VERSION_TAG}: ${fromTag ?? '(none)'} → ${version}`);
  return {
    plan: {
      version,
      next: { taskDefinition: { ...doc.taskDefinition }, tags: [...doc.tags] },
      baseTaskDefinitionArn: ctx.currentArn,
      image,
    },
    unchanged: containerImage(ctx.current.taskDefinition, t.ecs.container) === image,
    review: {
      diff: { title: 'Task definition changes', lines },
      link: { label: `CodeDeploy group ${t.deploymentGroup}`, url: groupConsoleUrl(t) },
    },
  };
}
