import type { AwsEvent } from '../../targets/strategy.js';

/** The poke key that makes the tracker look at its bakes now (usecases/rollout/tracker.ts). */
export const BAKES_GROUP = 'verify:alarms';

/**
 * An alarm changed state (EventBridge `CloudWatch Alarm State Change`): the bakes are looked at now.
 * The event decides nothing; the look reads the alarms (and their history) from CloudWatch.
 */
export function alarmEventGroups(event: AwsEvent): readonly string[] {
  return event.source === 'aws.cloudwatch' && event.detailType === 'CloudWatch Alarm State Change'
    ? [BAKES_GROUP]
    : [];
}
