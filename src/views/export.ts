import { escape } from './message.js';
import { chartFailedText } from './stats.js';

/** The file name of an audit export: what and when (UTC date). */
export function exportFilename(app: string, env: string | undefined, now: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${safe(app)}${env ? `-${safe(env)}` : ''}-history-${new Date(now).toISOString().slice(0, 10)}.csv`;
}

/** Told to the person who asked for `/deploy history … --csv`. */
export function exportSharedText(
  app: string,
  env: string | undefined,
  count: number,
  truncated: boolean,
): string {
  const scope = `*${escape(app)}${env ? `/${escape(env)}` : ''}*`;
  if (count === 0) return `No deploys of ${scope} recorded yet: there is nothing to export.`;
  const all = truncated
    ? `the latest ${count} entries (the ledger holds more)`
    : count === 1
      ? 'its one entry'
      : `all ${count} entries`;
  return `:package: Shared the history of ${scope} in this channel as CSV: ${all}, with who, digest, approvals, overrides, outcome and times.`;
}

export function exportFailedText(e: unknown): string {
  return chartFailedText(e)
    .replace('The chart of deploys per week', 'The CSV export')
    .replace('; the figures above are complete.', '.');
}
