import type { CodeDeployGroupTarget } from '../../domain/catalog.js';
import type { CodeDeployFact } from '../../domain/facts/codedeploy.js';
import type { AutoRollback, CodeDeployDeployment } from '../../ports/codedeploy.js';
import type { Observation } from '../strategy.js';
import type { Failure } from './failure.js';
import type { Track } from './schemas.js';
import { progressOf } from './started.js';

/**
 * Pure judgement of one look at a CodeDeploy deployment: no AWS, no clock (`now` is an argument).
 * observe.ts reads what each step needs, only when it needs it, and hands it here.
 */

/** How long a failed deployment may wait for the automatic rollback its group promises before Capstan acts. */
export const ROLLBACK_GRACE_MS = 90_000;

type Judged = Observation<Track>;

/** What one look saw, against what the previous looks saw. */
export interface Look {
  /** The tracking data carried forward: what this look saw, and the best progress so far. */
  readonly track: Track;
  readonly moved: boolean;
  readonly statusChanged: boolean;
  /** The deployment is CodeDeploy's own rollback, which Capstan follows. */
  readonly rollback: boolean;
}

export function fingerprint(d: CodeDeployDeployment): string {
  const o = d.overview;
  return [d.status, o.pending, o.inProgress, o.succeeded, o.failed, o.skipped, o.ready].join('|');
}

/** How far forward a deployment is: targets done count twice, targets being deployed once. */
export function forward(d: CodeDeployDeployment): number {
  const o = d.overview;
  return 2 * (o.succeeded + o.skipped + o.ready) + o.inProgress;
}

export function lookAt(d: CodeDeployDeployment, track: Track): Look {
  const statusChanged = d.status !== track.seen?.split('|')[0];
  // Only what moves the deployment forward is progress: a new stage, targets starting or done.
  // Failed targets and looks that repeat what was seen are not, so a stalled deployment meets its deadline.
  const best = track.best ?? 0;
  return {
    track: { ...track, seen: fingerprint(d), best: Math.max(best, forward(d)) },
    moved: statusChanged || forward(d) > best,
    statusChanged,
    rollback: track.rollbackOf !== undefined,
  };
}

/** CodeDeploy does not know the deployment: say what is gone, most often the whole group with its deployments. */
export function gone(t: CodeDeployGroupTarget, track: Track, groupExists: boolean): Judged {
  return {
    kind: 'missing',
    data: track,
    lines: [],
    what: groupExists
      ? { kind: 'codedeploy.deploymentGone', deploymentId: track.deploymentId, region: t.region }
      : {
          kind: 'codedeploy.groupGone',
          group: t.deploymentGroup,
          application: t.application,
          region: t.region,
        },
  };
}

export const hasEnded = (d: CodeDeployDeployment) => d.status === 'Failed' || d.status === 'Stopped';

/**
 * A deployment that has not failed: succeeded, ready to reroute traffic, or on its way. `version`:
 * what a success runs; `now`: when this look was made (a Ready wait's end is counted from it).
 */
export function judgeActive(
  d: CodeDeployDeployment,
  look: Look,
  version: string | undefined,
  now?: number,
): Judged {
  const { track, moved, statusChanged, rollback } = look;
  if (d.status === 'Succeeded') {
    const runsAgain = track.rollbackOf ? version : undefined;
    return {
      kind: 'succeeded',
      data: track,
      lines: [
        { kind: 'codedeploy.succeeded', deploymentId: d.id, rollback, progress: progressOf(d), runsAgain },
      ],
    };
  }
  if (d.status === 'Ready') return ready(d, look, now);
  if (d.terminationWaitStarted) {
    // Traffic is on the new version; CodeDeploy only keeps the original around for a while.
    return {
      kind: 'succeeded',
      data: track,
      lines: [{ kind: 'codedeploy.trafficRerouted', deploymentId: d.id, rollback }],
    };
  }
  return {
    kind: 'progress',
    data: track,
    moved,
    progress: progressOf(d),
    lines: statusChanged
      ? [
          {
            kind: 'codedeploy.status',
            deploymentId: d.id,
            rollback,
            status: d.status,
            progress: progressOf(d),
          },
        ]
      : [],
  };
}

/**
 * CodeDeploy counts the group's waitTimeInMinutes from the moment the deployment became Ready, which
 * none of its answers gives (GetDeployment has no such time). The look that first sees it Ready
 * bounds it: it became Ready then or before, so the wait ends `stopsBy` at the latest.
 */
function ready(
  d: CodeDeployDeployment,
  { track, moved, statusChanged, rollback }: Look,
  now?: number,
): Judged {
  const opt = d.readyOption;
  const stops = opt?.actionOnTimeout === 'STOP_DEPLOYMENT' ? opt.waitMinutes : undefined;
  const seenAt = track.readySeenAt ?? (statusChanged ? now : undefined);
  const stopsBy = stops !== undefined && seenAt !== undefined ? seenAt + stops * 60_000 : undefined;
  return {
    kind: 'progress',
    data: seenAt !== undefined ? { ...track, readySeenAt: seenAt } : track,
    moved,
    progress: progressOf(d),
    // Words the core's use cases and views still take as text (issue 17): kept as it is.
    waiting: 'waiting to reroute traffic',
    waitingUntil: stopsBy,
    lines: statusChanged
      ? [
          {
            kind: 'codedeploy.ready',
            deploymentId: d.id,
            rollback,
            stopsAfterMinutes: stops,
            ...(stopsBy !== undefined ? { stopsBy } : {}),
          },
        ]
      : [],
  };
}

/** CodeDeploy started its own rollback of Capstan's rollout: Capstan follows it and starts none. */
export function followSelfRollback(
  phase: 'rollout' | 'rollback',
  d: CodeDeployDeployment,
  track: Track,
  f: Failure,
): Judged | undefined {
  const rollbackId = d.rollback?.deploymentId;
  if (!rollbackId) return undefined;
  if (phase === 'rollback' && track.stoppedToRollBack) {
    // Capstan stopped it for CodeDeploy to roll back (a bake's alarm): the rollback look follows that.
    return {
      kind: 'progress',
      data: { deploymentId: rollbackId, rollbackOf: d.id },
      moved: true,
      lines: [{ kind: 'codedeploy.rollingBackItself', rollbackId }],
    };
  }
  if (phase !== 'rollout') return undefined;
  return {
    kind: 'failed',
    data: track,
    reason: f.reason,
    lines: [...f.lines, { kind: 'codedeploy.rollingBackItself', rollbackId }],
    selfRollback: { kind: 'following', data: { deploymentId: rollbackId, rollbackOf: d.id } },
  };
}

/** What CodeDeploy says about a rollback it has not started, the first time the failure is seen. */
export function rollbackMessage(
  phase: 'rollout' | 'rollback',
  d: CodeDeployDeployment,
  track: Track,
): CodeDeployFact[] {
  // What this message says when a rollback is merely late is not documented: it only informs.
  return phase === 'rollout' && d.rollback?.message && track.reason === undefined
    ? [{ kind: 'codedeploy.rollbackNote', message: d.rollback.message }]
    : [];
}

/** CodeDeploy rolls a deployment back by itself after this ending. */
export function rollbackEventFor(d: CodeDeployDeployment): string {
  if (d.status === 'Failed') return 'DEPLOYMENT_FAILURE';
  return d.error?.code === 'ALARM_ACTIVE' ? 'DEPLOYMENT_STOP_ON_ALARM' : 'DEPLOYMENT_STOP_ON_REQUEST';
}

export function promisesRollback(d: CodeDeployDeployment, config: AutoRollback | undefined): boolean {
  return config?.enabled === true && config.events.includes(rollbackEventFor(d));
}

/**
 * The group promises a rollback that has not started yet: a rollback by Capstan now would race it,
 * so the rollout waits a little (progress), or, once that wait is over, undefined.
 */
export function waitForRollback(
  a: {
    readonly d: CodeDeployDeployment;
    readonly look: Look;
    readonly failure: Failure;
    readonly lines: readonly CodeDeployFact[];
    readonly timeoutMs: number;
  },
  now: number,
): Extract<Judged, { kind: 'progress' }> | undefined {
  const { track, moved } = a.look;
  const failedAt = track.failedAt ?? now;
  if (now - failedAt >= Math.min(ROLLBACK_GRACE_MS, a.timeoutMs / 2)) return undefined;
  return {
    kind: 'progress',
    data: { ...track, failedAt, reason: a.failure.reason },
    moved,
    progress: progressOf(a.d),
    lines: track.reason === undefined ? [...a.lines, { kind: 'codedeploy.awaitingRollback' }] : [],
  };
}

export const rollbackNeverStarted = (d: CodeDeployDeployment): CodeDeployFact => ({
  kind: 'codedeploy.rollbackNeverStarted',
  deploymentId: d.id,
});

/** The deployments that are Capstan's own in this rollout: the deployment and what it rolls back. */
export const oursOf = (d: CodeDeployDeployment, track: Track): ReadonlySet<string> =>
  new Set([d.id, ...(track.rollbackOf ? [track.rollbackOf] : [])]);

/** The last word on a deployment that failed: replaced by someone else's (`by`), or failed. */
export function concluded(
  phase: 'rollout' | 'rollback',
  d: CodeDeployDeployment,
  track: Track,
  f: Failure,
  lines: readonly CodeDeployFact[],
  by: string | undefined,
): Judged {
  if (by) return { kind: 'superseded', data: track, lines, by };
  const rollbackId = d.rollback?.deploymentId;
  const also: CodeDeployFact[] =
    phase === 'rollback' && rollbackId ? [{ kind: 'codedeploy.rollbackRolledBack', rollbackId }] : [];
  return { kind: 'failed', data: track, lines: [...lines, ...also], reason: f.reason };
}
