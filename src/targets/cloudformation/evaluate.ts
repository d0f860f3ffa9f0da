import type { CfnFailedResource, CloudFormationFact } from '../../domain/facts/cloudformation.js';
import type { VerifyFact } from '../../domain/facts/verify.js';
import { mentionsAlarm } from '../shared/platformAlarms.js';
import type { ChangeSetInfo, StackEvent, StackInfo } from '../../ports/stacks.js';
import type { Observation } from '../strategy.js';
import type { StackTrack } from './schemas.js';

/**
 * Pure judgement of one look at the stack operation Capstan started, by identity: the events carrying
 * its token and, where they do not settle it, the ExecutionStatus of its change set. The stack's own
 * status may be somebody else's update. No AWS, no clock.
 */

const SUCCESS = new Set(['UPDATE_COMPLETE']);
const FAILURE = new Set([
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
]);
const STACK_TYPE = 'AWS::CloudFormation::Stack';
/** Events kept as seen: enough to never show one twice in a long operation. */
const SEEN_KEPT = 500;

export type StackObservation = Observation<StackTrack>;

/** One look at the stack: its description and its events, newest first, paged back to the execution. */
export interface StackLook {
  readonly stack: StackInfo;
  readonly events: readonly StackEvent[];
}

/** What the events of one look say, before the change set is asked. */
export interface EventsSeen {
  readonly track: StackTrack;
  readonly lines: readonly CloudFormationFact[];
  readonly moved: boolean;
  /** Events of Capstan's own operation, newest first. */
  readonly own: readonly StackEvent[];
  /** Stack-level events of operations since Capstan's own, newest first. */
  readonly later: readonly StackEvent[];
  readonly stackName: string;
}

const isStackLevel = (stackName: string) => (e: StackEvent) =>
  e.resourceType === STACK_TYPE && e.logicalId === stackName;

/** The first resource that failed, oldest first: the cause, not its consequences. */
export function firstFailure(events: readonly StackEvent[]): CfnFailedResource | undefined {
  const failed = [...events]
    .sort((a, b) => a.at - b.at)
    .find((e) => e.status.endsWith('_FAILED') && e.reason);
  return failed?.reason
    ? { logicalId: failed.logicalId, resourceType: failed.resourceType, reason: failed.reason }
    : undefined;
}

/** Sorts the events of a look into Capstan's own (new ones for the thread) and those of later operations. */
export function seeEvents(r: StackTrack, look: StackLook): EventsSeen {
  const { events } = look;
  // Tracks from before tokens were followed fall back on the time of execution.
  const mine = (e: StackEvent) =>
    r.token === undefined ? e.at >= r.executedAt - 1000 : e.clientRequestToken === r.token;
  const own = events.filter(mine);
  const seen = new Set(r.seenEvents);
  // Oldest first; events of the same millisecond keep the order AWS gave them.
  const fresh = own
    .filter((e) => !seen.has(e.id))
    .reverse()
    .sort((a, b) => a.at - b.at);
  const stackLevel = isStackLevel(look.stack.name);
  // Operations on the stack since Capstan's own (or since it executed, while none of its events shows).
  const newestOwn = events.findIndex(mine);
  const later = events
    .slice(0, newestOwn === -1 ? events.length : newestOwn)
    .filter((e) => stackLevel(e) && !mine(e) && (newestOwn !== -1 || e.at >= r.executedAt - 1000));
  return {
    track: { ...r, seenEvents: [...r.seenEvents, ...fresh.map((e) => e.id)].slice(-SEEN_KEPT) },
    lines: fresh.map(eventLine),
    // Resources created, updated or rolled back are progress; a resource that failed is not.
    moved: fresh.some((e) => !e.status.endsWith('_FAILED')),
    own,
    later,
    stackName: look.stack.name,
  };
}

function eventLine(e: StackEvent): CloudFormationFact {
  return {
    kind: 'cloudformation.resourceEvent',
    logicalId: e.logicalId,
    resourceType: e.resourceType,
    status: e.status,
    reason: e.reason,
  };
}

/** The outcome the events of Capstan's own operation settle, or undefined when the change set must say. */
export function judgeByEvents(r: StackTrack, seen: EventsSeen): StackObservation | undefined {
  // Events come newest first: Capstan's operation's latest word on the stack as a whole.
  const latest = seen.own.find(isStackLevel(seen.stackName));
  if (latest && SUCCESS.has(latest.status)) return succeeded(seen);
  if (latest && FAILURE.has(latest.status)) return failed(seen, 'stack', r.stack, latest.status);
  if (latest && seen.later.length === 0) return progress(seen);
  return undefined;
}

/**
 * When CloudFormation's monitoring window began, where the change set carries rollback triggers:
 * once every resource of Capstan's operation is deployed (each one's latest event *_COMPLETE), at
 * the latest of those, before the stack moved on to cleaning up or completing.
 */
export function monitoringFrom(r: StackTrack, seen: EventsSeen): number | undefined {
  if (!r.monitoring) return undefined;
  const stackLevel = isStackLevel(seen.stackName);
  // Newest first: what came before the stack reached its cleanup (or its end) is the update itself.
  const ended = seen.own.findLastIndex(
    (e) => stackLevel(e) && e.status !== 'UPDATE_IN_PROGRESS' && e.status !== 'CREATE_IN_PROGRESS',
  );
  const update = ended === -1 ? seen.own : seen.own.slice(ended + 1);
  const latest = new Map<string, StackEvent>();
  for (const e of update) if (!stackLevel(e) && !latest.has(e.logicalId)) latest.set(e.logicalId, e);
  const last = [...latest.values()];
  if (last.length === 0 || last.some((e) => !e.status.endsWith('_COMPLETE'))) return undefined;
  return Math.max(...last.map((e) => e.at));
}

/** The outcome by the change set Capstan executed (undefined: CloudFormation has deleted it). */
export function judgeByChangeSet(
  r: StackTrack,
  seen: EventsSeen,
  cs: ChangeSetInfo | undefined,
): StackObservation {
  switch (cs?.executionStatus) {
    case 'EXECUTE_COMPLETE':
      return succeeded(seen);
    case 'EXECUTE_FAILED':
      return failed(seen, 'changeSet', r.changeSetName, 'EXECUTE_FAILED', cs.statusReason);
    case 'EXECUTE_IN_PROGRESS':
      return progress(seen);
  }
  if (seen.later.length > 0 || cs?.executionStatus === 'OBSOLETE') {
    // The oldest of them is the operation that replaced Capstan's.
    const token = seen.later.at(-1)?.clientRequestToken;
    return {
      kind: 'superseded',
      data: seen.track,
      lines: seen.lines,
      by: token ? `stack update ${token}` : 'another stack update',
    };
  }
  return progress(seen);
}

function succeeded(seen: EventsSeen): StackObservation {
  const r = seen.track;
  const from = r.monitoringFrom ?? monitoringFrom(r, seen);
  // The rollback triggers were watched by CloudFormation from then: the bake counts that time.
  const watched = from !== undefined ? { by: 'CloudFormation', from } : undefined;
  return { kind: 'succeeded', data: seen.track, lines: seen.lines, ...(watched && { watched }) };
}

function progress(seen: EventsSeen): StackObservation {
  const r = seen.track;
  const from = r.monitoringFrom ?? monitoringFrom(r, seen);
  if (from === undefined || !r.monitoring)
    return { kind: 'progress', data: r, lines: seen.lines, moved: seen.moved };
  // CloudFormation's monitoring window: its own clock holds the update, said once in the thread.
  const first = r.monitoringFrom === undefined;
  const monitoring: VerifyFact = {
    kind: 'verify.platformMonitoring',
    platform: 'CloudFormation',
    alarms: [...r.monitoring.alarms],
    from,
    minutes: r.monitoring.minutes,
  };
  return {
    kind: 'progress',
    data: { ...r, monitoringFrom: from },
    lines: first ? [...seen.lines, monitoring] : seen.lines,
    moved: seen.moved || first,
    held: true,
  };
}

/** The rollback triggers a rollback's account names; all of them, unnamed, when it names none but no resource failed. */
function triggeredBy(
  r: StackTrack,
  account: string | undefined,
  firstFailed: CfnFailedResource | undefined,
): { alarms: string[]; named: boolean } | undefined {
  const alarms = r.monitoring?.alarms ?? [];
  if (alarms.length === 0) return undefined;
  const named = alarms.filter((a) => mentionsAlarm(account, a));
  if (named.length > 0) return { alarms: named, named: true };
  if (firstFailed === undefined && account !== undefined && /alarm|trigger/i.test(account))
    return { alarms: [...alarms], named: false };
  return undefined;
}

function failed(
  seen: EventsSeen,
  of: 'stack' | 'changeSet',
  name: string,
  status: string,
  stated?: string,
): StackObservation {
  // Capstan's operation's own account ("The following resource(s) failed to update: […]").
  const stackLevel = isStackLevel(seen.stackName);
  const account =
    seen.own.find((e) => stackLevel(e) && e.reason && /ROLLBACK|FAILED/.test(e.status))?.reason ?? stated;
  const first = firstFailure(seen.own);
  const triggered = triggeredBy(seen.track, account, first);
  return {
    kind: 'failed',
    data: seen.track,
    lines: seen.lines,
    reason: {
      kind: 'cloudformation.operationFailed',
      of,
      name,
      status,
      firstFailure: first,
      account,
      ...(triggered && { triggered }),
    },
    // CloudFormation has already put the stack back: there is nothing for Capstan to roll back.
    selfRollback: { kind: 'done' },
  };
}

/**
 * The token of the stack update that set the stack's LastUpdatedTime (`since`), when its events
 * carry one: who changed a stack under a reviewed change set.
 */
export function changedBy(
  events: readonly StackEvent[],
  stackName: string,
  since: number,
): string | undefined {
  const stackLevel = isStackLevel(stackName);
  // Newest first: the oldest stack-level event from `since` on started that update.
  return events.filter((e) => stackLevel(e) && e.at >= since).at(-1)?.clientRequestToken;
}
