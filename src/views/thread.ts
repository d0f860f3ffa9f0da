/** ECS task ids (32 hex characters), bare or at the end of a task ARN. */
const TASK_ID = /(?:arn:aws[\w-]*:ecs:[\w-]+:\d+:task\/[\w-]+\/)?\b([0-9a-f]{32})\b/g;
const DIGEST = /\bsha256:([0-9a-f]{12})[0-9a-f]{52}\b/g;

/** The first 8 characters tell tasks apart in a thread (12 for image digests); the whole id is in the console. */
export function shortenIds(line: string): string {
  return line.replace(TASK_ID, (_, id: string) => id.slice(0, 8)).replace(DIGEST, 'sha256:$1');
}

/** What two lines about different tasks have in common: the same event or the same stop reason. */
function sameness(line: string): string {
  return line.replace(/\(task [^)]*\)/g, '(task …)').replace(/\btasks? `[^`]*`/gi, 'task `…`');
}

/** A line of a thread message: the first of the lines that said the same thing, and how many did. */
export interface ThreadLine {
  readonly line: string;
  readonly key: string;
  readonly n: number;
}

/**
 * Lines as people read them: ids shortened, and lines that say the same thing (a repeated service
 * event, tasks stopping for the same reason) collapsed into the first of them, in the order they
 * first appeared.
 */
export function collapse(lines: readonly string[], into: readonly ThreadLine[] = []): ThreadLine[] {
  const out = new Map<string, ThreadLine>(into.map((l) => [l.key, l]));
  for (const raw of lines) {
    const line = shortenIds(raw);
    const key = sameness(line);
    const hit = out.get(key);
    out.set(key, hit ? { ...hit, n: hit.n + 1 } : { line, key, n: 1 });
  }
  return [...out.values()];
}

/** A thread message that would grow past this many characters is left as it is. */
const MERGED_MAX = 3000;

/**
 * The thread message `previous` becomes when `lines` repeat what it says ("×2" becomes "×3"), so a
 * rollout that stops a task on every poll does not post a message each time. News that comes with
 * repeats is added to it too, so a repeat never shows as a second line next to its "×N" (while
 * the message stays short). undefined when every line is news.
 */
export function repeatInto(
  previous: readonly ThreadLine[],
  lines: readonly string[],
): ThreadLine[] | undefined {
  const keys = new Set(previous.map((l) => l.key));
  const repeats = lines.filter((l) => keys.has(sameness(shortenIds(l)))).length;
  if (repeats === 0) return undefined;
  const merged = collapse(lines, previous);
  if (repeats < lines.length && threadText(merged).length > MERGED_MAX) return undefined;
  return merged;
}

export function threadText(lines: readonly ThreadLine[]): string {
  return lines.map(({ line, n }) => (n > 1 ? `${line} ×${n}` : line)).join('\n');
}

/** `collapse` as text lines. */
export function collapseLines(lines: readonly string[]): string[] {
  return collapse(lines).map((l) => threadText([l]));
}
