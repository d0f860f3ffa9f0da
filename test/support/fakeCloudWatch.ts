import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../src/ports/clock.js';

type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface Alarm {
  state: State;
  reason: string;
  changedAt: number;
  history: { at: number; from: State; to: State; reason: string }[];
}

/**
 * CloudWatch alarms faked at the SDK client's send(): DescribeAlarms by names or by prefix (metric
 * alarms only unless AlarmTypes says otherwise, as CloudWatch does), and DescribeAlarmHistory's
 * StateUpdate items. Every change is stamped with the clock Capstan reads.
 */
export class FakeCloudWatch {
  readonly cw = mockClient(CloudWatchClient);
  readonly alarms = new Map<string, Alarm>();
  /** Called before each DescribeAlarms answers (to script a failure, or hang). */
  beforeDescribe: (() => void | Promise<void>) | undefined;

  constructor(private readonly clock: Clock) {
    this.cw.on(DescribeAlarmsCommand).callsFake(async (input: DescribeAlarmsCommand['input']) => {
      await this.beforeDescribe?.();
      if (!input.AlarmTypes?.includes('MetricAlarm')) return { MetricAlarms: [] };
      const wanted = [...this.alarms.keys()].filter((n) =>
        input.AlarmNames ? input.AlarmNames.includes(n) : n.startsWith(input.AlarmNamePrefix ?? ''),
      );
      return { MetricAlarms: wanted.map((n) => this.describe(n)), CompositeAlarms: [] };
    });
    this.cw.on(DescribeAlarmHistoryCommand).callsFake((input: DescribeAlarmHistoryCommand['input']) => {
      const a = this.alarms.get(input.AlarmName ?? '');
      const from = input.StartDate?.getTime() ?? 0;
      const items = (a?.history ?? [])
        .filter((h) => h.at >= from)
        .reverse()
        .map((h) => ({
          AlarmName: input.AlarmName,
          AlarmType: 'MetricAlarm' as const,
          Timestamp: new Date(h.at),
          HistoryItemType: 'StateUpdate' as const,
          HistorySummary: `Alarm updated from ${h.from} to ${h.to}`,
          HistoryData: JSON.stringify({
            version: '1.0',
            oldState: { stateValue: h.from },
            newState: { stateValue: h.to, stateReason: h.reason },
          }),
        }));
      return { AlarmHistoryItems: items };
    });
  }

  private describe(name: string): MetricAlarm {
    const a = this.alarms.get(name)!;
    return {
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
      StateValue: a.state,
      StateReason: a.reason,
      StateTransitionedTimestamp: new Date(a.changedAt),
      StateUpdatedTimestamp: new Date(a.changedAt),
    };
  }

  /** An alarm, or a change of its state now (kept in its history). */
  set(name: string, state: State, reason = `Threshold Crossed: state ${state}`): void {
    const now = this.clock.now();
    const a = this.alarms.get(name);
    if (!a) {
      this.alarms.set(name, { state, reason, changedAt: now - 3_600_000, history: [] });
      return;
    }
    if (a.state !== state) a.history.push({ at: now, from: a.state, to: state, reason });
    Object.assign(a, { state, reason, changedAt: now });
  }

  restore(): void {
    this.cw.restore();
  }
}
