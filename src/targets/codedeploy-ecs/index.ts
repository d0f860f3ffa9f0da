import type { CodeDeploy } from '../../ports/codedeploy.js';
import type { Ecs } from '../../ports/ecs.js';
import type { Registry } from '../../ports/registry.js';
import { describeGroup, pollGroupOf } from '../codedeploy-shared/group.js';
import { createObserve } from '../codedeploy-shared/observe.js';
import { eventGroupsOf, proceed, readEach, readingOf } from '../codedeploy-shared/read.js';
import { rollBackAtCodeDeploy } from '../codedeploy-shared/rollBack.js';
import { type Track, trackSchema } from '../codedeploy-shared/schemas.js';
import type { Strategy } from '../strategy.js';
import { apply, reconcile } from './apply.js';
import { type BlueGreenEnvironment, check } from './check.js';
import { prepare } from './plan.js';
import { readRunning } from './read.js';
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

  return {
    kind: 'codedeploy-ecs',
    label: 'CodeDeploy',
    artifact: 'image',
    schemas: { plan: planSchema, data: trackSchema, context: contextSchema },
    describe: (env) => describeGroup(env.target),
    pollGroup: (env) => pollGroupOf('codedeploy-ecs', env.target.region),
    check: (env, version, options) => check(deps, env, version, options?.digest),
    prepare: (env, req) => prepare(deps, env, req),
    async discard() {
      // prepare() leaves nothing in AWS: the task definition is registered by apply().
    },
    apply: (env, req) => apply(deps, env, req),
    reconcile: (env, req) => reconcile(deps, env, req),
    observe: createObserve<BlueGreenEnvironment>(deps, () => undefined),
    read: (envs, detail) =>
      readEach(envs, async (env) => {
        const { group, running } = await readRunning(deps, env);
        return readingOf(cd, env.target, group, running, detail, env);
      }),
    running: async (env) => (await readRunning(deps, env)).running.version,
    proceed: (env, track) => proceed(cd, env, track),
    // An alarm in a bake during a blue/green termination wait: CodeDeploy's own rollback.
    rollBackInPlace: (env, track) => rollBackAtCodeDeploy(cd, env, track),
    eventGroups: eventGroupsOf('codedeploy-ecs'),
  };
}
