import type { Catalog } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import { describePrincipals, matches } from '../domain/policy.js';
import { escapeMrkdwn } from '../lib/mrkdwn.js';
import { membershipFor } from './access.js';
import { targetAs } from './actAs.js';
import type { DeployDeps } from './deps.js';

/**
 * Lets a rollout that waits for people go on (blue/green traffic reroute). Only the environment's
 * approvers may, judged on the clicking user; the person who asked may too where self-approval is allowed.
 */
export async function proceedRollout(
  deps: DeployDeps & { readonly catalog: Catalog },
  id: string,
  userId: string,
): Promise<string> {
  const d = await deps.store.get(id);
  if (!d) return `There is no request \`${escapeMrkdwn(id)}\`.`;
  const env = findEnvironment(deps.catalog, d.app, d.env);
  if (!env) return `\`${d.id}\` is for ${d.app}/${d.env}, which is no longer configured.`;
  const waiting = d.tracking?.waiting;
  const target = targetAs(deps, env, userId);
  if (!waiting || !target.proceed || d.state !== 'rolling_out')
    return `\`${d.id}\` is not waiting for anyone to continue it.`;
  const membership = await membershipFor(deps.directory, userId, env.policy.approvers);
  const selfOk = env.policy.allowSelfApproval || userId !== d.requestedBy;
  if (!selfOk || !matches(env.policy.approvers, userId, membership)) {
    const who = describePrincipals(env.policy.approvers);
    return `Only an approver of ${env.app}/${env.name}${selfOk ? '' : ' other than the person who asked'} can let this go on: ${who}.`;
  }
  const lines = await target.proceed(env, d.tracking.data);
  deps.notifier.detail(d, [
    `:arrow_forward: <@${userId}> let it go on (${escapeMrkdwn(waiting)}).`,
    ...lines,
  ]);
  return `Continuing \`${d.id}\`.`;
}
