/**
 * A time written out as text ("2026-12-07", "05:05 UTC", an ISO instant, "Mon 21 Dec 2026, 08:00")
 * rather than as a Slack date, which each reader sees in their own time zone.
 */
export const RAW_TIME =
  /\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b|\b(?:UTC|GMT)\b|\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}\b/;

/** The text with every Slack date token (`<!date^…^…|fallback>`) taken out, fallback included. */
export const withoutSlackDates = (text: string): string => text.replace(/<!date\^[^|>]*(?:\|[^>]*)?>/g, '');

/** Every string in a message, with where it is. */
export function stringsOf(value: unknown, at = ''): { at: string; text: string }[] {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => stringsOf(v, at === '' ? k : `${at}.${k}`));
  return [];
}
