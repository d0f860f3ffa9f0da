import { describe, expect, it } from 'vitest';
import { EcsFact } from '../../../src/domain/facts/ecs.js';
import { sayFact } from '../../../src/views/facts/index.js';
import { PROGRESSIVE_EXAMPLES } from './ecsProgressiveExamples.js';

const where = { service: 'web', cluster: 'prod', region: 'us-east-1' };
const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/todo:42';
const OLD_TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/todo:41';
/** Outside text that would be markup if it reached Slack as it is. */
const HOSTILE = 'a <!channel> & *bold*';
const ESCAPED = 'a &lt;!channel&gt; &amp; *bold*';

/** Every ECS fact, worded: one example of each kind (the compiler checks each has words). */
const EXAMPLES: readonly [EcsFact, string][] = [
  [
    {
      kind: 'ecr.imageNotFound',
      repository: 'todo',
      region: 'us-east-1',
      tag: '9.9.9',
      recent: ['1.2.3', '1.2.2'],
    },
    'There is no image tagged `9.9.9` in ECR repository todo (us-east-1). Most recently pushed: `1.2.3`, `1.2.2`.',
  ],
  [
    { kind: 'ecr.imageNotFound', repository: 'todo', region: 'us-east-1', tag: '9.9.9', recent: [] },
    'There is no image tagged `9.9.9` in ECR repository todo (us-east-1). The repository has no tagged images.',
  ],
  [
    {
      kind: 'ecs.taskStopped',
      id: 'f00d',
      reason: 'Essential container in task exited',
      containers: [
        { name: 'app', exitCode: 1 },
        { name: 'log', reason: 'OutOfMemoryError' },
      ],
    },
    ':x: Task `f00d` stopped: Essential container in task exited (app: exit code 1; log: OutOfMemoryError)',
  ],
  [{ kind: 'ecs.taskStopped', id: 'f00d' }, ':x: Task `f00d` stopped: no reason given'],
  [
    { kind: 'ecs.taskStopCause', reason: 'CannotPullContainerError: not found' },
    'CannotPullContainerError: not found',
  ],
  [{ kind: 'ecs.serviceNotFound', ...where }, 'ECS service web was not found in cluster prod (us-east-1).'],
  [
    { kind: 'ecs.serviceNotActive', ...where, status: 'DRAINING' },
    'ECS service web is DRAINING, not ACTIVE.',
  ],
  [
    { kind: 'ecs.clusterNotActive', cluster: 'prod', region: 'us-east-1', status: 'INACTIVE' },
    'ECS cluster prod (us-east-1) is INACTIVE, not ACTIVE.',
  ],
  [
    { kind: 'ecs.clusterNotActive', cluster: 'prod', region: 'us-east-1' },
    'ECS cluster prod (us-east-1) is missing, not ACTIVE.',
  ],
  [
    { kind: 'ecs.serviceBusy', ...where, deploymentId: 'ecs-svc/123' },
    'ECS service web is already rolling out ecs-svc/123; wait until it finishes.',
  ],
  [
    { kind: 'ecs.serviceChanged', ...where, runsNow: TD, reviewed: OLD_TD },
    'ECS service web changed since this was reviewed: it now runs todo:42, not todo:41. Request the deploy again.',
  ],
  [
    {
      kind: 'ecs.containerNotFound',
      taskDefinition: OLD_TD,
      container: 'web',
      available: ['app', 'sidecar'],
    },
    `Task definition ${OLD_TD} has no container "web" (it has app, sidecar); fix \`container\` in capstan.yml.`,
  ],
  [
    { kind: 'ecs.describeFailed', ...where, reason: 'ACCESS_DENIED' },
    'ECS could not describe service web in cluster prod (us-east-1): ACCESS_DENIED',
  ],
  [
    { kind: 'ecs.describeFailed', ...where },
    'ecs:DescribeServices in ECS cluster prod (us-east-1) answered nothing about service web',
  ],
  [
    {
      kind: 'ecs.deploymentStarted',
      service: 'web',
      taskDefinitionArn: TD,
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/todo@sha256:abc',
      deploymentId: 'ecs-svc/123',
    },
    'Registered `todo:42` with `todo@sha256:abc`; ECS deployment `ecs-svc/123` started on service `web`.',
  ],
  [
    { kind: 'ecs.serviceEvent', message: '(service web) has reached a steady state.' },
    ':information_source: (service web) has reached a steady state.',
  ],
  [{ kind: 'ecs.taskCount', running: 2, desired: 2, pending: 0 }, 'tasks 2/2 running'],
  [{ kind: 'ecs.taskCount', running: 1, desired: 2, pending: 1 }, 'tasks 1/2 running, 1 pending'],
  [{ kind: 'ecs.serviceGone', ...where }, 'ECS service web in cluster prod (us-east-1) no longer exists'],
  [
    { kind: 'ecs.serviceGone', ...where, status: 'INACTIVE' },
    'ECS service web in cluster prod (us-east-1) is INACTIVE',
  ],
  [
    { kind: 'ecs.clusterGone', cluster: 'prod', region: 'us-east-1' },
    'ECS cluster prod (us-east-1) no longer exists',
  ],
  [{ kind: 'ecs.rolloutFailed' }, 'ECS marked the rollout FAILED'],
  [
    { kind: 'ecs.rolloutFailed', reason: 'ECS deployment circuit breaker: tasks failed to start.' },
    'ECS deployment circuit breaker: tasks failed to start.',
  ],
  [
    {
      kind: 'ecs.deploymentReplaced',
      deploymentId: 'ecs-svc/NEW',
      event: '(service web) (deployment ecs-svc/NEW) deployment failed: tasks failed to start.',
      runsNow: OLD_TD,
    },
    'ECS rolled back deployment ecs-svc/NEW: (deployment ecs-svc/NEW) deployment failed: tasks failed to start.; the service now runs todo:41',
  ],
  [{ kind: 'ecs.deploymentReplaced', deploymentId: 'ecs-svc/NEW' }, 'ECS replaced deployment ecs-svc/NEW'],
  [
    {
      kind: 'ecs.rolloutFailed',
      reason: 'ECS deployment alarms detected: todo-<5xx>.',
      alarms: { names: ['todo-<5xx>'], named: true },
    },
    ':rotating_light: Alarm `todo-&lt;5xx&gt;` went off: ECS deployment alarms detected: todo-&lt;5xx&gt;.',
  ],
  [
    {
      kind: 'ecs.deploymentReplaced',
      deploymentId: 'ecs-svc/NEW',
      runsNow: OLD_TD,
      alarms: { names: ['todo-5xx', 'todo-latency'], named: false },
    },
    ":rotating_light: One of the service's alarms (`todo-5xx`, `todo-latency`) went off: ECS replaced deployment ecs-svc/NEW; the service now runs todo:41",
  ],
  [
    {
      kind: 'ecs.tasksKeepStopping',
      failedTasks: 3,
      cause: { reason: 'CannotPullContainerError: not found' },
    },
    'CannotPullContainerError: not found: tasks of the new revision keep stopping (3 in a row)',
  ],
  [{ kind: 'ecs.tasksKeepStopping', failedTasks: 4 }, 'tasks of the new revision keep stopping (4 in a row)'],
  [
    {
      kind: 'ecs.tasksKeepExiting',
      crashes: 3,
      cause: { reason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] },
    },
    'Essential container in task exited (app: exit code 1): containers of the new revision keep exiting (3 tasks stopped)',
  ],
  [
    { kind: 'ecs.tasksKeepExiting', crashes: 5 },
    'containers of the new revision keep exiting (5 tasks stopped)',
  ],
  [
    { kind: 'ecs.gaveUp', failure: { kind: 'ecs.rolloutFailed', reason: 'ECS marked the rollout FAILED.' } },
    ':octagonal_sign: ECS marked the rollout FAILED.',
  ],
  [
    {
      kind: 'ecs.rollingBack',
      failure: {
        kind: 'ecs.rolloutFailed',
        reason: 'ECS deployment circuit breaker: tasks failed to start.',
      },
    },
    ':rewind: ECS is rolling back by itself (ECS deployment circuit breaker: tasks failed to start). Capstan follows that rollback and does not start another.',
  ],
  [
    {
      kind: 'ecs.gaveUp',
      failure: { kind: 'ecs.rolloutFailed', reason: 'Failed.', alarms: { names: ['a', 'b'], named: true } },
    },
    ':octagonal_sign: alarms `a`, `b` went off: Failed.',
  ],
  [
    {
      kind: 'ecs.rollingBack',
      failure: { kind: 'ecs.deploymentReplaced', deploymentId: 'ecs-svc/NEW', event: 'deployment failed;  ' },
    },
    ':rewind: ECS is rolling back by itself (ECS rolled back deployment ecs-svc/NEW: deployment failed). Capstan follows that rollback and does not start another.',
  ],
  ...PROGRESSIVE_EXAMPLES,
];

describe('ECS facts, worded', () => {
  it.each(EXAMPLES.map(([fact, words]) => [fact.kind, fact, words] as const))('%s', (_kind, fact, words) => {
    expect(EcsFact.parse(JSON.parse(JSON.stringify(fact)))).toEqual(fact);
    expect(sayFact(fact)).toBe(words);
  });

  it('words every kind', () => {
    const kinds = new Set(EXAMPLES.map(([f]) => f.kind));
    expect([...kinds].sort()).toEqual([...EcsFact.options.map((o) => o.shape.kind.value)].sort());
  });

  it('escapes outside text once, wherever it appears', () => {
    const said = [
      sayFact({
        kind: 'ecr.imageNotFound',
        repository: HOSTILE,
        region: 'us-east-1',
        tag: HOSTILE,
        recent: [HOSTILE],
      }),
      sayFact({
        kind: 'ecs.taskStopped',
        id: 't',
        reason: HOSTILE,
        containers: [{ name: HOSTILE, reason: HOSTILE }],
      }),
      sayFact({ kind: 'ecs.serviceEvent', message: HOSTILE }),
      sayFact({ kind: 'ecs.describeFailed', ...where, reason: HOSTILE }),
      sayFact({ kind: 'ecs.deploymentReplaced', deploymentId: 'd', event: HOSTILE }),
      sayFact({ kind: 'ecs.tasksKeepExiting', crashes: 3, cause: { reason: HOSTILE } }),
    ];
    expect(said).toEqual([
      `There is no image tagged \`${ESCAPED}\` in ECR repository ${ESCAPED} (us-east-1). Most recently pushed: \`${ESCAPED}\`.`,
      `:x: Task \`t\` stopped: ${ESCAPED} (${ESCAPED}: ${ESCAPED})`,
      `:information_source: ${ESCAPED}`,
      `ECS could not describe service web in cluster prod (us-east-1): ${ESCAPED}`,
      `ECS rolled back deployment d: ${ESCAPED}`,
      `${ESCAPED}: containers of the new revision keep exiting (3 tasks stopped)`,
    ]);
  });

  it("trims the closing punctuation of ECS's words before escaping, so an entity keeps its semicolon", () => {
    expect(
      sayFact({ kind: 'ecs.gaveUp', failure: { kind: 'ecs.rolloutFailed', reason: 'tasks & more.' } }),
    ).toBe(':octagonal_sign: tasks &amp; more.');
    expect(sayFact({ kind: 'ecs.gaveUp', failure: { kind: 'ecs.rolloutFailed', reason: 'a <b>;' } })).toBe(
      ':octagonal_sign: a &lt;b&gt;.',
    );
  });
});
