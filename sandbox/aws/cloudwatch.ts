import { AwsError } from './errors.js';
import { ACCOUNT, REGION, type SimEcs } from './ecs.js';

type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface SimAlarm {
  readonly name: string;
  /** The ECS service whose load balancer the alarm's metric comes from. */
  readonly service: string;
  readonly metric: 'HTTPCode_Target_5XX_Count' | 'TargetResponseTime';
  readonly threshold: number;
  state: State;
  reason: string;
  updatedAt: Date;
  transitionedAt: Date;
  /** Datapoints in a row on the other side of the threshold (the evaluation periods). */
  streak: number;
}

interface HistoryItem {
  readonly AlarmName: string;
  readonly AlarmType: 'MetricAlarm';
  readonly Timestamp: Date;
  readonly HistoryItemType: 'StateUpdate';
  readonly HistorySummary: string;
  readonly HistoryData: string;
}

/** Datapoints over the threshold before OK → ALARM, and under it before ALARM → OK. */
const TO_ALARM = 3;
const TO_OK = 2;
const seconds = (d: Date) => d.getTime() / 1000;

/**
 * CloudWatch for the sandbox: metric alarms on the load balancer of ECS services where a broken build
 * starts (`latent` services). Each tick is one datapoint: a completed rollout of a broken build answers
 * 5XX, and after three such datapoints its 5XX alarm goes to ALARM, a few seconds after the rollout
 * succeeded; two clean datapoints (a good version running again) put it back to OK. Latency alarms
 * stay OK. Every state change is kept in the alarm's history, as DescribeAlarmHistory reads it.
 *
 * The reasons leave out the datapoints' times that CloudWatch writes into them.
 */
export class SimCloudWatch {
  readonly alarms: SimAlarm[] = [];
  readonly history: HistoryItem[] = [];

  constructor(private readonly ecs: SimEcs) {
    const since = new Date(Date.now() - 86_400_000);
    for (const env of ['live', 'watched']) {
      const service = `todobackend-${env}`;
      ecs.addService(service, true);
      for (const [suffix, metric, threshold] of [
        ['5xx', 'HTTPCode_Target_5XX_Count', 5],
        ['latency', 'TargetResponseTime', 0.5],
      ] as const)
        this.alarms.push({
          name: `todobackend-${env}-${suffix}`,
          service,
          metric,
          threshold,
          state: 'OK',
          reason: 'Threshold Crossed: no datapoints were greater than the threshold.',
          updatedAt: since,
          transitionedAt: since,
          streak: 0,
        });
    }
  }

  /** One datapoint for every alarm. */
  tick(): void {
    for (const a of this.alarms) {
      const running = this.ecs.running(a.service);
      const failing =
        a.metric === 'HTTPCode_Target_5XX_Count' && !!running?.completed && !!running.image?.broken;
      const crossing = failing !== (a.state === 'ALARM');
      a.streak = crossing ? a.streak + 1 : 0;
      if (failing && a.state !== 'ALARM' && a.streak >= TO_ALARM)
        this.set(
          a,
          'ALARM',
          `Threshold Crossed: ${TO_ALARM} out of the last ${TO_ALARM} datapoints [41.0, 38.0, 44.0] were greater than the threshold (${a.threshold}.0) (minimum ${TO_ALARM} datapoints for OK -> ALARM transition).`,
        );
      else if (!failing && a.state === 'ALARM' && a.streak >= TO_OK)
        this.set(
          a,
          'OK',
          `Threshold Crossed: ${TO_OK} out of the last ${TO_OK} datapoints [0.0, 0.0] were not greater than the threshold (${a.threshold}.0) (minimum ${TO_OK} datapoints for ALARM -> OK transition).`,
        );
    }
  }

  /** Puts an alarm in a state, as SetAlarmState does (the sandbox's tests use it). */
  set(a: SimAlarm, state: State, reason: string): void {
    const old = { stateValue: a.state, stateReason: a.reason };
    const at = new Date();
    a.updatedAt = at;
    if (a.state !== state) a.transitionedAt = at;
    a.state = state;
    a.reason = reason;
    a.streak = 0;
    this.history.unshift({
      AlarmName: a.name,
      AlarmType: 'MetricAlarm',
      Timestamp: at,
      HistoryItemType: 'StateUpdate',
      HistorySummary: `Alarm updated from ${old.stateValue} to ${state}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: old,
        newState: { stateValue: state, stateReason: reason },
      }),
    });
  }

  alarm(name: string): SimAlarm | undefined {
    return this.alarms.find((a) => a.name === name);
  }

  // --- API operations, by their wire names (AWS JSON 1.0; timestamps in epoch seconds) ---

  DescribeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string; AlarmTypes?: string[] }) {
    if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined)
      throw new AwsError(
        'InvalidParameterCombination',
        'AlarmNamePrefix and AlarmNames cannot be specified together.',
      );
    if ((input.AlarmNames?.length ?? 0) > 100)
      throw new AwsError(
        'InvalidParameterValue',
        'The collection AlarmNames must not have a size greater than 100.',
      );
    // Without AlarmTypes CloudWatch returns metric alarms only; the sandbox has no composite ones.
    const metric = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
    const matched = this.alarms.filter(
      (a) =>
        metric &&
        (input.AlarmNames?.length
          ? input.AlarmNames.includes(a.name)
          : a.name.startsWith(input.AlarmNamePrefix ?? '')),
    );
    return {
      MetricAlarms: matched.map((a) => ({
        AlarmName: a.name,
        AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${a.name}`,
        ActionsEnabled: true,
        StateValue: a.state,
        StateReason: a.reason,
        StateUpdatedTimestamp: seconds(a.updatedAt),
        StateTransitionedTimestamp: seconds(a.transitionedAt),
        MetricName: a.metric,
        Namespace: 'AWS/ApplicationELB',
        Statistic: a.metric === 'TargetResponseTime' ? 'Average' : 'Sum',
        Dimensions: [{ Name: 'TargetGroup', Value: `targetgroup/${a.service}/0123456789abcdef` }],
        Period: 60,
        EvaluationPeriods: TO_ALARM,
        DatapointsToAlarm: TO_ALARM,
        Threshold: a.threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      })),
      CompositeAlarms: [],
    };
  }

  DescribeAlarmHistory(input: {
    AlarmName?: string;
    HistoryItemType?: string;
    StartDate?: number;
    EndDate?: number;
    ScanBy?: string;
  }) {
    const items = this.history.filter(
      (h) =>
        (input.AlarmName === undefined || h.AlarmName === input.AlarmName) &&
        (input.HistoryItemType === undefined || h.HistoryItemType === input.HistoryItemType) &&
        (input.StartDate === undefined || seconds(h.Timestamp) >= input.StartDate) &&
        (input.EndDate === undefined || seconds(h.Timestamp) <= input.EndDate),
    );
    const ordered = input.ScanBy === 'TimestampAscending' ? [...items].reverse() : items;
    return { AlarmHistoryItems: ordered.map((h) => ({ ...h, Timestamp: seconds(h.Timestamp) })) };
  }
}
