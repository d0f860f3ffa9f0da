import type { Environment } from '../../domain/catalog.js';
import type { Deployment } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import type { BakeDecision, Tripped } from '../../domain/verify.js';
import type { VerifyAlarmed } from '../../domain/facts/verify.js';
import type { DeployDeps } from '../deps.js';
import { why } from '../rollout/cause.js';
import { endBake } from './claim.js';

/** What the rollout tracker does for a bake: Capstan's rollback, and what every ending means. */
export interface BakeHooks {
  /** Capstan's rollback to the last good version, as after a failed rollout. */
  rollBack(d: Deployment, env: Environment, reason: Reported): Promise<void>;
  /** The bake ended (state terminal, in the ledger): stop following it, tell metrics and people. */
  ended(d: Deployment): Promise<void>;
  /** The bake goes on: the copy the tracker follows is this one now. */
  kept(d: Deployment): void;
}

export const alarmFact = (t: Tripped): VerifyAlarmed => ({
  kind: 'verify.alarmed',
  alarm: t.alarm,
  ...(t.reason !== undefined && { reason: t.reason }),
  flapped: t.flapped,
});

/**
 * Carries out the decision recorded on a bake (once: a restart in between finds it recorded and
 * carries it out; an ending already written is not written again).
 */
export async function carryOut(
  deps: DeployDeps,
  d: Deployment,
  env: Environment,
  hooks: BakeHooks,
): Promise<void> {
  const v = d.verification;
  const decision = v?.decision;
  if (!v || !decision) return;
  const now = deps.clock.now();
  switch (decision.kind) {
    case 'timeUp':
    case 'complete':
      return endBakeWell(deps, d, decision, hooks, now);
    case 'keep': {
      const kept = {
        kind: 'verify.kept' as const,
        by: decision.by ?? d.requestedBy,
        ...(v.tripped && { alarm: v.tripped.alarm }),
        ...(decision.reason !== undefined && { reason: decision.reason }),
      };
      const ended = await endBake(deps.store, d.id, now, { state: 'succeeded', ...why(kept) });
      if (!ended) return;
      deps.notifier.detail(ended, [kept]);
      await hooks.ended(ended);
      return;
    }
    case 'alarm':
    case 'rollback': {
      // The alarm comes first in what people read, then who chose to roll back after it asked; a
      // rollback nobody's alarm asked for says who asked. The ending says it in the thread.
      const by = decision.kind === 'rollback' ? (decision.by ?? d.requestedBy) : undefined;
      const reason: Reported = v.tripped
        ? { ...alarmFact(v.tripped), ...(by !== undefined && { rollbackBy: by }) }
        : { kind: 'verify.rollbackAsked', by: by ?? d.requestedBy };
      // An alarm that rolls back by itself (onAlarm: rollback) was not said in the thread yet (one
      // that asked was): it comes first there too, before the rollback line.
      if (decision.kind === 'alarm' && v.tripped) deps.notifier.detail(d, [alarmFact(v.tripped)]);
      await hooks.rollBack(d, env, reason);
    }
  }
}

/**
 * The bake's time is up, or an approver completed it: verified, unless an alarm is still in ALARM
 * as it was before the deploy began (one that entered ALARM since would have gone off): then it
 * succeeded, not verified, naming that alarm.
 */
async function endBakeWell(
  deps: DeployDeps,
  d: Deployment,
  decision: BakeDecision,
  hooks: BakeHooks,
  now: number,
): Promise<void> {
  const completedBy = decision.kind === 'complete' ? decision.by : undefined;
  const firing = (d.verification?.alarms ?? []).filter((a) => a.state === 'ALARM');
  const fact =
    firing.length > 0
      ? {
          kind: 'verify.stillInAlarm' as const,
          alarms: firing.map((a) => ({ name: a.name, ...(a.reason !== undefined && { reason: a.reason }) })),
          ...(completedBy !== undefined && { completedBy }),
        }
      : undefined;
  const ended = await endBake(
    deps.store,
    d.id,
    now,
    fact ? { state: 'succeeded', ...why(fact) } : { state: 'verified' },
  );
  if (!ended) return;
  deps.notifier.detail(ended, [
    fact ?? { kind: 'verify.passed', ...(completedBy !== undefined && { completedBy }) },
  ]);
  await hooks.ended(ended);
}
