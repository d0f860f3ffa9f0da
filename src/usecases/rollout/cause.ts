import type { Deployment } from '../../domain/deployment.js';
import { isCapstanError } from '../../domain/errors.js';
import { type Fact, type Said, factForLog } from '../../domain/facts/index.js';
import { Reported } from '../../domain/facts/rollout.js';
import { errorMessage } from '../../lib/errors.js';
import { unescapeMrkdwn } from '../../lib/mrkdwn.js';

/**
 * What a target said, as an ending can build on it: its fact, or its text (targets that still
 * report text report plain text). A fact that is itself an ending is kept for the log only.
 */
export function reported(s: Said): Reported {
  if (typeof s === 'string') return s;
  const r = Reported.safeParse(s);
  return r.success ? r.data : factForLog(s);
}

/** What an error says, as the ledger keeps it: a refusal's fact, or its text (plain, never mrkdwn). */
export function errorReported(e: unknown): Reported {
  if (isCapstanError(e)) return e.fact ? reported(e.fact) : unescapeMrkdwn(e.message);
  return errorMessage(e);
}

/** Why a deployment ended (or is rolled back) as the ledger keeps it: a fact, or text where only text was said. */
export function why(r: Reported | Fact): Pick<Deployment, 'cause' | 'reason'> {
  return typeof r === 'string' ? { cause: undefined, reason: r } : { cause: r, reason: undefined };
}

/** What a deployment's ending said before, to build on (undefined when nothing was). */
export function saidBefore(d: Deployment): Reported | undefined {
  if (d.cause) return reported(d.cause);
  return d.reason;
}
