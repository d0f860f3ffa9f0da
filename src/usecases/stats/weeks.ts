import { DAY_MS, type LedgerDeployment } from './timeline.js';

export interface Window {
  readonly from: number;
  readonly to: number;
}

export interface WeekCount {
  readonly start: number;
  /** Changes begun that week (rollbacks are not changes). */
  readonly deploys: number;
  /** Of those, the ones that failed, were rolled back, or were followed by a rollback within 24 h. */
  readonly failures: number;
}

export const WEEK_MS = 7 * DAY_MS;

/**
 * The weeks a chart shows, the same for `/deploy stats` and the App Home: 7-day weeks of whole UTC
 * days, the last one ending with today (so it holds today so far), as many as cover `days`. No bar
 * covers only part of a week, and the weeks move with the date, not with the minute.
 */
export function chartWeeks(now: number, days: number): Window {
  const to = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  return { from: to - Math.max(1, Math.ceil(days / 7)) * WEEK_MS, to };
}

/** Changes and change failures of each week of `weeks` (a whole number of weeks long). */
export function weeklyCounts(all: readonly LedgerDeployment[], weeks: Window): WeekCount[] {
  const changes = all.filter((d) => d.kind === 'change');
  const count = Math.max(1, Math.round((weeks.to - weeks.from) / WEEK_MS));
  return Array.from({ length: count }, (_, w): WeekCount => {
    const start = weeks.from + w * WEEK_MS;
    const inWeek = changes.filter((d) => d.at >= start && d.at < start + WEEK_MS);
    return {
      start,
      deploys: inWeek.length,
      failures: inWeek.filter((d) => d.failedAt !== undefined).length,
    };
  });
}
