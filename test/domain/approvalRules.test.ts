import { sayFact } from '../../src/views/facts/index.js';
import { describe, expect, it } from 'vitest';
import type { Policy, Principal } from '../../src/domain/catalog.js';
import {
  type CountedApproval,
  approvalProgress,
  approvalRules,
  decideApproval,
  stillNeeded,
} from '../../src/domain/policy.js';

const sre: Principal = { kind: 'handle', handle: 'sre' };
const owners: Principal = { kind: 'handle', handle: 'owners' };

/** bob is in both groups; carol and erin in @sre only; dave in @owners only. */
const GROUPS: Record<string, string[]> = {
  U0BOB: ['sre', 'owners'],
  U0CAROL: ['sre'],
  U0ERIN: ['sre'],
  U0DAVE: ['owners'],
  U0ALICE: ['sre', 'owners'],
};

const base = { deployers: [{ kind: 'anyone' as const }], allowSelfApproval: false, approvalTtlMs: 3_600_000 };
const twoGroups: Policy = {
  ...base,
  approvers: [sre, owners],
  approvals: 2,
  rules: [
    { from: [sre], count: 1 },
    { from: [owners], count: 1 },
  ],
};

/** Approves one person after the other, as the use case does: each decision against the approvals before it. */
function run(policy: Policy, users: readonly string[], requester = 'U0ALICE') {
  const prior: CountedApproval[] = [];
  return users.map((userId) => {
    const decision = decideApproval({
      policy,
      requester,
      userId,
      membership: { groups: new Set(GROUPS[userId] ?? []) },
      approvedBy: prior.map((p) => p.userId),
      prior,
    });
    if (decision.ok) prior.push({ userId, rules: decision.rules });
    return decision;
  });
}

describe('approval rules from several groups', () => {
  it('someone in both groups counts once: the rule they meet is chosen so that the other can still be met', () => {
    const [bob, carol] = run(twoGroups, ['U0BOB', 'U0CAROL']);
    expect(bob).toEqual({ ok: true, complete: false, rules: [0, 1], remaining: 1 });
    // carol can only meet @sre: bob is moved to @owners, and both rules are met.
    expect(carol).toEqual({ ok: true, complete: true, rules: [0], remaining: 0 });
  });

  it('the same in the other order', () => {
    const [dave, bob] = run(twoGroups, ['U0DAVE', 'U0BOB']);
    expect(dave).toMatchObject({ ok: true, complete: false });
    expect(bob).toMatchObject({ ok: true, complete: true });
  });

  it('refuses an approval that cannot count, saying what is still needed', () => {
    const [carol, erin, bob] = run(twoGroups, ['U0CAROL', 'U0ERIN', 'U0BOB']);
    expect(carol).toMatchObject({ ok: true, complete: false });
    expect(erin).toEqual({
      ok: false,
      refusal: { kind: 'approval.wouldNotCount', needed: [{ count: 1, from: [owners] }] },
    });
    expect(erin?.ok === false && sayFact(erin.refusal)).toBe(
      'Your approval would not count: the rules you can meet already have their approvals. Still needed: 1 from @owners.',
    );
    expect(bob).toMatchObject({ ok: true, complete: true });
  });

  it('one click counts once, even for a person in both groups', () => {
    const [first, again] = run(twoGroups, ['U0BOB', 'U0BOB']);
    expect(first).toMatchObject({ ok: true, complete: false });
    expect(again).toEqual({ ok: false, refusal: { kind: 'approval.already' } });
  });

  it('the requester never counts unless self-approval is allowed', () => {
    expect(run(twoGroups, ['U0ALICE'])[0]).toEqual({
      ok: false,
      refusal: { kind: 'approval.ownRequest' },
    });
    expect(run({ ...twoGroups, allowSelfApproval: true }, ['U0ALICE', 'U0CAROL'])[1]).toMatchObject({
      ok: true,
      complete: true,
    });
  });

  it('someone in neither group is not an approver', () => {
    const mallory = run(twoGroups, ['U0MALLORY'])[0];
    expect(mallory).toEqual({
      ok: false,
      refusal: { kind: 'approval.notApprover', approvers: [sre, owners] },
    });
    expect(mallory?.ok === false && sayFact(mallory.refusal)).toBe(
      'You are not an approver here. Approvers: @sre, @owners.',
    );
  });

  it('counts above one: two from @sre and one from @owners need three different people', () => {
    const policy: Policy = {
      ...twoGroups,
      approvals: 3,
      rules: [
        { from: [sre], count: 2 },
        { from: [owners], count: 1 },
      ],
    };
    const decisions = run(policy, ['U0BOB', 'U0CAROL', 'U0ERIN']);
    expect(decisions.map((d) => d.ok && d.complete)).toEqual([false, false, true]);
    const progress = approvalProgress(policy, [
      { userId: 'U0BOB', rules: [0, 1] },
      { userId: 'U0CAROL', rules: [0] },
      { userId: 'U0ERIN', rules: [0] },
    ]);
    expect(progress.rules.map((r) => r.by)).toEqual([['U0CAROL', 'U0ERIN'], ['U0BOB']]);
  });
});

describe('a number of approvals is one rule', () => {
  const single: Policy = { ...base, approvers: [sre], approvals: 2 };

  it('derives one rule of that many people from approvers', () => {
    expect(approvalRules(single)).toEqual([{ from: [sre], count: 2 }]);
    expect(approvalRules({ ...single, approvals: 0 })).toEqual([{ from: [sre], count: 1 }]);
  });

  it('behaves as before: distinct people, complete at the count', () => {
    const decisions = run(single, ['U0CAROL', 'U0CAROL', 'U0ERIN']);
    expect(decisions.map((d) => (d.ok ? d.complete : sayFact(d.refusal)))).toEqual([
      false,
      'You already approved this; it needs another approver.',
      true,
    ]);
  });

  it('counts approvals recorded without their rules (before rules existed)', () => {
    const progress = approvalProgress(single, [{ userId: 'U0CAROL' }]);
    expect(progress).toMatchObject({ counted: 1, required: 2, complete: false });
    expect(stillNeeded(progress)).toEqual([{ count: 1, from: [sre] }]);
    expect(
      decideApproval({
        policy: single,
        requester: 'U0ALICE',
        userId: 'U0ERIN',
        membership: { groups: new Set(['sre']) },
        approvedBy: ['U0CAROL'],
      }),
    ).toMatchObject({ ok: true, complete: true });
  });
});
