import { describe, expect, it } from 'vitest';
import { describePrincipals } from '../../src/views/principals.js';
import type { ProceedResult } from '../../src/usecases/proceed.js';
import { proceedText, reviewMessage } from '../../src/views/release.js';
import {
  BUNDLE_REVIEW,
  GROUP_IDS,
  MIN,
  POLICY,
  PROD,
  REVISION_REVIEW,
  T0,
  TASK_DEFINITION_REVIEW,
  release,
} from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const NOW = T0 + 5 * MIN;
const json = (x: unknown) => JSON.stringify(x);

describe('a review waiting for approval', () => {
  it('a change set: parameters, flagged changes first, the console, approver groups as mentions, buttons', async () => {
    const m = reviewMessage(release(), PROD, NOW, GROUP_IDS);
    await golden('release/waiting-change-set', m);
    expect(json(m)).toContain('may approve: <!subteam^S0APPROVERS>, <@U0CAROL>');
    expect(json(m)).toContain('capstan_approve');
    expect(json(m)).toContain(':warning: *Look closely:*');
  });

  it('an approval-gated deploy on ECS: the task definition difference', async () => {
    await golden(
      'release/waiting-task-definition',
      reviewMessage(release({ kind: 'deploy', review: TASK_DEFINITION_REVIEW }), PROD, NOW, GROUP_IDS),
    );
  });

  it('a Beanstalk application version', async () => {
    await golden(
      'release/waiting-bundle',
      reviewMessage(release({ review: BUNDLE_REVIEW }), PROD, NOW, GROUP_IDS),
    );
  });

  it('a CodeDeploy revision', async () => {
    await golden(
      'release/waiting-revision',
      reviewMessage(release({ review: REVISION_REVIEW }), PROD, NOW, GROUP_IDS),
    );
  });

  it('without user groups, a handle stays a name', () => {
    expect(json(reviewMessage(release(), PROD, NOW))).toContain('may approve: @deploy-approvers, <@U0CAROL>');
  });
});

describe('a decided request', () => {
  const approved = release({
    state: 'rolling_out',
    approvals: [{ userId: 'U0BOB', at: T0 + 3 * MIN }],
    tracking: { phase: 'rollout', startedAt: T0 + 3 * MIN, lastProgressAt: T0 + 3 * MIN, data: {} },
  });
  const rejected = release({
    state: 'rejected',
    rejectedBy: 'U0BOB',
    reason: 'breaks the <login> page',
    finishedAt: T0 + 3 * MIN,
    updatedAt: T0 + 3 * MIN,
  });
  const expired = release({
    state: 'expired',
    cause: { kind: 'release.expired' },
    finishedAt: T0 + 24 * 60 * MIN,
    updatedAt: T0 + 24 * 60 * MIN,
  });

  it.each([
    ['approved', approved],
    ['rejected', rejected],
    ['expired', expired],
  ])('%s: shows who decided and when, without buttons or warnings', async (name, d) => {
    const m = reviewMessage(d, PROD, T0 + 25 * 60 * MIN, GROUP_IDS);
    await golden(`release/${name}`, m);
    expect(json(m)).not.toContain('capstan_approve');
    expect(json(m)).not.toContain('capstan_reject');
    expect(json(m)).not.toContain('Look closely');
    expect(json(m)).not.toContain(':rotating_light:');
  });

  it('the decision names the person, the time and the reason', () => {
    expect(json(reviewMessage(approved, PROD, NOW))).toContain(
      `*Approved by* <@U0BOB> <!date^${(T0 + 3 * MIN) / 1000}^`,
    );
    const r = json(reviewMessage(rejected, PROD, NOW));
    expect(r).toContain('*Rejected by* <@U0BOB>: breaks the &lt;login&gt; page · <!date^');
    expect(json(reviewMessage(expired, PROD, NOW))).toContain('*Expired* <!date^');
  });

  it('a change that could not run as reviewed offers a fresh review', async () => {
    const failed = release({
      state: 'failed',
      offerFresh: true,
      approvals: [{ userId: 'U0BOB', at: T0 + 3 * MIN }],
      reason: 'The change set is OBSOLETE: the stack changed since it was made.',
      finishedAt: T0 + 4 * MIN,
    });
    const m = reviewMessage(failed, PROD, NOW);
    await golden('release/offer-fresh', m);
    expect(json(m)).toContain('capstan_refresh');
  });
});

describe('the answer to a click on Continue', () => {
  const approvers = POLICY.approvers;
  const cases: [ProceedResult, string][] = [
    [{ kind: 'unknown_request', id: 'r-<1>' }, 'There is no request `r-&lt;1&gt;`.'],
    [
      { kind: 'not_configured', id: 'r-1', app: 'todobackend', env: 'bluegreen' },
      '`r-1` is for todobackend/bluegreen, which is no longer configured.',
    ],
    [{ kind: 'not_waiting', id: 'r-1' }, '`r-1` is not waiting for anyone to continue it.'],
    [
      { kind: 'not_allowed', app: 'todobackend', env: 'bluegreen', requester: true, approvers },
      `Only an approver of todobackend/bluegreen other than the person who asked can let this go on: ${describePrincipals(approvers)}.`,
    ],
    [
      { kind: 'not_allowed', app: 'todobackend', env: 'bluegreen', requester: false, approvers },
      `Only an approver of todobackend/bluegreen can let this go on: ${describePrincipals(approvers)}.`,
    ],
    [{ kind: 'continuing', id: 'r-1' }, 'Continuing `r-1`.'],
  ];
  it.each(cases)('words %j', (result, text) => {
    expect(proceedText(result)).toBe(text);
  });
});
