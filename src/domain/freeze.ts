import { CronExpressionParser } from 'cron-parser';
import type { FreezeWindow } from './catalog.js';
import { CapstanError } from './errors.js';

/** A freeze in force at a given moment; `endsAt` counts windows that overlap or follow on at once. */
export interface OpenFreeze {
  readonly name: string;
  readonly timezone: string;
  readonly startedAt: number;
  readonly endsAt: number;
}

/** The next freeze to open after the one in force (or after now). */
export interface NextFreeze {
  readonly name: string;
  readonly timezone: string;
  readonly startsAt: number;
  readonly endsAt: number;
}

interface Span {
  readonly freeze: FreezeWindow;
  readonly start: number;
  readonly end: number;
}

/** Windows that keep extending a freeze are followed this many times at most (a window that never closes). */
const MAX_CHAIN = 100;

/** Why `cron` cannot say when a freeze opens, or undefined when it can. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
  if (fields.length !== 5)
    return `must have 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}`;
  // `H` picks a random time: a freeze must open when people were told it would.
  if (fields.some((f) => /\bH\b/i.test(f))) return 'must not use H (a random time)';
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' }).next();
    return undefined;
  } catch (e) {
    return `is not a cron expression: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function parse(f: FreezeWindow, at: number) {
  return CronExpressionParser.parse(f.cron, { currentDate: new Date(at), tz: f.timezone });
}

/** The window of `f` that contains `t`: only the latest opening can, since every window lasts as long. */
function spanAt(f: FreezeWindow, t: number): Span | undefined {
  try {
    const it = parse(f, t + 1);
    if (!it.hasPrev()) return undefined;
    const start = it.prev().getTime();
    return t < start + f.durationMs ? { freeze: f, start, end: start + f.durationMs } : undefined;
  } catch {
    return undefined;
  }
}

function nextStart(f: FreezeWindow, t: number): number | undefined {
  try {
    const it = parse(f, t);
    return it.hasNext() ? it.next().getTime() : undefined;
  } catch {
    return undefined;
  }
}

function spansAt(freezes: readonly FreezeWindow[], t: number): Span[] {
  return freezes.map((f) => spanAt(f, t)).filter((s): s is Span => s !== undefined);
}

/** The freeze in force at `now`, if any, and when it really ends (windows that overlap or touch it extend it). */
export function openWindow(freezes: readonly FreezeWindow[], now: number): OpenFreeze | undefined {
  const open = spansAt(freezes, now);
  if (open.length === 0) return undefined;
  const first = open.reduce((a, b) => (b.end > a.end ? b : a));
  let end = first.end;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const more = spansAt(freezes, end);
    const further = Math.max(...more.map((s) => s.end), end);
    if (further <= end) break;
    end = further;
  }
  return { name: first.freeze.name, timezone: first.freeze.timezone, startedAt: first.start, endsAt: end };
}

/** The next freeze to open after `now`, or after the end of the one in force. */
export function nextWindow(freezes: readonly FreezeWindow[], now: number): NextFreeze | undefined {
  const from = openWindow(freezes, now)?.endsAt ?? now;
  let best: { freeze: FreezeWindow; start: number } | undefined;
  for (const f of freezes) {
    const start = nextStart(f, from);
    if (start !== undefined && (best === undefined || start < best.start)) best = { freeze: f, start };
  }
  if (!best) return undefined;
  const at = openWindow(freezes, best.start);
  return {
    name: best.freeze.name,
    timezone: best.freeze.timezone,
    startsAt: best.start,
    endsAt: at?.endsAt ?? best.start + best.freeze.durationMs,
  };
}

/** "Mon 28 Dec 2026, 06:00 CET": for text that cannot carry Slack's date markup (logs, the ledger). */
export function formatInstant(ms: number, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: isTimeZone(timezone) ? timezone : 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/**
 * Deploys and releases wait while a freeze is in force. Its fact is what the ledger keeps (no time
 * in it); `freeze` lets Slack show the end in each reader's own time zone.
 */
export class FrozenError extends CapstanError {
  /** "app/env", for people. */
  readonly where: string;
  constructor(
    readonly freeze: OpenFreeze,
    place: { readonly app: string; readonly env: string },
    when: 'request' | 'execute',
  ) {
    super('locked', { kind: 'freeze.frozen', app: place.app, env: place.env, freeze: freeze.name, when });
    this.where = `${place.app}/${place.env}`;
  }
}

export function isFrozenError(e: unknown): e is FrozenError {
  return e instanceof FrozenError;
}
