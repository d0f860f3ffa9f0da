import type { Environment } from '../../domain/catalog.js';
import type { Deployment } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import type { Tripped } from '../../domain/verify.js';
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
    case 'complete': {
      const ended = await endBake(deps.store, d.id, now, { state: 'verified' });
      if (!ended) return;
      deps.notifier.detail(ended, [
        { kind: 'verify.passed', ...(decision.kind === 'complete' && { completedBy: decision.by }) },
      ]);
      await hooks.ended(ended);
      return;
    }
    case 'keep': {
      const by = decision.by ?? d.requestedBy;
      const kept = {
        kind: 'verify.kept' as const,
        by,
        alarm: v.tripped?.alarm ?? '?',
        reason: decision.reason ?? 'no reason given',
      };
      const ended = await endBake(deps.store, d.id, now, { state: 'succeeded', ...why(kept) });
      if (!ended) return;
      deps.notifier.detail(ended, [kept]);
      await hooks.ended(ended);
      return;
    }
    case 'alarm':
    case 'rollback': {
      // The alarm comes first in what people read; a rollback nobody's alarm asked for says who asked.
      const reason: Reported = v.tripped
        ? alarmFact(v.tripped)
        : { kind: 'verify.rollbackAsked', by: decision.by ?? d.requestedBy };
      await hooks.rollBack(d, env, reason);
    }
  }
}
