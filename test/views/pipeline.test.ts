import { describe, expect, it } from 'vitest';
import type { PipelineDecision } from '../../src/usecases/relay.js';
import {
  commentModal,
  pipelineApprovalMessage,
  pipelineDecisionText,
  stageChangeLine,
} from '../../src/views/pipeline.js';
import { GROUP_IDS, MIN, POLICY, T0, pipelineApproval } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const NOW = T0 + 5 * MIN;
const json = (x: unknown) => JSON.stringify(x);

describe('pipeline approval messages', () => {
  it('open: what to review, approver groups as mentions, when it expires, buttons', async () => {
    const m = pipelineApprovalMessage(pipelineApproval(), POLICY, NOW, GROUP_IDS);
    await golden('pipeline/open', m);
    expect(json(m)).toContain('may approve: <!subteam^S0APPROVERS>, <@U0CAROL>');
    expect(json(m)).toContain(`*Expires*\\n<!date^${(T0 + 7 * 24 * 60 * MIN) / 1000}^`);
    expect(json(m)).toContain('capstan_pipeline_approve');
  });

  it('approved with a comment: who, when and why, no buttons, no raw ids', async () => {
    const m = pipelineApprovalMessage(
      pipelineApproval({
        state: 'approved',
        approvals: [{ userId: 'U0BOB', at: T0 + 4 * MIN }],
        decidedBy: 'U0BOB',
        outcome: 'Approved by bob (U0BOB) via Capstan: smoke tests <green>',
        updatedAt: T0 + 4 * MIN,
      }),
      POLICY,
      NOW,
    );
    await golden('pipeline/approved', m);
    const text = json(m);
    expect(text).toContain(`*Approved by* <@U0BOB> <!date^${(T0 + 4 * MIN) / 1000}^`);
    expect(text).toContain('smoke tests &lt;green&gt;');
    expect(text).not.toContain('(U0BOB)');
    expect(text).not.toContain('capstan_pipeline');
  });

  it('rejected', async () => {
    await golden(
      'pipeline/rejected',
      pipelineApprovalMessage(
        pipelineApproval({
          state: 'rejected',
          decidedBy: 'U0CAROL',
          outcome: 'Rejected by carol (U0CAROL) via Capstan',
          updatedAt: T0 + 4 * MIN,
        }),
        POLICY,
        NOW,
      ),
    );
  });

  it('expired, and decided outside Slack', async () => {
    await golden(
      'pipeline/expired',
      pipelineApprovalMessage(pipelineApproval({ state: 'expired' }), POLICY, T0 + 8 * 24 * 60 * MIN),
    );
    await golden(
      'pipeline/decided-elsewhere',
      pipelineApprovalMessage(
        pipelineApproval({
          state: 'decided_elsewhere',
          outcome: 'Decided outside Slack: Approved',
          updatedAt: T0 + MIN,
        }),
        POLICY,
        NOW,
      ),
    );
  });

  it('the comment modal', async () => {
    await golden('pipeline/comment-modal', commentModal('p-golden1', 'todobackend-pipeline'), 'modal');
  });

  it('a stage change line', async () => {
    await golden('pipeline/stage-failed', {
      text: stageChangeLine({
        pipeline: 'todobackend-pipeline',
        stage: 'Deploy',
        state: 'FAILED',
        executionId: 'abcdef12-3456',
      }),
    });
  });
});

describe('the answer to a click on a relayed approval', () => {
  const cases: [PipelineDecision, string][] = [
    [{ kind: 'unknown', id: 'p-1<x>' }, 'There is no pipeline approval `p-1&lt;x&gt;`.'],
    [
      { kind: 'not_configured', pipeline: 'web&api' },
      'Pipeline web&amp;api is no longer configured in Capstan.',
    ],
    [
      { kind: 'not_open', state: 'deciding', decidedBy: 'U0BOB' },
      'This approval is being decided right now (by <@U0BOB>).',
    ],
    [{ kind: 'not_open', state: 'decided_elsewhere' }, 'This approval is decided elsewhere.'],
    [{ kind: 'expired' }, 'This approval has expired.'],
    [{ kind: 'decided_elsewhere' }, 'This approval was already decided or has expired in CodePipeline.'],
    [
      { kind: 'refused', fact: { kind: 'approval.already' } },
      'You already approved this; it needs another approver.',
    ],
    [{ kind: 'not_approver' }, 'Only an approver can reject this.'],
    [{ kind: 'recorded', remaining: 2 }, 'Approval recorded; 2 more needed.'],
    [{ kind: 'approved', pipeline: 'web<1>' }, 'Approved: web&lt;1&gt; continues.'],
    [{ kind: 'rejected', pipeline: 'web', stage: 'Prod & Co' }, 'Rejected: web stops at Prod &amp; Co.'],
    [{ kind: 'busy' }, 'Too many people are deciding on this at once; try again.'],
  ];
  it.each(cases)('words %j, escaping outside text once', (decision, text) => {
    expect(pipelineDecisionText(decision)).toBe(text);
  });
});
