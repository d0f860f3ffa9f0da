import type { CodeDeploy } from '../../ports/codedeploy.js';
import type { ObjectStore } from '../../ports/objects.js';
import { describeGroup, pollGroupOf } from '../codedeploy-shared/group.js';
import { createObserve } from '../codedeploy-shared/observe.js';
import { eventGroupsOf, proceed, readEach, readingOf } from '../codedeploy-shared/read.js';
import { rollBackAtCodeDeploy } from '../codedeploy-shared/rollBack.js';
import { type Track, trackSchema } from '../codedeploy-shared/schemas.js';
import type { Strategy } from '../strategy.js';
import { apply, reconcile } from './apply.js';
import { serverVersion } from './bundle.js';
import { type ServerEnvironment, check } from './check.js';
import { prepare } from './plan.js';
import { readRunning } from './read.js';
import { type Context, type Plan, contextSchema, planSchema } from './schemas.js';

export { versionFromKey } from './bundle.js';

export interface CodeDeployServerStrategyDeps {
  readonly codedeploy: CodeDeploy;
  readonly objects: ObjectStore;
  readonly now: () => number;
}

/** A CodeDeploy deployment group on EC2/on-premises: an S3 bundle per version. */
export function createCodeDeployServerStrategy(
  deps: CodeDeployServerStrategyDeps,
): Strategy<'codedeploy-server', Plan, Track, Context> {
  const { codedeploy: cd } = deps;

  return {
    kind: 'codedeploy-server',
    label: 'CodeDeploy',
    artifact: 'bundle',
    schemas: { plan: planSchema, data: trackSchema, context: contextSchema },
    describe: (env) => describeGroup(env.target),
    pollGroup: (env) => pollGroupOf('codedeploy-server', env.target.region),
    check: (env, version) => check(deps, env, version),
    prepare: (env, req) => prepare(deps, env, req),
    async discard() {
      // prepare() leaves nothing in AWS.
    },
    apply: (env, req) => apply(deps, env, req),
    reconcile: (env, req) => reconcile(deps, env, req),
    observe: createObserve<ServerEnvironment>(deps, (env, rev) => serverVersion(env.target.revision, rev)),
    read: (envs, detail) =>
      readEach(envs, async (env) => {
        const { group, running } = await readRunning(cd, env);
        return readingOf(cd, env.target, group, running, detail, env);
      }),
    running: async (env) => (await readRunning(cd, env)).running.version,
    // Blue/green server groups wait to reroute traffic too.
    proceed: (env, track) => proceed(cd, env, track),
    // An alarm in a bake during a blue/green termination wait: CodeDeploy's own rollback.
    rollBackInPlace: (env, track) => rollBackAtCodeDeploy(cd, env, track),
    eventGroups: eventGroupsOf('codedeploy-server'),
  };
}
