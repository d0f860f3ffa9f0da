import type { Catalog } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import type { Principal } from '../domain/catalog.js';
import { matches } from '../domain/policy.js';
import { membershipFor } from './access.js';
import { targetAs } from './actAs.js';
import type { DeployDeps } from './deps.js';

/** What became of a click on Continue: facts for views/release.ts to word. */
export type ProceedResult =
  | { readonly kind: 'unknown_request'; readonly id: string }
  | { readonly kind: 'not_configured'; readonly id: string; readonly app: string; readonly env: string }
  | { readonly kind: 'not_waiting'; readonly id: string }
  | {
      readonly kind: 'not_allowed';
      readonly app: string;
      readonly env: string;
      /** The person who asked, where self-approval is not allowed. */
      readonly requester: boolean;
      readonly approvers: readonly Principal[];
    }
  | { readonly kind: 'continuing'; readonly id: string };

/**
 * Lets a rollout that waits for people go on (blue/green traffic reroute). Only the environment's
 * approvers may, judged on the clicking user; the person who asked may too where self-approval is allowed.
 */
export async function proceedRollout(
  deps: DeployDeps & { readonly catalog: Catalog },
  id: string,
  userId: string,
): Promise<ProceedResult> {
  const d = await deps.store.get(id);
  if (!d) return { kind: 'unknown_request', id };
  const env = findEnvironment(deps.catalog, d.app, d.env);
  if (!env) return { kind: 'not_configured', id: d.id, app: d.app, env: d.env };
  const waiting = d.tracking?.waiting;
  const target = targetAs(deps, env, userId);
  if (!waiting || !target.proceed || d.state !== 'rolling_out') return { kind: 'not_waiting', id: d.id };
  const membership = await membershipFor(deps.directory, userId, env.policy.approvers);
  const selfOk = env.policy.allowSelfApproval || userId !== d.requestedBy;
  if (!selfOk || !matches(env.policy.approvers, userId, membership))
    return {
      kind: 'not_allowed',
      app: env.app,
      env: env.name,
      requester: !selfOk,
      approvers: env.policy.approvers,
    };
  const lines = await target.proceed(env, d.tracking.data);
  deps.notifier.detail(d, [{ kind: 'rollout.letGoOn', by: userId, waiting }, ...lines]);
  return { kind: 'continuing', id: d.id };
}
