import type { CodeDeployEcsTarget } from '../../domain/catalog.js';
import {
  READ_ONLY_MEMBERS,
  type TaskDefinition,
  VERSION_TAG,
  containerImage,
  diffTaskDefinitions,
  tagValue,
} from '../../domain/taskDefinition.js';
import { groupConsoleUrl } from '../codedeploy-shared/group.js';
import type { PrepareRequest, Prepared } from '../strategy.js';
import { type BlueGreenEnvironment, type CheckDeps, check } from './check.js';
import { imageOf, nextDocument } from './next.js';
import type { Context, Plan } from './schemas.js';

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
      ...(ctx.platformAlarms && { platformAlarms: ctx.platformAlarms }),
    },
  };
}

/** The plan from check()'s reads, read again when they are not of this version. */
export async function prepare(
  deps: CheckDeps,
  env: BlueGreenEnvironment,
  req: PrepareRequest<Context>,
): Promise<Prepared<Plan>> {
  const known = req.checked.context;
  const ctx = known?.version === req.version ? known : (await check(deps, env, req.version)).context;
  return planOf(env.target, ctx, req.version, req.requestedBy);
}
