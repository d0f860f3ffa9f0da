import type { Policy, Principal } from './catalog.js';

/** Resolves a principal list against one user's memberships. */
export interface Membership {
  /** Group ids and handles the user belongs to (handles without `@`). */
  readonly groups: ReadonlySet<string>;
}

export function matches(principals: readonly Principal[], userId: string, m: Membership): boolean {
  return principals.some((p) => {
    switch (p.kind) {
      case 'anyone':
        return true;
      case 'user':
        return p.id === userId;
      case 'group':
        return m.groups.has(p.id);
      case 'handle':
        return m.groups.has(p.handle);
    }
  });
}

export type ApprovalDecision =
  { readonly ok: true; readonly complete: boolean } | { readonly ok: false; readonly reason: string };

/**
 * Decides whether `userId` may add an approval. Authorization rests on the clicking user's id
 * only: never on who ran the command and never on anything carried in a button.
 */
export function decideApproval(input: {
  readonly policy: Policy;
  readonly requester: string | undefined;
  readonly userId: string;
  readonly membership: Membership;
  readonly approvedBy: readonly string[];
}): ApprovalDecision {
  const { policy, requester, userId, membership, approvedBy } = input;
  if (requester !== undefined && requester === userId && !policy.allowSelfApproval) {
    return { ok: false, reason: 'You asked for this change, so someone else has to approve it.' };
  }
  if (!matches(policy.approvers, userId, membership)) {
    return {
      ok: false,
      reason: `You are not an approver here. Approvers: ${describePrincipals(policy.approvers)}.`,
    };
  }
  if (approvedBy.includes(userId)) {
    return { ok: false, reason: 'You already approved this; it needs another approver.' };
  }
  const required = Math.max(1, policy.approvals);
  return { ok: true, complete: approvedBy.length + 1 >= required };
}

export function describePrincipal(p: Principal): string {
  switch (p.kind) {
    case 'anyone':
      return 'anyone';
    case 'user':
      return `<@${p.id}>`;
    case 'group':
      return `<!subteam^${p.id}>`;
    case 'handle':
      return `@${p.handle}`;
  }
}

export function describePrincipals(ps: readonly Principal[]): string {
  return ps.length === 0 ? 'nobody' : ps.map(describePrincipal).join(', ');
}
