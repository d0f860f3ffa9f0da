import type { Deployment } from '../../domain/deployment.js';
import type { Fact } from '../../domain/facts/index.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { reported } from '../../domain/reported.js';

/** Why a deployment ended (or is rolled back) as the ledger keeps it: a fact, or text where only text was said. */
export function why(r: Reported | Fact): Pick<Deployment, 'cause' | 'reason'> {
  return typeof r === 'string' ? { cause: undefined, reason: r } : { cause: r, reason: undefined };
}

/** What a deployment's ending said before, to build on (undefined when nothing was). */
export function saidBefore(d: Deployment): Reported | undefined {
  if (d.cause) return reported(d.cause);
  return d.reason;
}
