/** Plain text made short enough to show and to keep (AWS messages, script logs): no Slack markup here. */

/** One line of at most `max` characters (whitespace folded). */
export function short(s: string, max = 300): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** The last three lines of a script's log, at most 300 characters. */
export function logTail(tail: string | undefined): string {
  const lines = (tail ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3);
  const text = lines.join(' ⏎ ');
  return text.length > 300 ? `…${text.slice(-300)}` : text;
}
