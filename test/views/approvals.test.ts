import { describe, expect, it } from 'vitest';
import type { ApprovalRefusal } from '../../src/usecases/approval.js';
import { approvalRefusalText } from '../../src/views/approvals.js';
import { T0, ended, release } from '../fixtures/deployments.js';

describe('why a click on Approve or Reject changed nothing', () => {
  const approved = release({
    id: 'r-1',
    state: 'rolling_out',
    approvals: [
      { userId: 'U0BOB', at: T0 },
      { userId: 'U0CAROL', at: T0 },
    ],
  });
  const cases: [ApprovalRefusal, string][] = [
    [{ code: 'unknown_request', id: 'r-<9>' }, 'There is no request `r-&lt;9&gt;`.'],
    [
      { code: 'not_configured', id: 'r-1', app: 'todobackend', env: 'prod' },
      '`r-1` is for todobackend/prod, which is no longer configured.',
    ],
    [
      { code: 'decided', deployment: approved },
      '`r-1` is no longer waiting for approval: it is rolling out (approved by <@U0BOB>, <@U0CAROL>).',
    ],
    [
      { code: 'decided', deployment: ended('rejected', { id: 'r-2', rejectedBy: 'U0DAVE' }) },
      '`r-2` was already rejected by <@U0DAVE>.',
    ],
    [
      { code: 'decided', deployment: ended('expired', { id: 'r-3' }) },
      '`r-3` expired; it can no longer be approved or executed.',
    ],
    [{ code: 'expired', id: 'r-4' }, '`r-4` expired; it can no longer be approved or executed.'],
    [
      { code: 'policy', fact: { kind: 'approval.already' } },
      'You already approved this; it needs another approver.',
    ],
    [{ code: 'not_rejecter' }, 'Only an approver, or the person who asked, can reject this.'],
    [{ code: 'busy' }, 'Too many people are deciding on this at once; try again.'],
  ];
  it.each(cases)('words %j', (refusal, text) => {
    expect(approvalRefusalText(refusal)).toBe(text);
  });
});
