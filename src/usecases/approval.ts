import type { Catalog, Environment } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { STATE_LABEL } from '../domain/deployment.js';
import { decideApproval, matches } from '../domain/policy.js';
import { errorMessage } from '../lib/errors.js';
import { membershipFor } from './access.js';
import { type DeployDeps, planEcsDeploy, save, showAndRecord, startPlanned } from './deploy.js';
import { type ReleaseDeps, executeRelease } from './release.js';

export interface ApprovalDeps {
  readonly catalog: Catalog;
  readonly deploy: DeployDeps;
  readonly release: ReleaseDeps;
}

export type ApprovalResult =
  | { readonly kind: 'approved'; readonly deployment: Deployment; readonly remaining: number }
  | { readonly kind: 'executing'; readonly deployment: Deployment }
  | { readonly kind: 'rejected'; readonly deployment: Deployment }
  | { readonly kind: 'refused'; readonly reason: string };

function decided(d: Deployment): string {
  const by = d.approvals.length
    ? ` (approved by ${d.approvals.map((a) => `<@${a.userId}>`).join(', ')})`
    : '';
  if (d.state === 'rejected') return `\`${d.id}\` was already rejected by <@${d.rejectedBy ?? '?'}>.`;
  if (d.state === 'expired') return `\`${d.id}\` expired; it can no longer be approved or executed.`;
  return `\`${d.id}\` is no longer waiting for approval: it is ${STATE_LABEL[d.state]}${by}.`;
}

async function load(
  deps: ApprovalDeps,
  id: string,
): Promise<{ d: Deployment; env: Environment } | { reason: string }> {
  const d = await deps.deploy.store.get(id);
  if (!d) return { reason: `There is no request \`${id}\`.` };
  const env = findEnvironment(deps.catalog, d.app, d.env);
  if (!env) return { reason: `\`${id}\` is for ${d.app}/${d.env}, which is no longer configured.` };
  return { d, env };
}

/**
 * Adds the clicking user's approval. Authorization rests on that user's id alone; the write is a
 * compare-and-set, so of two simultaneous final approvals exactly one starts the execution.
 */
export async function approve(deps: ApprovalDeps, id: string, userId: string): Promise<ApprovalResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await load(deps, id);
    if ('reason' in found) return { kind: 'refused', reason: found.reason };
    const { d, env } = found;
    const now = deps.deploy.clock.now();
    if (d.state !== 'awaiting_approval') return { kind: 'refused', reason: decided(d) };
    if (d.expiresAt !== undefined && d.expiresAt <= now) {
      await expireRequest(deps, d);
      return { kind: 'refused', reason: `\`${d.id}\` expired; it can no longer be approved or executed.` };
    }
    const membership = await membershipFor(deps.deploy.directory, userId, env.policy.approvers);
    const decision = decideApproval({
      policy: env.policy,
      requester: d.requestedBy,
      userId,
      membership,
      approvedBy: d.approvals.map((a) => a.userId),
    });
    if (!decision.ok) return { kind: 'refused', reason: decision.reason };
    const approvals = [...d.approvals, { userId, at: now }];
    const state = decision.complete ? (d.release ? 'executing' : 'checking') : 'awaiting_approval';
    const written = await deps.deploy.store.update({ ...d, approvals, state, updatedAt: now });
    if (!written) continue; // someone else wrote first: look again
    const shown = await showAndRecord(deps.deploy, written);
    if (!decision.complete) {
      return {
        kind: 'approved',
        deployment: shown,
        remaining: Math.max(1, env.policy.approvals) - approvals.length,
      };
    }
    deps.release.background(run(deps, env, shown));
    return { kind: 'executing', deployment: shown };
  }
  return { kind: 'refused', reason: 'Too many people are deciding on this at once; try again.' };
}

async function run(deps: ApprovalDeps, env: Environment, d: Deployment): Promise<void> {
  if (d.release) {
    await executeRelease(deps.release, d);
    return;
  }
  try {
    // The approval binds to the image digest that was reviewed: a re-pushed tag is not what was approved.
    const plan = await planEcsDeploy(deps.deploy, env, d.toVersion, d.requestedBy, { checkIdle: false });
    if (plan.image.digest !== d.imageDigest) {
      throw new Error(
        `tag ${d.toVersion} now points to ${plan.image.digest}, not the approved ${d.imageDigest}; request the deploy again`,
      );
    }
    await startPlanned(deps.deploy, env, plan, d.kind, d.requestedBy, d);
  } catch (e) {
    const cur = (await deps.deploy.store.get(d.id)) ?? d;
    if (cur.state === 'checking') {
      const now = deps.deploy.clock.now();
      await showAndRecord(
        deps.deploy,
        await save(
          deps.deploy.store,
          cur,
          { state: 'failed', reason: errorMessage(e), finishedAt: now },
          now,
        ),
      );
    }
  }
}

/** Approvers and the requester may reject; the change set is deleted and the message says who and why. */
export async function reject(
  deps: ApprovalDeps,
  id: string,
  userId: string,
  reason: string | undefined,
): Promise<ApprovalResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await load(deps, id);
    if ('reason' in found) return { kind: 'refused', reason: found.reason };
    const { d, env } = found;
    if (d.state !== 'awaiting_approval') return { kind: 'refused', reason: decided(d) };
    const membership = await membershipFor(deps.deploy.directory, userId, env.policy.approvers);
    if (userId !== d.requestedBy && !matches(env.policy.approvers, userId, membership)) {
      return { kind: 'refused', reason: 'Only an approver, or the person who asked, can reject this.' };
    }
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
    if (!written) continue;
    await discardChangeSet(deps, written);
    return { kind: 'rejected', deployment: await showAndRecord(deps.deploy, written) };
  }
  return { kind: 'refused', reason: 'Too many people are deciding on this at once; try again.' };
}

export async function expireRequest(deps: ApprovalDeps, d: Deployment): Promise<void> {
  const now = deps.deploy.clock.now();
  const written = await deps.deploy.store.update({
    ...d,
    state: 'expired',
    reason: 'Nobody approved it in time; request it again.',
    finishedAt: now,
    updatedAt: now,
  });
  if (!written) return;
  await discardChangeSet(deps, written);
  await showAndRecord(deps.deploy, written);
}

async function discardChangeSet(deps: ApprovalDeps, d: Deployment): Promise<void> {
  const r = d.release;
  if (!r?.changeSetArn) return;
  await deps.release.stacks
    .deleteChangeSet(r.region, r.changeSetArn)
    .catch((e: unknown) =>
      deps.deploy.logger.warn('could not delete change set', { id: d.id, error: errorMessage(e) }),
    );
}
