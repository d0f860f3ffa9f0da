import { z } from 'zod';

/**
 * Verification: after a rollout succeeds, Capstan watches CloudWatch alarms for a bake window before
 * it calls the version verified. What is configured, what is kept in the ledger while it bakes, and
 * the one judgement of whether an alarm went off.
 */

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** `verify:` of an environment: alarm names, or name prefixes ending in `*`. */
export interface VerifyPolicy {
  readonly alarms: readonly string[];
  readonly bakeMs: number;
  readonly onAlarm: 'rollback' | 'ask';
}

/** A pattern ending in `*` is a name prefix; any other is an exact alarm name. */
export function alarmPrefix(pattern: string): string | undefined {
  return pattern.endsWith('*') ? pattern.slice(0, -1) : undefined;
}

export function alarmMatches(pattern: string, name: string): boolean {
  const prefix = alarmPrefix(pattern);
  return prefix === undefined ? name === pattern : name.startsWith(prefix);
}

/** Which of a platform's own alarms `verify.alarms` also names (exactly or by prefix). */
export function alsoVerified(platformAlarms: readonly string[], patterns: readonly string[]): string[] {
  return platformAlarms.filter((name) => patterns.some((p) => alarmMatches(p, name)));
}

/** One alarm as CloudWatch describes it. */
export interface AlarmReading {
  readonly name: string;
  readonly state: AlarmState;
  readonly reason?: string | undefined;
  /** When its state last changed (StateTransitionedTimestamp), epoch ms. */
  readonly changedAt?: number | undefined;
  /** Its ARN (what CloudFormation's rollback triggers name). */
  readonly arn?: string | undefined;
  /** A composite alarm (a rule over other alarms), not a metric alarm. */
  readonly composite?: boolean | undefined;
}

const alarmSeen = z.object({
  name: z.string(),
  state: z.enum(ALARM_STATES),
  reason: z.string().optional(),
  changedAt: z.number().optional(),
  /** In ALARM since before this deploy began: shown, never a trip; the bake cannot end verified while it stays so. */
  before: z.boolean().optional(),
});
export type AlarmSeen = z.infer<typeof alarmSeen>;

/** What went off: the alarm, its reason, and whether it was already back to OK when Capstan looked. */
const tripped = z.object({
  alarm: z.string(),
  reason: z.string().optional(),
  at: z.number(),
  flapped: z.boolean(),
});
export type Tripped = z.infer<typeof tripped>;

/**
 * How a bake ends, decided once (compare-and-set on the ledger) and then carried out, so a restart
 * between the two carries it out and racing clicks decide once: its time was up, an alarm rolled it
 * back, or someone completed it early, rolled it back, or kept it after an alarm.
 */
const decision = z.object({
  kind: z.enum(['timeUp', 'alarm', 'complete', 'rollback', 'keep']),
  at: z.number(),
  /** The person who decided (absent: Capstan did, on time or on an alarm). */
  by: z.string().optional(),
  reason: z.string().optional(),
});
export type BakeDecision = z.infer<typeof decision>;

/** What the ledger keeps of a bake in progress: enough for another replica to carry it on. */
export const Verification = z.looseObject({
  startedAt: z.number(),
  /** The bake ends here (grows by Extend); never earlier. */
  endsAt: z.number(),
  onAlarm: z.enum(['rollback', 'ask']),
  /** When Capstan last read the alarms: the next look asks their history since then. */
  lookedAt: z.number().optional(),
  alarms: z.array(alarmSeen),
  /** Set when an alarm went off (onAlarm ask: the bake waits for people). */
  tripped: tripped.optional(),
  /** After an alarm that asks: when people were last reminded that it still waits for them. */
  remindedAt: z.number().optional(),
  extended: z.array(z.object({ by: z.string(), at: z.number() })).optional(),
  /** The alarms could not be read since then (said once in the thread; the bake cannot end meanwhile). */
  unreadableSince: z.number().optional(),
  decision: decision.optional(),
  /**
   * The target watched the alarms itself before the bake began (CloudFormation's monitoring window,
   * from `from` until the update completed at `until`): that time counts in the bake, which began at `from`.
   */
  counted: z.object({ by: z.string(), from: z.number(), until: z.number() }).optional(),
});
export type Verification = z.infer<typeof Verification>;

/**
 * Whether a look has read the bake's alarms and they are readable now: until then nobody can judge
 * them, so the bake cannot be completed early (a bake that ends on time waits for a clean look too).
 */
export function alarmsRead(v: Verification): boolean {
  return v.lookedAt !== undefined && v.unreadableSince === undefined;
}

/**
 * After an alarm that asks (onAlarm: ask), how long between two reminders to the requester and the
 * approvers: the bake waits for people and never decides by itself, so it keeps asking.
 */
export const ASK_REMIND_MS = 30 * 60_000;

/** How much longer each Extend click bakes. */
export const EXTEND_MS = 10 * 60_000;

/** DescribeAlarmHistory, asked: when (and why) the alarm last entered ALARM since `since`, if it did. */
export type AlarmHistory = (
  name: string,
  since: number,
) => Promise<{ readonly at: number; readonly reason?: string | undefined } | undefined>;

/** What one look makes of one alarm: it went off in the bake, it is in ALARM since before the deploy, or neither. */
export type AlarmJudgement =
  | { readonly kind: 'clean' }
  | { readonly kind: 'before' }
  | { readonly kind: 'tripped'; readonly tripped: Tripped };

/**
 * Whether an alarm went off in the bake: only if it entered ALARM after the deploy began (`began`).
 * An alarm in ALARM now whose state has not changed since then was in ALARM before the deploy: it
 * never trips the bake (pre-flight refused it, or an admin overrode it, or this is a rollback); one
 * whose state changed since is judged by its history (it went OK and back to ALARM, or only its
 * reason was updated). An alarm that is not in ALARM now, but whose state changed since the last
 * look (`since`), may have gone OK → ALARM → OK in between: its history says whether it entered
 * ALARM, so a flap within one look is never lost.
 */
export async function judgeAlarm(
  r: AlarmReading,
  at: { readonly began: number; readonly since: number },
  history: AlarmHistory,
): Promise<AlarmJudgement> {
  // Strictly after the deploy began: an alarm pre-flight saw in ALARM entered it before.
  const after = at.began + 1;
  if (r.state === 'ALARM') {
    if (r.changedAt !== undefined && r.changedAt < after) return { kind: 'before' };
    const hit = await history(r.name, after);
    if (!hit) return { kind: 'before' };
    return {
      kind: 'tripped',
      tripped: { alarm: r.name, reason: r.reason ?? hit.reason, at: hit.at, flapped: false },
    };
  }
  const since = Math.max(at.since, after);
  if (r.changedAt === undefined || r.changedAt < since) return { kind: 'clean' };
  const hit = await history(r.name, since);
  return hit
    ? { kind: 'tripped', tripped: { alarm: r.name, reason: hit.reason, at: hit.at, flapped: true } }
    : { kind: 'clean' };
}
