import { createHash } from 'node:crypto';
import type { BeanstalkTarget } from '../../domain/catalog.js';
import type { BeanstalkFact } from '../../domain/facts/beanstalk.js';
import type { BeanstalkEnvironment, BeanstalkEvent } from '../../ports/beanstalk.js';
import type { Observation } from '../strategy.js';
import { fingerprint, refOf } from './environment.js';
import type { BeanstalkTrack } from './schemas.js';

/** Capstan's clock and AWS's may disagree: look back this far for the update's own events. */
const CLOCK_SKEW_MS = 60_000;
const LINES_PER_LOOK = 15;
const REASON_CHARS = 300;
const ERROR_SEVERITIES = new Set(['ERROR', 'FATAL']);
/** Health from worst to best: only a step up is progress. */
const HEALTH_RANK: Readonly<Record<string, number>> = { Grey: 0, Red: 1, Yellow: 2, Green: 3 };

/** One look at one environment: what DescribeEnvironments and DescribeEvents answered. */
export interface BeanstalkLook {
  readonly target: BeanstalkTarget;
  readonly phase: 'rollout' | 'rollback';
  readonly track: BeanstalkTrack;
  readonly environment: BeanstalkEnvironment;
  /** The environment's events from `eventsSince(track)`, oldest first. */
  readonly events: readonly BeanstalkEvent[];
}

type Judged<K extends Observation['kind']> = Extract<Observation<BeanstalkTrack>, { kind: K }>;

/** The judgement of a look. Superseded names the label: its tag is a read away (observe.ts). */
export type BeanstalkJudgement =
  | Judged<'progress' | 'succeeded' | 'failed'>
  | {
      readonly kind: 'superseded';
      readonly data: BeanstalkTrack;
      readonly lines: readonly BeanstalkFact[];
      readonly label: string | undefined;
    };

/** A terminated environment is as good as gone: no update of it can end well. */
export const isGone = (e: BeanstalkEnvironment): boolean =>
  e.status === 'Terminated' || e.status === 'Terminating';

/** What the environment's absence says. */
export const goneWhat = (t: BeanstalkTarget, e: BeanstalkEnvironment | undefined): BeanstalkFact => ({
  kind: 'beanstalk.environmentGone',
  ...refOf(t),
  status: e?.status,
});

/** Where the next look reads events from: after the last one seen, or a little before the update. */
export const eventsSince = (track: BeanstalkTrack): number => track.cursor ?? track.since - CLOCK_SKEW_MS;

const messageKey = (ev: BeanstalkEvent) => createHash('sha1').update(ev.message).digest('hex').slice(0, 8);
const eventKey = (ev: BeanstalkEvent) =>
  createHash('sha1').update(`${ev.at}|${ev.severity}|${ev.message}`).digest('hex').slice(0, 10);
const isError = (ev: BeanstalkEvent) => ERROR_SEVERITIES.has(ev.severity);
const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

const eventLine = (ev: BeanstalkEvent): BeanstalkFact => ({
  kind: 'beanstalk.event',
  at: ev.at,
  severity: ev.severity,
  message: ev.message,
});

/** The events of the look not shown before, the track they leave, and whether anything moved. */
export function follow(look: BeanstalkLook): {
  data: BeanstalkTrack;
  lines: BeanstalkFact[];
  moved: boolean;
} {
  const { track, environment: e, events } = look;
  const seen = new Set(track.seen ?? []);
  // Ours: the update's request id, or anything after it started; older events belong to earlier changes.
  const ours = (ev: BeanstalkEvent) => track.requestId !== undefined && ev.requestId === track.requestId;
  const fresh = events.filter((ev) => !seen.has(eventKey(ev)) && (ours(ev) || ev.at >= track.since));
  const cursor = events.reduce((m, ev) => Math.max(m, ev.at), track.cursor ?? 0) || undefined;
  const atCursor = events.filter((ev) => ev.at === cursor).map(eventKey);
  const firstError = fresh.find(isError);
  // Only what moves the update forward is progress: a new status or label, better health, news
  // in INFO events. Warnings, errors and the same words again are not, so a stalled update meets
  // its deadline.
  const said = new Set(track.said ?? []);
  const news = fresh.filter((ev) => !isError(ev) && ev.severity !== 'WARN' && !said.has(messageKey(ev)));
  const [status, health, , label] = (track.look ?? '').split('|');
  const moved =
    track.look === undefined ||
    e.status !== status ||
    (e.versionLabel ?? '') !== label ||
    (HEALTH_RANK[e.health ?? ''] ?? 0) > (HEALTH_RANK[health ?? ''] ?? 0) ||
    news.length > 0;
  const data: BeanstalkTrack = {
    ...track,
    cursor,
    seen: [...new Set([...(cursor === track.cursor ? (track.seen ?? []) : []), ...atCursor])].slice(-20),
    look: fingerprint(e),
    // Events can be newer than DescribeEnvironments: only the environment itself, or the
    // update's own completion event, shows that a Ready environment is past the update.
    begun:
      track.begun ||
      e.status !== 'Ready' ||
      (e.updatedAt ?? 0) >= track.since ||
      (e.versionLabel === track.label && track.label !== track.previousLabel) ||
      fresh.some((ev) => ours(ev) && /complete/i.test(ev.message)),
    failure: track.failure ?? (firstError ? truncate(firstError.message, REASON_CHARS) : undefined),
    said: [...said, ...news.map(messageKey)].slice(-30),
  };
  const lines = fresh.slice(-LINES_PER_LOOK).map(eventLine);
  if (fresh.length > LINES_PER_LOOK)
    lines.unshift({ kind: 'beanstalk.eventsOmitted', count: fresh.length - LINES_PER_LOOK });
  return { data, lines, moved };
}

/** Judges one look at a live environment by the version label Capstan deployed. */
export function evaluate(look: BeanstalkLook): BeanstalkJudgement {
  const { data, lines, moved } = follow(look);
  const { environment: e, target: t } = look;
  // Beanstalk refuses another update until this one ends: judge only a Ready environment.
  if (e.status !== 'Ready' || !data.begun) return { kind: 'progress', data, lines, moved };
  const label = e.versionLabel;
  const isPrevious = label !== undefined && label === data.previousLabel && data.previousLabel !== data.label;
  if (label !== data.label && !isPrevious) return { kind: 'superseded', data, lines, label };
  // Capstan's own rollback redeploys the previous label: going "back" to it there is no revert.
  const revert = isPrevious && look.phase === 'rollout';
  const failed = (reason: BeanstalkFact): BeanstalkJudgement => {
    if (!revert) return { kind: 'failed', data, lines, reason };
    const back: BeanstalkFact = { kind: 'beanstalk.putBack', environment: t.environment, label: label ?? '' };
    return {
      kind: 'failed',
      data,
      lines: [...lines, back],
      reason,
      selfRollback: { kind: 'done', runsNow: data.previousTag ?? label },
    };
  };
  if (data.failure !== undefined) return failed({ kind: 'beanstalk.updateError', message: data.failure });
  if (isPrevious) {
    return failed({
      kind: 'beanstalk.revertedSilently',
      environment: t.environment,
      label: label ?? '',
      deployed: data.label,
    });
  }
  if (e.health === 'Red' || e.healthStatus === 'Severe') {
    return failed({
      kind: 'beanstalk.unhealthy',
      environment: t.environment,
      label: data.label,
      health: e.health,
      healthStatus: e.healthStatus,
    });
  }
  const healthy =
    e.health === 'Green' && (e.healthStatus === undefined || ['Ok', 'Info'].includes(e.healthStatus));
  return healthy ? succeeded(data, lines) : { kind: 'progress', data, lines, moved };
}

function succeeded(data: BeanstalkTrack, lines: readonly BeanstalkFact[]): BeanstalkJudgement {
  return { kind: 'succeeded', data, lines };
}
