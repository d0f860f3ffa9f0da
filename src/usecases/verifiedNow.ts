import type { Environment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { countsAsVerified } from '../domain/verified.js';
import type { Store } from '../ports/store.js';

/**
 * Whether the version an environment runs now was verified, as its ledger says: `status` and the
 * Home tab show it beside the version. `verified`: its bake ended with no alarm (or an approver
 * completed it early); `kept`: an alarm went off and someone kept it; `stillInAlarm`: its bake ended
 * with alarms still in ALARM as they were before the deploy; `unverified`: it succeeded without a
 * bake although the environment verifies. Where the environment does not verify, a
 * success counts as verified and nothing is said (no verdict).
 */
export type RunningVerdict =
  | { readonly kind: 'verified'; readonly at: number; readonly completedBy?: string | undefined }
  | {
      readonly kind: 'kept';
      readonly at: number;
      readonly by: string;
      readonly alarm?: string | undefined;
      readonly reason?: string | undefined;
    }
  | { readonly kind: 'stillInAlarm'; readonly at: number; readonly alarms: readonly string[] }
  | { readonly kind: 'unverified'; readonly at: number };

/** Entries of an environment read to find the one that put the running version in place. */
export const RUNNING_HISTORY = 20;

/** The running version as the target reads it. */
export interface RunningVersion {
  readonly version?: string | undefined;
  readonly digest?: string | undefined;
}

/** Whether `d` put `running` in place: the same version, and the same image where both digests are known. */
function putInPlace(d: Deployment, running: RunningVersion): boolean {
  if (d.state !== 'verified' && d.state !== 'succeeded') return false;
  if (d.toVersion !== running.version) return false;
  return d.imageDigest === undefined || running.digest === undefined || d.imageDigest === running.digest;
}

/**
 * The verdict on what `env` runs, from its ledger (newest first). None when the version is unknown,
 * when a rollout of that very version is in flight (its own state says what goes on), or when no
 * entry put it in place (deployed outside Capstan, or too long ago).
 */
export function verdictOf(
  env: Environment,
  running: RunningVersion,
  newestFirst: readonly Deployment[],
  inFlight: Deployment | undefined,
): RunningVerdict | undefined {
  if (running.version === undefined || inFlight?.toVersion === running.version) return undefined;
  const d = newestFirst.find((e) => putInPlace(e, running));
  if (!d) return undefined;
  const at = d.finishedAt ?? d.updatedAt;
  if (d.state === 'verified') {
    const decision = d.verification?.decision;
    return { kind: 'verified', at, ...(decision?.kind === 'complete' && { completedBy: decision.by }) };
  }
  if (countsAsVerified(d, env)) return undefined;
  const cause = d.cause;
  if (cause?.kind === 'verify.kept')
    return { kind: 'kept', at, by: cause.by, alarm: cause.alarm, reason: cause.reason };
  if (cause?.kind === 'verify.stillInAlarm')
    return { kind: 'stillInAlarm', at, alarms: cause.alarms.map((a) => a.name) };
  return { kind: 'unverified', at };
}

/** The verdict on what `env` runs, reading its recent ledger. */
export async function readVerdict(
  store: Store,
  env: Environment,
  running: RunningVersion,
  inFlight: Deployment | undefined,
): Promise<RunningVerdict | undefined> {
  if (running.version === undefined || inFlight?.toVersion === running.version) return undefined;
  return verdictOf(env, running, await store.history(env.app, env.name, RUNNING_HISTORY), inFlight);
}
