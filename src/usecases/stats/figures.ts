import type { Deployment } from '../../domain/deployment.js';
import { type LedgerDeployment, deploymentsOf } from './timeline.js';
import { type WeekCount, type Window, weeklyCounts } from './weeks.js';

export { DAY_MS, ROLLBACK_FOLLOWS_MS } from './timeline.js';
export type { WeekCount, Window } from './weeks.js';

/**
 * DORA's delivery figures for one environment, computed from its ledger (dora.dev, 2024 set).
 * Only what changed the environment counts (timeline.ts); entries whose outcome is unknown are
 * counted apart, never guessed at.
 */
export interface DeliveryFigures {
  /** Change deployments: deploys and releases that changed the environment (deployment frequency). */
  readonly changes: number;
  /** Rollbacks, Capstan's own and those made by hand: deployments, but not changes. */
  readonly rollbacks: number;
  readonly unknownOutcome: number;
  /** Change lead time, first push of the image → verified, of the verified changes whose push time is known. */
  readonly leadTime: {
    readonly medianMs?: number | undefined;
    readonly p90Ms?: number | undefined;
    readonly measured: number;
    readonly verified: number;
  };
  /** Changes that failed, were rolled back, or were followed by a rollback within 24 h, over changes. */
  readonly changeFail: { readonly failed: number; readonly of: number };
  /** Failure → a rollback that succeeded or the next verified change; `open`: failures not yet recovered from. */
  readonly recovery: {
    readonly medianMs?: number | undefined;
    readonly recovered: number;
    readonly open: number;
  };
  /** Rollbacks and fixes right after a failure, over every deployment (changes and rollbacks). */
  readonly rework: { readonly rework: number; readonly of: number };
  readonly weeks: readonly WeekCount[];
}

export interface FigureOptions {
  /** Whether an entry counts as verified in this environment (countsAsVerified). */
  readonly isVerified: (d: Deployment) => boolean;
  /** The earliest push of a digest recorded anywhere in the ledger, whatever repository. */
  readonly firstPushedAt?: ((digest: string) => number | undefined) | undefined;
  /** The chart's weeks (chartWeeks()): whole days, so they may reach past the window. */
  readonly weeks: Window;
}

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

/** When the image was first pushed: its own push time, or an earlier push of the same digest. */
function pushedAt(d: Deployment, opts: FigureOptions): number | undefined {
  const first = d.imageDigest === undefined ? undefined : opts.firstPushedAt?.(d.imageDigest);
  const own = d.imagePushedAt;
  if (first === undefined) return own;
  return own === undefined ? first : Math.min(own, first);
}

/**
 * @param entries one environment's ledger, any order; may reach past the window (lookups use it all).
 */
export function deliveryFigures(
  entries: readonly Deployment[],
  window: Window,
  opts: FigureOptions,
): DeliveryFigures {
  const all = deploymentsOf(entries);
  const inWindow = (at: number) => at >= window.from && at < window.to;
  const counted = all.filter((d) => inWindow(d.at));
  const changes = counted.filter((d) => d.kind === 'change');

  const leads = changes
    .filter((d) => opts.isVerified(d.entry))
    .map((d) => {
      const pushed = pushedAt(d.entry, opts);
      return pushed === undefined ? undefined : d.endedAt - pushed;
    });
  const measuredLeads = leads.filter((x): x is number => x !== undefined && x >= 0);

  const failures = changes.filter((d) => d.failedAt !== undefined);
  const recoveries = recoveryTimes(all, failures, opts.isVerified);

  return {
    changes: changes.length,
    rollbacks: counted.length - changes.length,
    unknownOutcome: entries.filter((d) => d.state === 'outcome_unknown' && inWindow(d.createdAt)).length,
    leadTime: {
      medianMs: median(measuredLeads),
      p90Ms: p90(measuredLeads),
      measured: measuredLeads.length,
      verified: leads.length,
    },
    changeFail: { failed: failures.length, of: changes.length },
    recovery: {
      medianMs: median(recoveries),
      recovered: recoveries.length,
      open: failures.length - recoveries.length,
    },
    rework: { rework: counted.filter((d) => d.rework).length, of: counted.length },
    weeks: weeklyCounts(all, opts.weeks),
  };
}

/**
 * For each failure recovered from: the time until the environment was good again, when the first
 * rollback that succeeded or verified change after it ended.
 */
function recoveryTimes(
  all: readonly LedgerDeployment[],
  failures: readonly LedgerDeployment[],
  isVerified: (d: Deployment) => boolean,
): number[] {
  const recoveries: number[] = [];
  for (const f of failures) {
    const at = f.failedAt!;
    const back = all
      .filter((e) => e !== f && e.at >= f.at && e.endedAt >= at)
      .filter((e) => (e.kind === 'rollback' ? e.restored : isVerified(e.entry)))
      .sort((a, b) => a.endedAt - b.endedAt)[0];
    if (back) recoveries.push(back.endedAt - at);
  }
  return recoveries;
}
