import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudWatchAdapter } from '../../src/adapters/aws/cloudwatch.js';
import { isCapstanError } from '../../src/domain/errors.js';

const cw = mockClient(CloudWatchClient);
const adapter = createCloudWatchAdapter(() => new CloudWatchClient({ region: 'us-east-1' }));
const T = Date.UTC(2026, 10, 20, 10, 0, 0);

afterEach(() => cw.reset());

describe('the CloudWatch adapter', () => {
  it('asks by names (100 a call) and by prefix, metric and composite alarms, every page, each alarm once', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `n${i}`);
    cw.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommand['input']) => {
      if (input.AlarmNamePrefix === 'web-' && !input.NextToken)
        return {
          MetricAlarms: [
            {
              AlarmName: 'web-5xx',
              StateValue: 'ALARM',
              StateReason: 'high',
              StateTransitionedTimestamp: new Date(T),
            },
          ],
          NextToken: 'p2',
        };
      if (input.AlarmNamePrefix === 'web-')
        return {
          CompositeAlarms: [
            { AlarmName: 'web-all', StateValue: 'OK' },
            { AlarmName: 'n1', StateValue: 'OK' },
          ],
        };
      return {
        MetricAlarms: (input.AlarmNames ?? [])
          .slice(0, 2)
          .map((AlarmName) => ({ AlarmName, StateValue: 'INSUFFICIENT_DATA' })),
      };
    });
    const got = await adapter.describe('us-east-1', [...names, 'web-*']);
    const calls = cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.AlarmNames?.length ?? c.AlarmNamePrefix)).toEqual([100, 1, 'web-', 'web-']);
    expect(calls.every((c) => c.AlarmTypes?.join() === 'MetricAlarm,CompositeAlarm')).toBe(true);
    expect(got.map((a) => `${a.name}:${a.state}`)).toEqual([
      'n0:INSUFFICIENT_DATA',
      'n1:OK',
      'n100:INSUFFICIENT_DATA',
      'web-5xx:ALARM',
      'web-all:OK',
    ]);
    expect(got.find((a) => a.name === 'web-5xx')).toEqual({
      name: 'web-5xx',
      state: 'ALARM',
      reason: 'high',
      changedAt: T,
    });
  });

  it('finds the last time an alarm entered ALARM since a time, from its state history', async () => {
    const item = (at: number, to: string, reason: string) => ({
      AlarmName: 'web-5xx',
      Timestamp: new Date(at),
      HistoryItemType: 'StateUpdate' as const,
      HistoryData: JSON.stringify({
        oldState: { stateValue: 'OK' },
        newState: { stateValue: to, stateReason: reason },
      }),
    });
    cw.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        item(T + 2000, 'OK', 'back'),
        item(T + 1000, 'ALARM', 'spike'),
        { HistoryData: 'not json' },
      ],
    });
    expect(await adapter.enteredAlarm('us-east-1', 'web-5xx', T)).toEqual({ at: T + 1000, reason: 'spike' });
    expect(cw.commandCalls(DescribeAlarmHistoryCommand)[0]!.args[0].input).toMatchObject({
      AlarmName: 'web-5xx',
      HistoryItemType: 'StateUpdate',
      StartDate: new Date(T),
      ScanBy: 'TimestampDescending',
    });
    cw.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [item(T + 2000, 'OK', 'fine')] });
    expect(await adapter.enteredAlarm('us-east-1', 'web-5xx', T)).toBeUndefined();
  });

  it('names the call and the missing permission when access is denied', async () => {
    cw.on(DescribeAlarmsCommand).rejects(
      Object.assign(new Error('User: x is not authorized to perform: cloudwatch:DescribeAlarms'), {
        name: 'AccessDenied',
        $metadata: {},
      }),
    );
    const e: unknown = await adapter.describe('us-east-1', ['web-*']).catch((x: unknown) => x);
    expect(isCapstanError(e) && e.fact).toMatchObject({
      kind: 'aws.accessDenied',
      action: 'cloudwatch:DescribeAlarms',
    });
  });
});
