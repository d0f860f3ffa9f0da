import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createCloudFormationAdapter } from '../../src/adapters/aws/cloudformation.js';
import { createCloudWatchAdapter } from '../../src/adapters/aws/cloudwatch.js';
import { createEcrAdapter } from '../../src/adapters/aws/ecr.js';
import type { Environment } from '../../src/domain/catalog.js';
import { createStackStrategy } from '../../src/targets/cloudformation/index.js';
import { seal } from '../../src/targets/seal.js';
import { ManualClock } from '../fakes/ports.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';

const base: Environment = {
  app: 'todobackend',
  name: 'prod',
  channel: 'C0PROD',
  target: {
    kind: 'cloudformation',
    region: 'us-east-1',
    stack: 'todobackend-prod',
    imageParameter: 'ApplicationImageTag',
    repository: 'todobackend',
    capabilities: ['CAPABILITY_IAM'],
  },
  policy: { deployers: [], approvers: [], approvals: 0, allowSelfApproval: false, approvalTtlMs: 3_600_000 },
  rolloutTimeoutMs: 900_000,
  rollback: 'auto',
};

let clock: ManualClock;
let cfn: FakeCfn;
let ecs: FakeEcs;
let cw: FakeCloudWatch;

beforeEach(() => {
  clock = new ManualClock();
  cfn = new FakeCfn(clock);
  ecs = new FakeEcs();
  cw = new FakeCloudWatch(clock);
  for (const n of ['prod-5xx', 'prod-latency', 'prod-a', 'prod-b', 'prod-c', 'prod-d']) cw.set(n, 'OK');
});
afterEach(() => {
  cfn.restore();
  ecs.restore();
  cw.restore();
});

async function created(env: Environment) {
  const strategy = seal(
    createStackStrategy({
      stacks: createCloudFormationAdapter(),
      registry: createEcrAdapter(),
      alarms: createCloudWatchAdapter(),
      now: () => clock.now(),
      changeSetPollMs: 1,
      changeSetTimeoutMs: 60_000,
    }),
  );
  const checked = await strategy.check(env, '1.2.3');
  await strategy.prepare(env, { requestId: 'r-1', version: '1.2.3', requestedBy: 'U0ALICE', checked });
  return cfn.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
}

const arn = (n: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${n}`;

it('a change set of an environment that verifies carries its alarms and bake as CloudFormation rollback triggers', async () => {
  const input = await created({
    ...base,
    verify: { alarms: ['prod-5xx', 'prod-l*'], bakeMs: 10 * 60_000 + 1, onAlarm: 'rollback' },
  });
  expect(input.RollbackConfiguration).toEqual({
    RollbackTriggers: [
      { Arn: arn('prod-5xx'), Type: 'AWS::CloudWatch::Alarm' },
      { Arn: arn('prod-latency'), Type: 'AWS::CloudWatch::Alarm' },
    ],
    // The bake in whole minutes, rounded up.
    MonitoringTimeInMinutes: 11,
  });
});

it('CloudFormation takes five triggers and three hours of monitoring at most', async () => {
  const input = await created({
    ...base,
    verify: { alarms: ['prod-*'], bakeMs: 24 * 3_600_000, onAlarm: 'ask' },
  });
  expect(input.RollbackConfiguration?.RollbackTriggers).toHaveLength(5);
  expect(input.RollbackConfiguration?.MonitoringTimeInMinutes).toBe(180);
});

it('an environment without verify sends no rollback configuration, and reads no alarm', async () => {
  const input = await created(base);
  expect(input.RollbackConfiguration).toBeUndefined();
  expect(cw.cw.calls()).toHaveLength(0);
});

it('a composite alarm is a composite trigger', async () => {
  cw.cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [],
    CompositeAlarms: [
      {
        AlarmName: 'prod-health',
        AlarmArn: arn('prod-health'),
        AlarmRule: 'ALARM(prod-5xx)',
        StateValue: 'OK',
      },
    ],
  });
  const input = await created({
    ...base,
    verify: { alarms: ['prod-health'], bakeMs: 60_000, onAlarm: 'rollback' },
  });
  expect(input.RollbackConfiguration).toEqual({
    RollbackTriggers: [{ Arn: arn('prod-health'), Type: 'AWS::CloudWatch::CompositeAlarm' }],
    MonitoringTimeInMinutes: 1,
  });
});
