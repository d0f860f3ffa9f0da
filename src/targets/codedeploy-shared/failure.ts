import type {
  CodeDeployFact,
  CodeDeployFactOf,
  CodeDeployFailure,
  ErrorSaid,
} from '../../domain/facts/codedeploy.js';
import type { CodeDeployDeployment, DeploymentTarget } from '../../ports/codedeploy.js';
import type { Track } from './schemas.js';
import { mentionsAlarm } from '../shared/platformAlarms.js';
import { logTail } from '../../lib/text.js';

/** Why a deployment failed, as facts, from what was read of it: pure. */

/** Failing events shown. */
const FAILURE_LINES = 3;

type EventFailed = CodeDeployFactOf<'codedeploy.eventFailed'>;

/** Why a deployment failed: the `reason` and the facts to post. */
export interface Failure {
  readonly reason: CodeDeployFailure;
  readonly lines: readonly CodeDeployFact[];
}

export const stoppedByHand = (d: CodeDeployDeployment) => d.error?.code === 'MANUAL_STOP';

export function manualStop(d: CodeDeployDeployment): Failure {
  return {
    reason: { kind: 'codedeploy.stoppedByHand', deploymentId: d.id },
    lines: [{ kind: 'codedeploy.manualStop', deploymentId: d.id }],
  };
}

/** CodeDeploy stopped it on one of the group's alarms (ALARM_ACTIVE): `groupAlarms` as the group lists them. */
export const stoppedOnAlarm = (d: CodeDeployDeployment) => d.error?.code === 'ALARM_ACTIVE';

export function alarmStop(d: CodeDeployDeployment, groupAlarms: readonly string[]): Failure {
  const message = d.error?.message;
  const named = groupAlarms.filter((a) => mentionsAlarm(message, a));
  const reason: CodeDeployFact & { kind: 'codedeploy.alarmStopped' } = {
    kind: 'codedeploy.alarmStopped',
    deploymentId: d.id,
    alarms: named.length > 0 ? named : [...groupAlarms],
    ...(message !== undefined && { message }),
  };
  return { reason, lines: [reason] };
}

/** The failing lifecycle event of one target, with its diagnostics; undefined when none failed. */
export function failedEvent(target: DeploymentTarget): EventFailed | undefined {
  const ev = target.lifecycleEvents.find((x) => x.status === 'Failed');
  if (!ev) return undefined;
  const diag = ev.diagnostics;
  const log = logTail(diag?.logTail);
  return {
    kind: 'codedeploy.eventFailed',
    event: ev.name,
    target: target.id,
    errorCode: diag?.errorCode,
    message: diag?.message,
    scriptName: diag?.scriptName,
    log: log || undefined,
  };
}

function ended(d: CodeDeployDeployment): CodeDeployFactOf<'codedeploy.ended'> {
  return {
    kind: 'codedeploy.ended',
    deploymentId: d.id,
    status: d.status,
    error: d.error && { code: d.error.code, message: d.error.message },
    statusMessage: d.statusMessages[0],
  };
}

/** A failure from the deployment's error and its failing events; `unread`: why those could not be read. */
export function failure(
  d: CodeDeployDeployment,
  events: readonly EventFailed[],
  unread?: ErrorSaid,
): Failure {
  const end = ended(d);
  const shown = events.slice(0, FAILURE_LINES);
  return {
    reason: { kind: 'codedeploy.failure', ended: end, event: shown[0] },
    lines: [
      end,
      ...shown,
      ...(unread !== undefined ? [{ kind: 'codedeploy.targetsUnread' as const, error: unread }] : []),
    ],
  };
}

/** The failure already posted while waiting for a rollback, or undefined when it is still to be read. */
export const knownFailure = (track: Track): Failure | undefined =>
  track.reason !== undefined ? { reason: track.reason, lines: [] } : undefined;
