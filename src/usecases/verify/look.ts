import type { Environment } from '../../domain/catalog.js';
import type { Deployment } from '../../domain/deployment.js';
import {
  ASK_REMIND_MS,
  type AlarmReading,
  type AlarmSeen,
  type BakeDecision,
  type Tripped,
  type Verification,
  judgeAlarm,
} from '../../domain/verify.js';
import { errorMessage } from '../../lib/errors.js';
import { isCapstanError } from '../../domain/errors.js';
import { AwsRefusal } from '../../domain/facts/common.js';
import type { Alarms } from '../../ports/alarms.js';
import type { DeployDeps } from '../deps.js';
import { verifies } from './begin.js';
import { type BakeHooks, alarmFact, carryOut } from './carry.js';
import { changeBake } from './claim.js';

export interface BakeDeps {
  readonly deploy: DeployDeps;
  readonly alarms: Alarms;
}

const minutesLeft = (endsAt: number, now: number) => Math.max(0, Math.ceil((endsAt - now) / 60_000));

function sameAlarms(a: readonly AlarmSeen[], b: readonly AlarmSeen[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => x.name === b[i]?.name && x.state === b[i]?.state && !x.before === !b[i]?.before)
  );
}

/**
 * Each alarm as the bake shows it (marked when in ALARM since before the deploy began), and the
 * first, in its name's order, that went off in the bake (entered ALARM since, or flapped in between).
 */
async function judgeAlarms(
  alarms: Alarms,
  region: string,
  readings: readonly AlarmReading[],
  at: { readonly began: number; readonly since: number },
): Promise<AlarmsRead> {
  const history = (name: string, from: number) => alarms.enteredAlarm(region, name, from);
  const judged = await Promise.all(readings.map((r) => judgeAlarm(r, at, history)));
  const seen = readings.map((r, i): AlarmSeen => ({
    name: r.name,
    state: r.state,
    ...(r.reason !== undefined && { reason: r.reason }),
    ...(r.changedAt !== undefined && { changedAt: r.changedAt }),
    ...(judged[i]?.kind === 'before' && { before: true }),
  }));
  const tripped = judged.flatMap((j) => (j.kind === 'tripped' ? [j.tripped] : []))[0];
  return { readings: seen, tripped };
}

/** The first look that could not read the alarms says so in the thread and on the message, once. */
async function unreadable(deps: BakeDeps, d: Deployment, now: number, e: unknown): Promise<void> {
  const { store, notifier } = deps.deploy;
  const cur = await changeBake(store, d.id, now, (v) =>
    v.unreadableSince === undefined ? { ...v, unreadableSince: now } : undefined,
  );
  if (!cur) return;
  // AWS's refusal (access denied names the missing permission) when it was one; otherwise its words.
  const fact = AwsRefusal.safeParse(isCapstanError(e) ? e.fact : undefined);
  notifier.detail(cur, [
    { kind: 'verify.alarmsUnreadable', error: fact.success ? fact.data : errorMessage(e) },
  ]);
  await notifier.show(cur);
}

/**
 * An alarm asked people (onAlarm: ask) and nobody has decided: every ASK_REMIND_MS the requester and
 * the approvers are asked again, saying since when it waits. Once per reminder across replicas (the
 * ledger's compare-and-set); Capstan never decides in their place.
 */
async function remind(deps: BakeDeps, d: Deployment, env: Environment, now: number): Promise<void> {
  const { store, notifier } = deps.deploy;
  const v = d.verification;
  const t = v?.tripped;
  if (!v || !t || v.decision) return;
  // The look that found the alarm was the last to move `lookedAt`: the question was asked then.
  const since = v.lookedAt ?? t.at;
  const last = v.remindedAt ?? since;
  if (now - last < ASK_REMIND_MS) return;
  const cur = await changeBake(store, d.id, now, (x) =>
    x.tripped && !x.decision && (x.remindedAt ?? x.lookedAt ?? x.tripped.at) === last
      ? { ...x, remindedAt: now }
      : undefined,
  );
  if (!cur) return;
  notifier.announce?.(cur, {
    kind: 'alarm_ask',
    approvers: env.policy.approvers,
    alarm: alarmFact(t),
    remindedAt: now,
    waitingSince: since,
  });
  await notifier.show(cur);
}

/**
 * One look at a bake: a decision already recorded (a click, a look that died before acting) is
 * carried out; otherwise the alarms are read, and an alarm, or the end of the bake after a clean
 * look, is decided on once and carried out. Alarms that cannot be read end nothing: a bake is
 * verified only by a look that read them at or after its end.
 */
export async function lookAtBake(
  deps: BakeDeps,
  seen: Deployment,
  env: Environment,
  hooks: BakeHooks,
): Promise<void> {
  const { store, clock, notifier } = deps.deploy;
  const d = await store.get(seen.id);
  if (!d || d.state !== 'verifying' || !d.verification) return;
  if (d.verification.decision) return carryOut(deps.deploy, d, env, hooks);
  const now = clock.now();
  // Waiting for people after an alarm (onAlarm: ask): the buttons decide; people are reminded.
  if (d.verification.tripped) return remind(deps, d, env, now);
  const read = await readAlarms(deps, d, seen, env, now);
  if (!read) return;
  const { readings, tripped } = read;
  const before = d.verification;
  const since = Math.max(before.lookedAt ?? 0, seen.verification?.lookedAt ?? 0);
  const decide = decider(tripped, now);
  // Only a change is written: a look that saw nothing new moves `lookedAt` in memory (after a
  // restart, history is asked from an older time: more is read, nothing is missed).
  // The first look that reads them is written, even when it read none: it says they were read.
  const clean = before.unreadableSince === undefined && before.lookedAt !== undefined;
  if (clean && !tripped && !decide(before) && sameAlarms(before.alarms, readings)) {
    hooks.kept({ ...d, verification: { ...before, lookedAt: now } });
    if (minutesLeft(before.endsAt, since || before.startedAt) !== minutesLeft(before.endsAt, now))
      await notifier.show(d);
    return;
  }
  await recordLook(deps, d, env, hooks, decide, { now, readings, tripped });
}

interface AlarmsRead {
  readonly readings: readonly AlarmSeen[];
  readonly tripped: Tripped | undefined;
}

/**
 * The environment's alarms now, and the first that went off in the bake: since the last look, or on
 * the first look since the deploy began, when Capstan changed AWS (not since the bake did: an alarm
 * that went off during the rollout counts; nor since it was requested: a release may wait for approval). None for an environment that does not verify. undefined when they could not be
 * read (said once, by unreadable()).
 */
async function readAlarms(
  deps: BakeDeps,
  d: Deployment,
  seen: Deployment,
  env: Environment,
  now: number,
): Promise<AlarmsRead | undefined> {
  if (!verifies(env)) return { readings: [], tripped: undefined };
  const region = env.target.region;
  try {
    const readings = await deps.alarms.describe(region, env.verify.alarms);
    const since = Math.max(d.verification!.lookedAt ?? 0, seen.verification?.lookedAt ?? 0);
    // The deploy began when Capstan changed AWS: the alarms were read clear (or overridden) right before.
    const began = d.tracking?.startedAt ?? d.createdAt;
    return await judgeAlarms(deps.alarms, region, readings, { began, since });
  } catch (e) {
    deps.deploy.logger.warn('could not read the alarms of a bake', { id: d.id, error: errorMessage(e) });
    await unreadable(deps, d, now, e);
    return undefined;
  }
}

/** What the look decides: a rollback on an alarm (onAlarm: rollback), the end when the time is up. */
function decider(tripped: Tripped | undefined, now: number): (v: Verification) => BakeDecision | undefined {
  return (v) =>
    tripped
      ? v.onAlarm === 'rollback'
        ? { kind: 'alarm', at: now }
        : undefined
      : now >= v.endsAt
        ? { kind: 'timeUp', at: now }
        : undefined;
}

/** Writes what the look saw (once across replicas), then carries out its decision or asks people. */
async function recordLook(
  deps: BakeDeps,
  d: Deployment,
  env: Environment,
  hooks: BakeHooks,
  decide: (v: Verification) => BakeDecision | undefined,
  { now, readings, tripped }: AlarmsRead & { readonly now: number },
): Promise<void> {
  const { store, clock, notifier } = deps.deploy;
  const cur = await changeBake(store, d.id, clock.now(), (v) => {
    if (v.decision || v.tripped) return undefined;
    return {
      ...v,
      lookedAt: now,
      alarms: [...readings],
      tripped,
      decision: decide(v),
      unreadableSince: undefined,
    };
  });
  if (!cur?.verification) return;
  hooks.kept(cur);
  if (cur.verification.decision) return carryOut(deps.deploy, cur, env, hooks);
  if (cur.verification.tripped) {
    notifier.announce?.(cur, {
      kind: 'alarm_ask',
      approvers: env.policy.approvers,
      alarm: alarmFact(cur.verification.tripped),
    });
  }
  await notifier.show(cur);
}
