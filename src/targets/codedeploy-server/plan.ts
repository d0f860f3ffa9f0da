import type { CodeDeployServerTarget } from '../../domain/catalog.js';
import { groupConsoleUrl } from '../codedeploy-shared/group.js';
import type { PrepareRequest, Prepared } from '../strategy.js';
import { bareETag, s3Uri } from './bundle.js';
import { type CheckDeps, type ServerEnvironment, check } from './check.js';
import type { Context, Plan } from './schemas.js';

/** What deploying `version` changes, from what check() read: pure. */
export function planOf(t: CodeDeployServerTarget, ctx: Context, version: string): Prepared<Plan> {
  const r = t.revision;
  const to = s3Uri(r.bucket, ctx.bundle.key);
  const from = ctx.current ? s3Uri(ctx.current.bucket, ctx.current.key) : '(none)';
  const eTag = bareETag(ctx.bundle.eTag);
  const plan: Plan = {
    version,
    bucket: r.bucket,
    key: ctx.bundle.key,
    bundleType: r.bundleType,
    eTag,
    baseKey: ctx.current?.key,
  };
  const same =
    ctx.settled &&
    ctx.current?.bucket === r.bucket &&
    ctx.current.key === ctx.bundle.key &&
    (!ctx.current.eTag || !eTag || bareETag(ctx.current.eTag) === eTag);
  return {
    plan,
    unchanged: same,
    review: {
      diff: { title: 'Revision', lines: [`${from} → ${to}${eTag ? ` (eTag ${eTag})` : ''}`] },
      link: { label: `CodeDeploy group ${t.deploymentGroup}`, url: groupConsoleUrl(t) },
      ...(ctx.platformAlarms && { platformAlarms: ctx.platformAlarms }),
    },
  };
}

/** The plan from check()'s reads, read again when they are not of this version. */
export async function prepare(
  deps: CheckDeps,
  env: ServerEnvironment,
  req: PrepareRequest<Context>,
): Promise<Prepared<Plan>> {
  const known = req.checked.context;
  const ctx = known?.version === req.version ? known : (await check(deps, env, req.version)).context;
  return planOf(env.target, ctx, req.version);
}
