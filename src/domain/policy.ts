import type { ApprovalRefusalFact } from './facts/common.js';
import type { ApprovalRule, Policy, Principal } from './catalog.js';

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

/** An approval as counted: who, and which rules (by index) they could meet when they clicked. */
export interface CountedApproval {
  readonly userId: string;
  /** Absent on approvals recorded under a one-rule policy: they count for that rule. */
  readonly rules?: readonly number[] | undefined;
}

export type ApprovalDecision =
  | {
      readonly ok: true;
      readonly complete: boolean;
      /** The rules this person can meet: recorded with their approval. */
      readonly rules: readonly number[];
      /** Approvals still needed after this one. */
      readonly remaining: number;
    }
  | { readonly ok: false; readonly refusal: ApprovalRefusalFact };

/** The rules approvals must meet: the policy's own, or one rule of `approvals` people from `approvers`. */
export function approvalRules(policy: Policy): readonly ApprovalRule[] {
  if (policy.rules && policy.rules.length > 0) return policy.rules;
  return [{ from: policy.approvers, count: Math.max(1, policy.approvals) }];
}

export interface RuleProgress {
  readonly rule: ApprovalRule;
  /** The people whose approval counts for this rule. */
  readonly by: readonly string[];
}

export interface ApprovalProgress {
  readonly rules: readonly RuleProgress[];
  readonly counted: number;
  readonly required: number;
  readonly complete: boolean;
}

/**
 * Which approval counts for which rule. One person counts once, for one rule; when someone could
 * meet several rules, approvals are assigned so that as many rules as possible are met (a
 * bipartite matching by augmenting paths: people on one side, the rules' places on the other).
 */
export function approvalProgress(policy: Policy, approvals: readonly CountedApproval[]): ApprovalProgress {
  const rules = approvalRules(policy);
  const slotRule = rules.flatMap((r, i) => Array.from({ length: r.count }, () => i));
  const holder: (number | undefined)[] = slotRule.map(() => undefined);
  const people = approvals.filter((a, i) => approvals.findIndex((b) => b.userId === a.userId) === i);
  const eligible = people.map((a) => a.rules ?? (rules.length === 1 ? [0] : []));
  const place = (person: number, seen: Set<number>): boolean => {
    for (let s = 0; s < slotRule.length; s++) {
      if (seen.has(s) || !eligible[person]!.includes(slotRule[s]!)) continue;
      seen.add(s);
      const current = holder[s];
      if (current === undefined || place(current, seen)) {
        holder[s] = person;
        return true;
      }
    }
    return false;
  };
  people.forEach((_, p) => place(p, new Set()));
  const progress = rules.map((rule, i) => ({
    rule,
    by: holder
      .filter((h, s): h is number => h !== undefined && slotRule[s] === i)
      .sort((a, b) => a - b)
      .map((h) => people[h]!.userId),
  }));
  const counted = holder.filter((h) => h !== undefined).length;
  return { rules: progress, counted, required: slotRule.length, complete: counted >= slotRule.length };
}

/** What the approvals still lack: so many more from these principals, per rule not yet met. */
export function stillNeeded(progress: ApprovalProgress): { count: number; from: Principal[] }[] {
  return progress.rules
    .filter((r) => r.by.length < r.rule.count)
    .map((r) => ({ count: r.rule.count - r.by.length, from: [...r.rule.from] }));
}

/**
 * Decides whether `userId` may add an approval. Authorization rests on the clicking user's id
 * only: never on who ran the command and never on anything carried in a button. An approval is
 * taken only when it counts: when it meets a rule still open, directly or by letting an earlier
 * approver count for another rule.
 */
export function decideApproval(input: {
  readonly policy: Policy;
  readonly requester: string | undefined;
  readonly userId: string;
  readonly membership: Membership;
  readonly approvedBy: readonly string[];
  /** The earlier approvals with the rules they could meet; without it, `approvedBy` under a one-rule policy. */
  readonly prior?: readonly CountedApproval[] | undefined;
}): ApprovalDecision {
  const { policy, requester, userId, membership, approvedBy } = input;
  if (requester !== undefined && requester === userId && !policy.allowSelfApproval) {
    return { ok: false, refusal: { kind: 'approval.ownRequest' } };
  }
  const rules = approvalRules(policy);
  const eligible = rules.flatMap((r, i) => (matches(r.from, userId, membership) ? [i] : []));
  if (eligible.length === 0) {
    return { ok: false, refusal: { kind: 'approval.notApprover', approvers: [...policy.approvers] } };
  }
  if (approvedBy.includes(userId)) {
    return { ok: false, refusal: { kind: 'approval.already' } };
  }
  const prior = input.prior ?? approvedBy.map((u) => ({ userId: u }));
  const before = approvalProgress(policy, prior);
  const after = approvalProgress(policy, [...prior, { userId, rules: eligible }]);
  if (after.counted <= before.counted) {
    return { ok: false, refusal: { kind: 'approval.wouldNotCount', needed: stillNeeded(before) } };
  }
  return { ok: true, complete: after.complete, rules: eligible, remaining: after.required - after.counted };
}

/** The handles among `ps`, to look their group ids up. */
export function handlesOf(ps: readonly Principal[]): string[] {
  return ps.flatMap((p) => (p.kind === 'handle' ? [p.handle] : []));
}
