import {
  CloudWatchClient,
  type CompositeAlarm,
  type MetricAlarm,
  paginateDescribeAlarmHistory,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import { ALARM_STATES, type AlarmReading, type AlarmState, alarmPrefix } from '../../domain/verify.js';
import type { Alarms } from '../../ports/alarms.js';
import { perRegion } from './clients.js';
import { call } from './errors.js';

/** DescribeAlarms takes at most 100 names a call. */
const NAMES_PER_CALL = 100;
/** Without AlarmTypes, DescribeAlarms returns metric alarms only. */
const ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm'] as const;

function reading(a: MetricAlarm | CompositeAlarm): AlarmReading | undefined {
  if (!a.AlarmName) return undefined;
  const state = ALARM_STATES.find((s) => s === a.StateValue) ?? 'INSUFFICIENT_DATA';
  return {
    name: a.AlarmName,
    state: state satisfies AlarmState,
    reason: a.StateReason,
    changedAt: (a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp)?.getTime(),
    arn: a.AlarmArn,
    ...('AlarmRule' in a && { composite: true }),
  };
}

/** What a StateUpdate history item's HistoryData says it went to, when it can be read. */
function newState(data: string | undefined): { value?: string; reason?: string } {
  try {
    const d = JSON.parse(data ?? '{}') as { newState?: { stateValue?: unknown; stateReason?: unknown } };
    const value = d.newState?.stateValue;
    const reason = d.newState?.stateReason;
    return {
      ...(typeof value === 'string' && { value }),
      ...(typeof reason === 'string' && { reason }),
    };
  } catch {
    return {};
  }
}

type Client = (region: string) => CloudWatchClient;

export function createCloudWatchAdapter(
  client: Client = perRegion((region, credentials) => new CloudWatchClient({ region, credentials })),
): Alarms {
  return {
    describe: (region, patterns) => describeAlarms(client, region, patterns),

    async enteredAlarm(region, name, since) {
      return call(
        { action: 'cloudwatch:DescribeAlarmHistory', resource: `alarm ${name}`, region },
        async () => {
          const pages = paginateDescribeAlarmHistory(
            { client: client(region) },
            {
              AlarmName: name,
              AlarmTypes: [...ALARM_TYPES],
              HistoryItemType: 'StateUpdate',
              StartDate: new Date(since),
              ScanBy: 'TimestampDescending',
            },
          );
          for await (const page of pages)
            for (const item of page.AlarmHistoryItems ?? []) {
              const to = newState(item.HistoryData);
              if (to.value === 'ALARM' && item.Timestamp)
                return { at: item.Timestamp.getTime(), reason: to.reason };
            }
          return undefined;
        },
      );
    },
  };
}

/** The alarms named or matched by a `prefix*` pattern, each once, by name. */
async function describeAlarms(
  client: Client,
  region: string,
  patterns: readonly string[],
): Promise<AlarmReading[]> {
  const inputs = describeInputs(patterns);
  const found = new Map<string, AlarmReading>();
  for (const input of inputs) {
    await call(
      {
        action: 'cloudwatch:DescribeAlarms',
        resource: `alarms ${input.AlarmNames?.join(', ') ?? `${input.AlarmNamePrefix}*`}`,
        region,
      },
      async () => {
        const pages = paginateDescribeAlarms(
          { client: client(region) },
          { ...input, AlarmTypes: [...ALARM_TYPES] },
        );
        for await (const page of pages)
          for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            const r = reading(a);
            if (r) found.set(r.name, r);
          }
      },
    );
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** DescribeAlarms calls: the names in batches of NAMES_PER_CALL, then one call per prefix. */
function describeInputs(patterns: readonly string[]): { AlarmNames?: string[]; AlarmNamePrefix?: string }[] {
  const names = patterns.filter((p) => alarmPrefix(p) === undefined);
  const prefixes = patterns.flatMap((p) => alarmPrefix(p) ?? []);
  return [
    ...Array.from({ length: Math.ceil(names.length / NAMES_PER_CALL) }, (_, i) => ({
      AlarmNames: names.slice(i * NAMES_PER_CALL, (i + 1) * NAMES_PER_CALL),
    })),
    ...prefixes.map((AlarmNamePrefix) => ({ AlarmNamePrefix })),
  ];
}
