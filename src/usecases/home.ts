import type { Catalog, Environment, PipelineRoute, Policy, Principal } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import type { VerifyAlarmed } from '../domain/facts/verify.js';
import type { Tripped } from '../domain/verify.js';
import { type PipelineApproval, routeFor } from '../domain/pipelineApproval.js';
import { decideApproval, matches } from '../domain/policy.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import { membershipFor } from './access.js';
import { type EnvStatus, type StatusDeps, readStatus } from './status.js';
import { alarmFact } from './verify/carry.js';

/** Something that cannot go on until the viewer (or another approver) acts. */
export type WaitingRequest =
  | { readonly kind: 'approval'; readonly deployment: Deployment; readonly env: Environment }
  | {
      readonly kind: 'continue';
      readonly deployment: Deployment;
      readonly env: Environment;
      /** What the rollout waits for, as the target says it. */
      readonly waiting: string;
    }
  | {
      /** An alarm went off in the bake and the environment asks (onAlarm: ask): Roll back or Keep. */
      readonly kind: 'bake';
      readonly deployment: Deployment;
      readonly env: Environment;
      /** The alarm, and its reason: said first. */
      readonly alarm: VerifyAlarmed;
      /** Since when it waits for people. */
      readonly since: number;
    }
  | { readonly kind: 'pipeline'; readonly approval: PipelineApproval; readonly route: PipelineRoute };

export interface Home {
  readonly userId: string;
  readonly at: number;
  readonly environments: readonly EnvStatus[];
  /** Only what the viewer may decide, oldest first. */
  readonly waiting: readonly WaitingRequest[];
}

export interface HomeDeps {
  readonly catalog: Catalog;
  readonly status: StatusDeps;
  readonly directory: Directory;
  readonly clock: Clock;
}

/**
 * What one person sees on Capstan's Home tab: every environment as `status` reads it (versions,
 * rollouts in flight, locks, freezes), and the requests waiting for them.
 */
export async function readHome(deps: HomeDeps, userId: string): Promise<Home> {
  const now = deps.clock.now();
  const [environments, pipeline] = await Promise.all([
    readStatus(deps.status, {}),
    openPipelineApprovals(deps),
  ]);
  const membership = membershipCache(deps.directory, userId);
  const waiting: WaitingRequest[] = [];
  for (const s of environments) {
    const d = s.inFlight;
    if (!d) continue;
    if (await mayApprove(d, s.env.policy, userId, now, membership)) {
      waiting.push({ kind: 'approval', deployment: d, env: s.env });
    } else if (await mayContinue(d, s.env.policy, userId, membership)) {
      waiting.push({ kind: 'continue', deployment: d, env: s.env, waiting: d.tracking?.waiting ?? '' });
    } else {
      const t = await bakeAsking(d, s.env.policy, userId, membership);
      if (t) {
        const since = d.verification?.lookedAt ?? t.at;
        waiting.push({ kind: 'bake', deployment: d, env: s.env, alarm: alarmFact(t), since });
      }
    }
  }
  for (const { approval, route } of pipeline) {
    if (approval.state !== 'open' || (approval.expiresAt !== undefined && approval.expiresAt <= now))
      continue;
    const decision = decideApproval({
      policy: route.policy,
      requester: undefined,
      userId,
      membership: await membership(route.policy),
      approvedBy: approval.approvals.map((a) => a.userId),
      prior: approval.approvals,
    });
    if (decision.ok) waiting.push({ kind: 'pipeline', approval, route });
  }
  waiting.sort((a, b) => createdAt(a) - createdAt(b));
  return { userId, at: now, environments, waiting };
}

type MembershipOf = (policy: Policy, of?: readonly Principal[]) => ReturnType<typeof membershipFor>;

/** Policies are often shared between environments: each list (approvers by default) is looked up once. */
function membershipCache(directory: Directory, userId: string): MembershipOf {
  const seen = new Map<string, ReturnType<typeof membershipFor>>();
  return (policy, of = policy.approvers) => {
    const key = JSON.stringify(of);
    const hit = seen.get(key) ?? membershipFor(directory, userId, of);
    seen.set(key, hit);
    return hit;
  };
}

async function mayApprove(
  d: Deployment,
  policy: Policy,
  userId: string,
  now: number,
  membership: MembershipOf,
): Promise<boolean> {
  if (d.state !== 'awaiting_approval' || (d.expiresAt !== undefined && d.expiresAt <= now)) return false;
  const decision = decideApproval({
    policy,
    requester: d.requestedBy,
    userId,
    membership: await membership(policy),
    approvedBy: d.approvals.map((a) => a.userId),
    prior: d.approvals,
  });
  return decision.ok;
}

/** The same rule as proceedRollout: an approver, not the requester unless self-approval is allowed. */
async function mayContinue(d: Deployment, policy: Policy, userId: string, membership: MembershipOf) {
  if (d.state !== 'rolling_out' || !d.tracking?.waiting) return false;
  if (!policy.allowSelfApproval && userId === d.requestedBy) return false;
  return matches(policy.approvers, userId, await membership(policy));
}

/**
 * The alarm that stopped a bake which asks people (onAlarm: ask), for those it asks (the requester
 * and the approvers) who may press one of its buttons, as chooseForBake allows: Keep for the
 * approvers (the deployers where there are none), Roll back for the deployers. undefined otherwise.
 */
async function bakeAsking(
  d: Deployment,
  policy: Policy,
  userId: string,
  membership: MembershipOf,
): Promise<Tripped | undefined> {
  const v = d.verification;
  if (d.state !== 'verifying' || !v?.tripped || v.decision) return undefined;
  const isApprover =
    policy.approvers.length > 0 && matches(policy.approvers, userId, await membership(policy));
  if (userId !== d.requestedBy && !isApprover) return undefined;
  const keepers = policy.approvers.length > 0 ? policy.approvers : policy.deployers;
  const mayKeep = matches(keepers, userId, await membership(policy, keepers));
  const mayRollBack = matches(policy.deployers, userId, await membership(policy, policy.deployers));
  return mayKeep || mayRollBack ? v.tripped : undefined;
}

/**
 * Open pipeline approvals of every route, those given as a pattern (`todobackend-*`) too: the Store
 * names the pipelines with open approvals, and each goes to the first route that matches it, as
 * relayed approvals do.
 */
async function openPipelineApprovals(
  deps: HomeDeps,
): Promise<{ approval: PipelineApproval; route: PipelineRoute }[]> {
  if (deps.catalog.pipelines.length === 0) return [];
  const names = await deps.status.store.pipelinesWithOpenApprovals();
  const found = await Promise.all(
    names.map(async (name) => {
      const route = routeFor(deps.catalog, name);
      if (route === undefined) return [];
      return (await deps.status.store.openPipelineApprovals(name)).map((approval) => ({ approval, route }));
    }),
  );
  return found.flat();
}

function createdAt(w: WaitingRequest): number {
  return w.kind === 'pipeline' ? w.approval.createdAt : w.deployment.createdAt;
}
