import { describe, expect, it } from 'vitest';
import type { Environment, Target } from '../../src/domain/catalog.js';
import { parseEvent } from '../../src/events/envelope.js';
import { createBeanstalkStrategy } from '../../src/targets/beanstalk/index.js';
import { createStackStrategy } from '../../src/targets/cloudformation/index.js';
import { createCodeDeployEcsStrategy } from '../../src/targets/codedeploy-ecs/index.js';
import { createCodeDeployServerStrategy } from '../../src/targets/codedeploy-server/index.js';
import { createEcsStrategy } from '../../src/targets/ecs/index.js';
import { seal } from '../../src/targets/seal.js';
import type { AwsEvent } from '../../src/targets/strategy.js';

// Routing an event reads nothing from AWS: the ports are never called.
const none = {} as never;
const now = () => 0;
const ecs = seal(createEcsStrategy({ ecs: none, registry: none, now }));
const stacks = seal(
  createStackStrategy({
    stacks: none,
    registry: none,
    now,
    changeSetPollMs: 1,
    changeSetTimeoutMs: 1,
  }),
);
const codedeployServer = seal(createCodeDeployServerStrategy({ codedeploy: none, objects: none, now }));
const codedeployEcs = seal(createCodeDeployEcsStrategy({ codedeploy: none, registry: none, ecs: none, now }));
const beanstalk = seal(
  createBeanstalkStrategy({
    beanstalk: none,
    objects: none,
    registry: none,
    now,
  }),
);

const ACCOUNT = '123456789012';
const envOf = (target: Target): Environment => ({
  app: 'todo',
  name: 'dev',
  channel: 'C0DEV',
  target,
  policy: { deployers: [], approvers: [], approvals: 0, allowSelfApproval: false, approvalTtlMs: 1 },
  rolloutTimeoutMs: 1,
  rollback: 'auto',
});
const ecsEnv = (cluster: string) =>
  envOf({ kind: 'ecs', region: 'us-east-1', cluster, service: 'todo', container: 'app', repository: 'r' });

/** An event as it arrives on the queue, through the same parser the poller uses. */
function arrived(o: {
  source: string;
  type: string;
  resources?: string[];
  detail: Record<string, unknown>;
  region?: string;
}): AwsEvent {
  const r = parseEvent(
    JSON.stringify({
      version: '0',
      id: 'e-1',
      'detail-type': o.type,
      source: o.source,
      account: ACCOUNT,
      time: '2026-11-20T10:00:00Z',
      region: o.region ?? 'us-east-1',
      resources: o.resources ?? [],
      detail: o.detail,
    }),
  );
  if (!r.ok) throw new Error(r.problem);
  return r.event;
}

const serviceArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/todo-dev/todo`;
const clusterArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/todo-dev`;
const task = (detail: Record<string, unknown>) =>
  arrived({
    source: 'aws.ecs',
    type: 'ECS Task State Change',
    resources: [`arn:aws:ecs:us-east-1:${ACCOUNT}:task/todo-dev/abc`],
    detail: { clusterArn, group: 'service:todo', ...detail },
  });

describe('which poll group an AWS event concerns', () => {
  it("an ECS deployment state change names its service's cluster, by name and by ARN", () => {
    const e = arrived({
      source: 'aws.ecs',
      type: 'ECS Deployment State Change',
      resources: [serviceArn],
      detail: { eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: 'ecs-svc/1' },
    });
    const groups = ecs.eventGroups!(e);
    expect(groups).toContain(ecs.pollGroup(ecsEnv('todo-dev')));
    expect(groups).toContain(ecs.pollGroup(ecsEnv(clusterArn)));
    expect(groups).not.toContain(ecs.pollGroup(ecsEnv('todo-prod')));
  });

  it('an ECS pause hook waiting for a decision names its cluster, with or without resources', () => {
    const detail = {
      eventType: 'INFO',
      eventName: 'HOOK_AWAITING_ACTION',
      hookId: 'ecs-pause-1',
      hookType: 'PAUSE',
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      clusterArn,
      serviceArn,
      serviceDeploymentArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service-deployment/todo-dev/todo/abc`,
    };
    for (const resources of [[], [detail.serviceDeploymentArn]]) {
      const groups = ecs.eventGroups!(
        arrived({ source: 'aws.ecs', type: 'ECS Hook State Change', resources, detail }),
      );
      expect(groups).toContain(ecs.pollGroup(ecsEnv('todo-dev')));
      expect(groups).toContain(ecs.pollGroup(ecsEnv(clusterArn)));
      expect(groups).not.toContain(ecs.pollGroup(ecsEnv('todo-prod')));
    }
  });

  it('a service ARN of the old format (no cluster) names no group: polling covers it', () => {
    const e = arrived({
      source: 'aws.ecs',
      type: 'ECS Deployment State Change',
      resources: [`arn:aws:ecs:us-east-1:${ACCOUNT}:service/todo`],
      detail: { eventName: 'SERVICE_DEPLOYMENT_COMPLETED' },
    });
    expect(ecs.eventGroups!(e)).toEqual([]);
  });

  it.each([
    [
      'a task of the service that crashed',
      { lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' },
      true,
    ],
    [
      'a task that failed its health checks',
      {
        lastStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Task failed ELB health checks',
      },
      true,
    ],
    [
      'an old task the deployment replaced',
      {
        lastStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)',
      },
      false,
    ],
    ['a task starting', { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }, false],
    ['a standalone task', { lastStatus: 'STOPPED', group: 'family:batch' }, false],
  ])('an ECS task state change: %s → looked at: %s', (_what, detail, looked) => {
    expect(ecs.eventGroups!(task(detail))).toEqual(
      looked ? ['ecs|us-east-1|todo-dev', `ecs|us-east-1|${clusterArn}`] : [],
    );
  });

  it('ECS service actions: warnings and errors are looked at, the repeated steady state is not', () => {
    const action = (eventType: string, eventName: string) =>
      arrived({
        source: 'aws.ecs',
        type: 'ECS Service Action',
        resources: [serviceArn],
        detail: { eventType, eventName, clusterArn },
      });
    expect(ecs.eventGroups!(action('ERROR', 'SERVICE_TASK_PLACEMENT_FAILURE'))).toContain(
      'ecs|us-east-1|todo-dev',
    );
    expect(ecs.eventGroups!(action('INFO', 'SERVICE_STEADY_STATE'))).toEqual([]);
  });

  it('a CloudFormation stack status change names the stack by name and by stack id', () => {
    const stackId = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/todo-prod/0a1b2c3d-aaaa-bbbb-cccc-123456789012`;
    const e = arrived({
      source: 'aws.cloudformation',
      type: 'CloudFormation Stack Status Change',
      region: 'eu-west-1',
      resources: [stackId],
      detail: { 'stack-id': stackId, 'status-details': { status: 'UPDATE_COMPLETE', 'status-reason': '' } },
    });
    const stackEnv = (stack: string) =>
      envOf({
        kind: 'cloudformation',
        region: 'eu-west-1',
        stack,
        imageParameter: 'Tag',
        repository: 'r',
        capabilities: [],
      });
    expect(stacks.eventGroups!(e)).toEqual([
      stacks.pollGroup(stackEnv('todo-prod')),
      stacks.pollGroup(stackEnv(stackId)),
    ]);
    expect(ecs.eventGroups!(e)).toEqual([]);
  });

  it("a CodeDeploy deployment state change names its region's group", () => {
    const e = arrived({
      source: 'aws.codedeploy',
      type: 'CodeDeploy Deployment State-change Notification',
      detail: { deploymentId: 'd-ABC', state: 'SUCCESS' },
    });
    const group = { region: 'us-east-1', application: 'todo', deploymentGroup: 'dev' };
    const serverEnv = envOf({
      kind: 'codedeploy-server',
      ...group,
      revision: { bucket: 'b', key: 'todo/{version}.zip', bundleType: 'zip' },
    });
    const blueGreenEnv = envOf({
      kind: 'codedeploy-ecs',
      ...group,
      ecs: { cluster: 'c', service: 's', container: 'app', repository: 'r', containerPort: 80 },
    });
    expect(codedeployServer.eventGroups!(e)).toEqual([codedeployServer.pollGroup(serverEnv)]);
    expect(codedeployEcs.eventGroups!(e)).toEqual([codedeployEcs.pollGroup(blueGreenEnv)]);
    // A look is handed one strategy's rollouts: the two kinds never share a poll group.
    expect(codedeployServer.pollGroup(serverEnv)).not.toBe(codedeployEcs.pollGroup(blueGreenEnv));
    for (const codedeploy of [codedeployServer, codedeployEcs]) {
      expect(
        codedeploy.eventGroups!(
          arrived({
            source: 'aws.codedeploy',
            type: 'CodeDeploy Instance State-change Notification',
            detail: {},
          }),
        ),
      ).toEqual([]);
    }
  });

  it('Elastic Beanstalk sends no such events: its rollouts are polled', () => {
    expect('eventGroups' in beanstalk).toBe(false);
  });
});

describe('reading a queue message as an event', () => {
  it('takes the envelope EventBridge sends, and the same wrapped in an SNS notification', () => {
    const body = {
      version: '0',
      id: 'e-2',
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: ACCOUNT,
      time: '2026-11-20T10:00:00Z',
      region: 'us-east-1',
      resources: [serviceArn],
      detail: { eventName: 'SERVICE_DEPLOYMENT_COMPLETED', somethingNew: { nested: true } },
    };
    const direct = parseEvent(JSON.stringify(body));
    const wrapped = parseEvent(JSON.stringify({ Type: 'Notification', Message: JSON.stringify(body) }));
    expect(direct).toEqual(wrapped);
    expect(direct).toMatchObject({
      ok: true,
      event: {
        id: 'e-2',
        detailType: 'ECS Deployment State Change',
        time: Date.parse('2026-11-20T10:00:00Z'),
      },
    });
  });

  it.each([
    ['not JSON', 'not json {'],
    ['JSON without an envelope', '{"hello":"world"}'],
    [
      'an envelope whose detail is not an object',
      JSON.stringify({ id: 'x', 'detail-type': 'T', source: 's', region: 'r', detail: 'x' }),
    ],
    ['a notification that carries no event', JSON.stringify({ Type: 'Notification', Message: 'hi' })],
  ])('refuses %s', (_what, body) => {
    expect(parseEvent(body).ok).toBe(false);
  });
});
