import type { Deployment } from '../../domain/deployment.js';

/**
 * DORA's delivery figures for one environment, computed from its ledger (dora.dev, 2024 set).
 * "Deploys" are the entries that changed something: deploys, releases and rollbacks that ran to an
 * outcome. Entries whose outcome is unknown are counted apart, never guessed at.
 */
export interface Window {
  readonly from: number;
  readonly to: number;
}

export interface WeekCount {
  readonly start: number;
  readonly deploys: number;
  readonly failures: number;
}

export interface DeliveryFigures {
  readonly deploys: number;
  readonly unknownOutcome: number;
  /** Change lead time, image push → verified, of the verified changes whose push time is known. */
  readonly leadTime: {
    readonly medianMs?: number | undefined;
    readonly p90Ms?: number | undefined;
    readonly measured: number;
    readonly verified: number;
  };
  readonly changeFail: { readonly failed: number; readonly of: number };
  /** Failure → next verified deploy; `open`: failures not yet followed by one. */
  readonly recovery: {
    readonly medianMs?: number | undefined;
    readonly recovered: number;
    readonly open: number;
  };
  readonly rework: { readonly rework: number; readonly of: number };
  readonly weeks: readonly WeekCount[];
}

export const DAY_MS = 86_400_000;
export const ROLLBACK_FOLLOWS_MS = DAY_MS;

const RAN = new Set(['succeeded', 'verified', 'failed', 'rolled_back', 'rollback_failed']);
const FAILED = new Set(['failed', 'rolled_back', 'rollback_failed']);

const ended = (d: Deployment) => d.finishedAt ?? d.updatedAt;

export function median(values: readonly number[]): number | undefined {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest rank: the smallest value at or above which 90 % of the values lie. */
export function p90(values: readonly number[]): number | undefined {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.ceil(0.9 * s.length) - 1];
}

/**
 * @param entries one environment's ledger, any order; may reach past the window (lookups use it all).
 * @param isVerified whether an entry counts as verified in this environment (countsAsVerified).
 */
export function deliveryFigures(
  entries: readonly Deployment[],
  window: Window,
  isVerified: (d: Deployment) => boolean,
): DeliveryFigures {
  const ran = entries.filter((d) => RAN.has(d.state)).sort((a, b) => a.createdAt - b.createdAt);
  const inWindow = (d: Deployment) => d.createdAt >= window.from && d.createdAt < window.to;
  const counted = ran.filter(inWindow);

  const failedAt = failureTimes(ran);

  const leads = counted
    .filter((d) => d.kind !== 'rollback' && isVerified(d))
    .map((d) => (d.imagePushedAt === undefined ? undefined : ended(d) - d.imagePushedAt));
  const measuredLeads = leads.filter((x): x is number => x !== undefined && x >= 0);

  const failures = counted.filter((d) => failedAt(d) !== undefined);
  const recoveries = recoveryTimes(ran, failures, failedAt, isVerified);

  // Unplanned work: every rollback, and the deploy that comes next after a failure (a fix forward).
  const rework = counted.filter((d) => {
    if (d.kind === 'rollback') return true;
    const before = ran[ran.indexOf(d) - 1];
    return before !== undefined && failedAt(before) !== undefined;
  });

  const weeks = weeklyCounts(counted, window, failedAt);

  return {
    deploys: counted.length,
    unknownOutcome: entries.filter((d) => d.state === 'outcome_unknown' && inWindow(d)).length,
    leadTime: {
      medianMs: median(measuredLeads),
      p90Ms: p90(measuredLeads),
      measured: measuredLeads.length,
      verified: leads.length,
    },
    changeFail: { failed: failures.length, of: counted.length },
    recovery: {
      medianMs: median(recoveries),
      recovered: recoveries.length,
      open: failures.length - recoveries.length,
    },
    rework: { rework: rework.length, of: counted.length },
    weeks,
  };
}

type FailedAt = (d: Deployment) => number | undefined;

/** When each entry that ran failed: its end when it failed, else when a rollback undid it; undefined if neither. */
function failureTimes(ran: readonly Deployment[]): FailedAt {
  /** The rollback that undid `d`: the next entry that ran, a rollback started within 24 h of its end. */
  const undoneBy = (d: Deployment): Deployment | undefined => {
    const next = ran[ran.indexOf(d) + 1];
    if (next?.kind !== 'rollback' || next.createdAt < ended(d)) return undefined;
    return next.createdAt - ended(d) <= ROLLBACK_FOLLOWS_MS ? next : undefined;
  };
  return (d) => {
    if (FAILED.has(d.state)) return ended(d);
    return undoneBy(d)?.createdAt;
  };
}

/** For each failure recovered from: the time until the next verified entry ended. */
function recoveryTimes(
  ran: readonly Deployment[],
  failures: readonly Deployment[],
  failedAt: FailedAt,
  isVerified: (d: Deployment) => boolean,
): number[] {
  const recoveries: number[] = [];
  for (const f of failures) {
    const at = failedAt(f)!;
    const back = ran.find((e) => e !== f && ended(e) >= at && e.createdAt >= f.createdAt && isVerified(e));
    if (back) recoveries.push(ended(back) - at);
  }
  return recoveries;
}

/** Deploys and failures of each week of the window, the first week starting where the window does. */
function weeklyCounts(counted: readonly Deployment[], window: Window, failedAt: FailedAt): WeekCount[] {
  const weekCount = Math.max(1, Math.ceil((window.to - window.from) / (7 * DAY_MS)));
  return Array.from({ length: weekCount }, (_, w): WeekCount => {
    const start = window.from + w * 7 * DAY_MS;
    const inWeek = counted.filter((d) => d.createdAt >= start && d.createdAt < start + 7 * DAY_MS);
    return {
      start,
      deploys: inWeek.length,
      failures: inWeek.filter((d) => failedAt(d) !== undefined).length,
    };
  });
}
