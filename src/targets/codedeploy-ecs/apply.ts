import { CapstanError } from '../../domain/errors.js';
import { parseImage, shortDigest } from '../../domain/version.js';
import type { CodeDeploy } from '../../ports/codedeploy.js';
import type { Ecs } from '../../ports/ecs.js';
import { createDeploymentOnce, findOwn } from '../codedeploy-shared/create.js';
import { groupRef, requireIdle } from '../codedeploy-shared/group.js';
import type { Track } from '../codedeploy-shared/schemas.js';
import { afterError, description, started } from '../codedeploy-shared/started.js';
import type { ApplyRequest, Started } from '../strategy.js';
import { ecsAppSpec, revisionName } from './appspec.js';
import { type BlueGreenEnvironment, readService, requireEcsGroup } from './check.js';
import type { Plan } from './schemas.js';

export interface ApplyDeps {
  readonly codedeploy: CodeDeploy;
  readonly ecs: Ecs;
  readonly now: () => number;
}

/** Re-checks the service against the review, registers the revision and deploys it blue/green. */
export async function apply(
  deps: ApplyDeps,
  env: BlueGreenEnvironment,
  req: ApplyRequest<Plan>,
): Promise<Started<Track>> {
  const { codedeploy: cd, ecs } = deps;
  const t = env.target;
  const { plan } = req;
  await requireEcsGroup(cd, t);
  await requireIdle(cd, t);
  const service = await readService(ecs, t);
  if (service.taskDefinition !== plan.baseTaskDefinitionArn) {
    throw new CapstanError('conflict', {
      kind: 'codedeploy.serviceChanged',
      service: t.ecs.service,
      runs: revisionName(service.taskDefinition),
      reviewed: revisionName(plan.baseTaskDefinitionArn),
    });
  }
  const arn = await ecs.registerTaskDefinition(t.region, plan.next);
  const content = ecsAppSpec(arn, t.ecs.container, t.ecs.containerPort);
  const created = await createDeploymentOnce(
    cd,
    groupRef(t),
    { kind: 'appspec', content },
    description(req.requestId, req.actor, req.version),
    { requestId: req.requestId, now: deps.now },
  );
  const ref = parseImage(plan.image);
  const image = `${ref.repository.split('/').pop() ?? ''}@${ref.digest ? shortDigest(ref.digest) : ''}`;
  return afterError(
    started(
      t,
      { deploymentId: created.id, version: plan.version, taskDefinitionArn: arn },
      { kind: 'blueGreen', taskDefinition: revisionName(arn), image, service: t.ecs.service },
    ),
    created.error,
  );
}

/** The deployment this very request started, if it did. */
export async function reconcile(
  deps: ApplyDeps,
  env: BlueGreenEnvironment,
  req: ApplyRequest<Plan>,
): Promise<Started<Track> | undefined> {
  const t = env.target;
  const d = await findOwn(deps.codedeploy, groupRef(t), req.requestId, deps.now());
  if (!d) return undefined;
  return started(
    t,
    { deploymentId: d.id, version: req.plan.version },
    { kind: 'version', version: req.plan.version },
  );
}
