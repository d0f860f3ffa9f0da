/**
 * How old a signed SNS message may be. SNS stops retrying an HTTP delivery after an hour, so a
 * genuine message older than that is a replay, whether or not its MessageId is remembered.
 */
export const DEFAULT_SNS_MAX_MESSAGE_AGE_MS = 60 * 60_000;
/** How far ahead of Capstan's clock a message may claim to be: clocks drift, but not by much. */
export const SNS_MAX_CLOCK_SKEW_MS = 5 * 60_000;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export type AgeJudgement =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly ageSeconds?: number };

/** Judges an SNS `Timestamp` (ISO-8601, UTC) against `now`, in both directions of time. */
export function judgeMessageAge(
  timestamp: string,
  now: number,
  maxAgeMs = DEFAULT_SNS_MAX_MESSAGE_AGE_MS,
): AgeJudgement {
  const at = ISO_UTC.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) return { ok: false, reason: 'Timestamp is not an ISO-8601 UTC time' };
  const ageSeconds = Math.round((now - at) / 1000);
  if (now - at > maxAgeMs) return { ok: false, reason: 'message is too old', ageSeconds };
  if (at - now > SNS_MAX_CLOCK_SKEW_MS)
    return { ok: false, reason: 'message is from the future', ageSeconds };
  return { ok: true };
}
