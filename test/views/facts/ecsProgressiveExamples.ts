import type { EcsProgressiveFact } from '../../../src/domain/facts/ecsProgressive.js';

const AT = Date.UTC(2026, 0, 2, 3, 4);
const DATE = '<!date^1767323040^{date_short_pretty} {time}|2026-01-02 03:04 UTC>';

/** Every progressive ECS fact, worded (the ECS facts test requires an example of each kind). */
export const PROGRESSIVE_EXAMPLES: readonly [EcsProgressiveFact, string][] = [
  [
    {
      kind: 'ecs.serviceDeploymentStarted',
      service: 'web',
      strategy: 'BLUE_GREEN',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/todo:42',
      image: '1.dkr.ecr.us-east-1.amazonaws.com/todo@sha256:ab',
      arn: 'arn:aws:ecs:us-east-1:1:service-deployment/prod/web/Xy1',
    },
    'Registered `todo:42` with `todo@sha256:ab`; ECS BLUE_GREEN deployment `Xy1` started on service `web`.',
  ],
  [
    { kind: 'ecs.stageReached', stage: 'PRODUCTION_TRAFFIC_SHIFT', productionPercent: 30 },
    ':arrow_right: shifting production traffic, 30% of production traffic',
  ],
  [
    { kind: 'ecs.stageReached', stage: 'BAKE_TIME', productionPercent: 100, until: AT },
    `:arrow_right: baking with both revisions up, 100% of production traffic, until ${DATE}`,
  ],
  [{ kind: 'ecs.stageReached', stage: 'NEW_<b>' }, ':arrow_right: NEW_&lt;b&gt;'],
  [
    { kind: 'ecs.hookAwaiting', stage: 'POST_TEST_TRAFFIC_SHIFT', timeoutAction: 'ROLLBACK', expiresAt: AT },
    `:double_vertical_bar: Paused at test traffic on the new revision: waiting for Continue or Roll back; ECS rolls back by itself at ${DATE}.`,
  ],
  [
    {
      kind: 'ecs.hookEnded',
      stage: 'POST_TEST_TRAFFIC_SHIFT',
      status: 'TIMED_OUT',
      timeoutAction: 'CONTINUE',
    },
    ':hourglass: Nobody decided at test traffic on the new revision in time: ECS continued by itself.',
  ],
  [
    { kind: 'ecs.hookEnded', stage: 'POST_TEST_TRAFFIC_SHIFT', status: 'SUCCEEDED' },
    'The pause at test traffic on the new revision was decided outside Slack (SUCCEEDED).',
  ],
  [
    { kind: 'ecs.hookDecided', by: 'U0BOB', action: 'continue', stage: 'POST_TEST_TRAFFIC_SHIFT' },
    ':arrow_forward: <@U0BOB> let it go on from test traffic on the new revision.',
  ],
  [
    { kind: 'ecs.hookDecided', by: 'U0BOB', action: 'rollback' },
    ':rewind: <@U0BOB> rolled it back through ECS.',
  ],
  [
    { kind: 'ecs.serviceDeploymentFailed', status: 'ROLLBACK_SUCCESSFUL', rollbackReason: 'alarm <x>' },
    'ECS rolled the deployment back: alarm &lt;x&gt;',
  ],
  [
    {
      kind: 'ecs.serviceDeploymentFailed',
      status: 'ROLLBACK_SUCCESSFUL',
      rollbackReason: 'alarm',
      alarms: ['todo-5xx', 'lat<!here>'],
    },
    ':rotating_light: Alarms `todo-5xx`, `lat&lt;!here&gt;` went off: ECS rolled the deployment back: alarm',
  ],
  [
    { kind: 'ecs.serviceDeploymentFailed', status: 'ROLLBACK_FAILED' },
    'ECS could not roll the deployment back',
  ],
  [
    { kind: 'ecs.serviceDeploymentFailed', status: 'STOPPED', reason: 'stopped' },
    'The ECS deployment was stopped: stopped',
  ],
  [
    { kind: 'ecs.serviceDeploymentFailed', status: 'ROLLBACK_IN_PROGRESS' },
    'ECS is rolling the deployment back',
  ],
  [{ kind: 'ecs.serviceDeploymentGone', arn: 'a' }, 'ECS no longer knows service deployment a'],
  [
    { kind: 'ecs.nothingToRollBack', status: 'SUCCESSFUL' },
    'There is no ECS deployment in flight to roll back (it is SUCCESSFUL).',
  ],
];
