import { CapstanError } from '../../domain/errors.js';
import type { CodeDeploy } from '../../ports/codedeploy.js';
import type { ObjectStore } from '../../ports/objects.js';
import { createDeploymentOnce, findOwn } from '../codedeploy-shared/create.js';
import { groupRef, requireIdle } from '../codedeploy-shared/group.js';
import type { Track } from '../codedeploy-shared/schemas.js';
import { afterError, description, started } from '../codedeploy-shared/started.js';
import type { ApplyRequest, Started } from '../strategy.js';
import { bareETag, revisionOf, s3Uri, sameBundle } from './bundle.js';
import { type ServerEnvironment, requireServerGroup } from './check.js';
import type { Plan } from './schemas.js';

export interface ApplyDeps {
  readonly codedeploy: CodeDeploy;
  readonly objects: ObjectStore;
  readonly now: () => number;
}

/** Re-checks the bundle and the group against the review, then deploys the bundle. */
export async function apply(
  deps: ApplyDeps,
  env: ServerEnvironment,
  req: ApplyRequest<Plan>,
): Promise<Started<Track>> {
  const { codedeploy: cd } = deps;
  const t = env.target;
  const { plan } = req;
  const group = await requireServerGroup(cd, t);
  await requireIdle(cd, t);
  const uri = s3Uri(plan.bucket, plan.key);
  const head = await deps.objects.head(t.region, plan.bucket, plan.key);
  if (!head) throw new CapstanError('not_found', { kind: 'codedeploy.bundleGone', uri });
  if (plan.eTag && head.etag && bareETag(head.etag) !== plan.eTag) {
    throw new CapstanError('conflict', { kind: 'codedeploy.bundleReplaced', uri });
  }
  const rev = group.targetRevision;
  const baseKey = rev?.kind === 's3' ? rev.key : undefined;
  if (baseKey !== plan.baseKey) {
    throw new CapstanError('conflict', {
      kind: 'codedeploy.groupChanged',
      group: t.deploymentGroup,
      deploys: revisionOf(rev),
    });
  }
  const created = await createDeploymentOnce(
    cd,
    groupRef(t),
    { kind: 's3', bucket: plan.bucket, key: plan.key, bundleType: plan.bundleType, eTag: plan.eTag },
    description(req.requestId, req.actor, req.version),
    { requestId: req.requestId, now: deps.now, matches: (d) => sameBundle(d, plan.key) },
  );
  return afterError(
    started(t, { deploymentId: created.id, version: plan.version }, { kind: 'bundle', uri }),
    created.error,
  );
}

/** The deployment this very request started, if it did. */
export async function reconcile(
  deps: ApplyDeps,
  env: ServerEnvironment,
  req: ApplyRequest<Plan>,
): Promise<Started<Track> | undefined> {
  const t = env.target;
  const { plan } = req;
  const d = await findOwn(deps.codedeploy, groupRef(t), req.requestId, deps.now(), {
    matches: (x) => sameBundle(x, plan.key),
  });
  if (!d) return undefined;
  return started(
    t,
    { deploymentId: d.id, version: plan.version },
    { kind: 'bundle', uri: s3Uri(plan.bucket, plan.key) },
  );
}
