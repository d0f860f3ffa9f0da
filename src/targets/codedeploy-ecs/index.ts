import { runningVersion, containerImage } from '../../domain/taskDefinition.js';
import { parseImage } from '../../domain/version.js';
import type { CodeDeploy } from '../../ports/codedeploy.js';
import type { Ecs } from '../../ports/ecs.js';
import type { Registry } from '../../ports/registry.js';
import { describeGroup, pollGroupOf } from '../codedeploy-shared/group.js';
import { createObserve } from '../codedeploy-shared/observe.js';
import { type Running, eventGroupsOf, proceed, readEach, readingOf } from '../codedeploy-shared/read.js';
import { type Track, trackSchema } from '../codedeploy-shared/schemas.js';
import type { Strategy } from '../strategy.js';
import { apply, reconcile } from './apply.js';
import { revisionName } from './appspec.js';
import { type BlueGreenEnvironment, check, currentTaskDefinition, requireEcsGroup } from './check.js';
import { planOf } from './plan.js';
import { type Context, type Plan, contextSchema, planSchema } from './schemas.js';

export { ecsAppSpec } from './appspec.js';

export interface CodeDeployEcsStrategyDeps {
  readonly codedeploy: CodeDeploy;
  readonly registry: Registry;
  readonly ecs: Ecs;
  readonly now: () => number;
}

/** A CodeDeploy deployment group deploying an ECS service blue/green, with Continue to reroute traffic. */
export function createCodeDeployEcsStrategy(
  deps: CodeDeployEcsStrategyDeps,
): Strategy<'codedeploy-ecs', Plan, Track, Context> {
  const { codedeploy: cd } = deps;

  /** The version the service runs: its task definition's, and the image digest it pins. */
  async function readRunning(env: BlueGreenEnvironment) {
    const t = env.target;
    const group = await requireEcsGroup(cd, t);
    const current = await currentTaskDefinition(deps.ecs, t, group);
    const image = containerImage(current.doc.taskDefinition, t.ecs.container);
    const running: Running = {
      version: runningVersion(current.doc, t.ecs.container),
      digest: image ? parseImage(image).digest : undefined,
      revision: revisionName(current.arn),
    };
    return { group, running };
  }

  return {
    kind: 'codedeploy-ecs',
    label: 'CodeDeploy',
    schemas: { plan: planSchema, data: trackSchema, context: contextSchema },
    describe: (env) => describeGroup(env.target),
    pollGroup: (env) => pollGroupOf('codedeploy-ecs', env.target.region),
    check: (env, version) => check(deps, env, version),
    async prepare(env, req) {
      const known = req.checked.context;
      const ctx = known?.version === req.version ? known : (await check(deps, env, req.version)).context;
      return planOf(env.target, ctx, req.version, req.requestedBy);
    },
    async discard() {
      // prepare() leaves nothing in AWS: the task definition is registered by apply().
    },
    apply: (env, req) => apply(deps, env, req),
    reconcile: (env, req) => reconcile(deps, env, req),
    observe: createObserve<BlueGreenEnvironment>(deps, () => undefined),
    read: (envs, detail) =>
      readEach(envs, async (env) => {
        const { group, running } = await readRunning(env);
        return readingOf(cd, env.target, group, running, detail);
      }),
    running: async (env) => (await readRunning(env)).running.version,
    proceed: (env, track) => proceed(cd, env, track),
    eventGroups: eventGroupsOf('codedeploy-ecs'),
  };
}
