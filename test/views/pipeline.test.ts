import { describe, expect, it } from 'vitest';
import { commentModal, pipelineApprovalMessage, stageChangeLine } from '../../src/views/pipeline.js';
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
