import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/domain/deployment.js';
import type { Announcement } from '../../src/ports/notifier.js';
import { announcement } from '../../src/views/announce.js';
import { GROUP_IDS, MIN, POLICY, T0, ended, release } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const OUTCOME: Announcement = { kind: 'outcome' };
const CAUSE =
  'ECS deployment circuit breaker: task failed to start. CannotPullContainerError: pull access denied';

const cases: [string, Deployment, Announcement, boolean][] = [
  [
    'review-requested',
    release(),
    { kind: 'review_requested', approvers: POLICY.approvers, required: 2 },
    false,
  ],
  [
    'continue-requested',
    release({ state: 'rolling_out' }),
    {
      kind: 'continue_requested',
      approvers: POLICY.approvers,
      waiting: 'waiting to reroute traffic',
      selfAllowed: false,
    },
    false,
  ],
  [
    'approved-one-more',
    release({ approvals: [{ userId: 'U0BOB', at: T0 + 2 * MIN }] }),
    { kind: 'approved', by: 'U0BOB', remaining: 1 },
    false,
  ],
  [
    'approved-going-ahead',
    release({ state: 'checking', approvals: [{ userId: 'U0BOB', at: T0 + 2 * MIN }] }),
    { kind: 'approved', by: 'U0BOB', remaining: 0 },
    false,
  ],
  [
    'rejected',
    release({
      state: 'rejected',
      rejectedBy: 'U0BOB',
      reason: 'breaks the login page',
      finishedAt: T0 + 3 * MIN,
    }),
    OUTCOME,
    false,
  ],
  [
    'expired',
    release({
      state: 'expired',
      reason: 'Nobody approved it in time; request it again.',
      finishedAt: T0 + 24 * 60 * MIN,
    }),
    OUTCOME,
    false,
  ],
  ['succeeded', ended('succeeded'), OUTCOME, false],
  ['failed', ended('failed', { reason: `${CAUSE}; ECS put \`1.2.2\` back` }), OUTCOME, true],
  ['rolled-back', ended('rolled_back', { reason: CAUSE, rollbackVersion: '1.2.1' }), OUTCOME, true],
  [
    'rollback-failed',
    ended('rollback_failed', {
      reason: `${CAUSE}; the rollback failed too: no progress for 600s`,
      rollbackVersion: '1.2.1',
    }),
    OUTCOME,
    true,
  ],
  ['superseded', ended('superseded', { reason: 'Superseded by ecs-svc/999.' }), OUTCOME, false],
  [
    'nothing-to-change',
    ended('nothing_to_change', { reason: 'Nothing to change: todobackend/dev already runs `1.2.3`.' }),
    OUTCOME,
    false,
  ],
];

describe('what a turn of a deployment says in its thread', () => {
  it.each(cases)('%s', async (name, d, a, broadcast) => {
    const said = announcement(d, a, GROUP_IDS);
    expect(said).toBeDefined();
    await golden(`announce/${name}`, said!.message);
    expect(said!.broadcast).toBe(broadcast);
  });

  it('the approver group is mentioned so it is notified; without its id it stays a name', () => {
    const a: Announcement = { kind: 'review_requested', approvers: POLICY.approvers, required: 1 };
    expect(announcement(release(), a, GROUP_IDS)!.message.text).toMatch(
      /^:raised_hand: <!subteam\^S0APPROVERS>, <@U0CAROL>:/,
    );
    expect(announcement(release(), a)!.message.text).toMatch(/^:raised_hand: @deploy-approvers, <@U0CAROL>:/);
  });

  it('the requester is mentioned on every outcome and decision', () => {
    for (const [, d, a] of cases.slice(1)) expect(announcement(d, a)!.message.text).toContain('<@U0ALICE>');
  });

  it('a failure leads with its cause and says what runs now', () => {
    const text = announcement(ended('rolled_back', { reason: CAUSE, rollbackVersion: '1.2.1' }), OUTCOME)!
      .message.text;
    expect(text).toBe(
      `:leftwards_arrow_with_hook: <@U0ALICE> your deploy of *todobackend* \`1.2.3\` to *dev* rolled back to 1.2.1: ${CAUSE}. \`1.2.1\` is running again.`,
    );
  });

  it('nothing is said about a deployment still under way', () => {
    expect(announcement(release({ state: 'rolling_out' }), OUTCOME)).toBeUndefined();
  });

  it("a rejection's reason is text, never markup", () => {
    const d = release({ state: 'rejected', rejectedBy: 'U0BOB', reason: '<!channel> look' });
    expect(announcement(d, OUTCOME)!.message.text).toContain('&lt;!channel&gt; look');
  });
});
