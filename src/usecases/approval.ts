import type { Catalog, Environment } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import type { ApprovalRefusalFact } from '../domain/facts/common.js';
import { decideApproval, matches } from '../domain/policy.js';
import { errorMessage } from '../lib/errors.js';
import { CAPSTAN } from '../ports/identity.js';
import { membershipFor } from './access.js';
import { targetAs } from './actAs.js';
import type { DeployDeps } from './deps.js';
import { execute } from './execute.js';
import { LOST, retryOnConflict } from './compareAndSet.js';
import { showAndRecord } from './record.js';

export interface ApprovalDeps {
  readonly catalog: Catalog;
  readonly deploy: DeployDeps;
}

export type ApprovalResult =
  | { readonly kind: 'approved'; readonly deployment: Deployment; readonly remaining: number }
  | { readonly kind: 'executing'; readonly deployment: Deployment }
  | { readonly kind: 'rejected'; readonly deployment: Deployment }
  | {
      readonly kind: 'refused';
      readonly refusal: ApprovalRefusal;
      readonly deployment?: Deployment | undefined;
    };

/** Why a click on Approve or Reject changed nothing: facts for views/approvals.ts to word. */
export type ApprovalRefusal =
  | { readonly code: 'unknown_request'; readonly id: string }
  | { readonly code: 'not_configured'; readonly id: string; readonly app: string; readonly env: string }
  /** It is no longer awaiting approval: rejected, expired, or gone ahead (`deployment` says which). */
  | { readonly code: 'decided'; readonly deployment: Deployment }
  | { readonly code: 'expired'; readonly id: string }
  /** The approval rules refused this person (the policy's own reason). */
  | { readonly code: 'policy'; readonly fact: ApprovalRefusalFact }
  | { readonly code: 'not_rejecter' }
  | { readonly code: 'busy' };

const tooBusy = (): ApprovalResult => ({ kind: 'refused', refusal: { code: 'busy' } });

async function load(
  deps: ApprovalDeps,
  id: string,
): Promise<{ d: Deployment; env: Environment } | { refusal: ApprovalRefusal }> {
  const d = await deps.deploy.store.get(id);
  if (!d) return { refusal: { code: 'unknown_request', id } };
  const env = findEnvironment(deps.catalog, d.app, d.env);
  if (!env) return { refusal: { code: 'not_configured', id, app: d.app, env: d.env } };
  return { d, env };
}

/**
 * Adds the clicking user's approval. Authorization rests on that user's id alone; the write is a
 * compare-and-set, so of two simultaneous final approvals exactly one starts the execution.
 */
export async function approve(deps: ApprovalDeps, id: string, userId: string): Promise<ApprovalResult> {
  return retryOnConflict(async () => {
    const found = await load(deps, id);
    if ('refusal' in found) return { kind: 'refused', refusal: found.refusal };
    const { d, env } = found;
    const now = deps.deploy.clock.now();
    if (d.state !== 'awaiting_approval')
      return { kind: 'refused', refusal: { code: 'decided', deployment: d }, deployment: d };
    if (d.expiresAt !== undefined && d.expiresAt <= now) {
      await expireRequest(deps, d);
      return { kind: 'refused', refusal: { code: 'expired', id: d.id } };
    }
    const membership = await membershipFor(deps.deploy.directory, userId, env.policy.approvers);
    const decision = decideApproval({
      policy: env.policy,
      requester: d.requestedBy,
      userId,
      membership,
      approvedBy: d.approvals.map((a) => a.userId),
      prior: d.approvals,
    });
    if (!decision.ok)
      return { kind: 'refused', refusal: { code: 'policy', fact: decision.refusal }, deployment: d };
    // Which rules this person could meet is kept, so later approvals are counted against them.
    const approvals = [...d.approvals, { userId, at: now, rules: decision.rules }];
    const state = decision.complete ? 'checking' : 'awaiting_approval';
    const written = await deps.deploy.store.update({ ...d, approvals, state, updatedAt: now });
    if (!written) return LOST; // someone else wrote first: look again
    const shown = await showAndRecord(deps.deploy, written);
    deps.deploy.notifier.announce?.(shown, {
      kind: 'approved',
      by: userId,
      remaining: decision.complete ? 0 : decision.remaining,
    });
    if (!decision.complete) {
      return {
        kind: 'approved',
        deployment: shown,
        remaining: decision.remaining,
      };
    }
    // The approver whose click completed the approval is the person behind the change.
    deps.deploy.background(execute(deps.deploy, env, shown, userId, { recheck: true }));
    return { kind: 'executing', deployment: shown };
  }, tooBusy);
}

async function rejectRefusal(
  deps: ApprovalDeps,
  d: Deployment,
  env: Environment,
  userId: string,
): Promise<ApprovalRefusal | undefined> {
  if (d.state !== 'awaiting_approval') return { code: 'decided', deployment: d };
  const membership = await membershipFor(deps.deploy.directory, userId, env.policy.approvers);
  if (userId !== d.requestedBy && !matches(env.policy.approvers, userId, membership))
    return { code: 'not_rejecter' };
  return undefined;
}

/** Why `userId` cannot reject request `id` now, or undefined when they can: asked before asking them why. */
export async function whyNotReject(
  deps: ApprovalDeps,
  id: string,
  userId: string,
): Promise<ApprovalRefusal | undefined> {
  const found = await load(deps, id);
  return 'refusal' in found ? found.refusal : rejectRefusal(deps, found.d, found.env, userId);
}

/** Approvers and the requester may reject; the change set is deleted and the message says who and why. */
export async function reject(
  deps: ApprovalDeps,
  id: string,
  userId: string,
  reason: string | undefined,
): Promise<ApprovalResult> {
  return retryOnConflict(async () => {
    const found = await load(deps, id);
    if ('refusal' in found) return { kind: 'refused', refusal: found.refusal };
    const { d, env } = found;
    const refusal = await rejectRefusal(deps, d, env, userId);
    if (refusal) return { kind: 'refused', refusal, deployment: d };
    const now = deps.deploy.clock.now();
    const why = reason?.trim() ? reason.trim() : 'no reason given';
    const written = await deps.deploy.store.update({
      ...d,
      state: 'rejected',
      rejectedBy: userId,
      reason: why,
      finishedAt: now,
      updatedAt: now,
    });
    if (!written) return LOST;
    await discard(deps, env, written);
    const shown = await showAndRecord(deps.deploy, written);
    deps.deploy.notifier.announce?.(shown, { kind: 'outcome' });
    return { kind: 'rejected', deployment: shown };
  }, tooBusy);
}

/** Expires every request whose time to be approved has run out. */
export async function expireDue(deps: ApprovalDeps): Promise<void> {
  const now = deps.deploy.clock.now();
  for (const d of await deps.deploy.store.inFlight()) {
    if (d.state === 'awaiting_approval' && d.expiresAt !== undefined && d.expiresAt <= now)
      await expireRequest(deps, d);
  }
}

export async function expireRequest(deps: ApprovalDeps, d: Deployment): Promise<void> {
  const now = deps.deploy.clock.now();
  const written = await deps.deploy.store.update({
    ...d,
    state: 'expired',
    cause: { kind: 'release.expired' },
    reason: undefined,
    finishedAt: now,
    updatedAt: now,
  });
  if (!written) return;
  const env = findEnvironment(deps.catalog, d.app, d.env);
  if (env) await discard(deps, env, written);
  deps.deploy.notifier.announce?.(await showAndRecord(deps.deploy, written), { kind: 'outcome' });
}

/** Removes what the review left in AWS (a change set): it will never run. */
async function discard(deps: ApprovalDeps, env: Environment, d: Deployment): Promise<void> {
  // Whoever rejected it; an expiry is Capstan's own doing.
  await targetAs(deps.deploy, env, d.rejectedBy ?? CAPSTAN)
    .discard(env, d)
    .catch((e: unknown) =>
      deps.deploy.logger.warn('could not discard a reviewed change', { id: d.id, error: errorMessage(e) }),
    );
}
