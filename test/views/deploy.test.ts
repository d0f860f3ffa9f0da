import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/domain/deployment.js';
import { deploymentMessage, dryRunMessage } from '../../src/views/deploy.js';
import { historyMessage } from '../../src/views/history.js';
import type { SlackMessage } from '../../src/views/message.js';
import { DEV, DIGEST_NEW, T0, deployment, ended } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const NOW = T0 + 3 * 60_000;
const texts = (m: SlackMessage) =>
  (m.blocks ?? []).map((b) => {
    const x = b as { text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string }[] };
    return (
      x.text?.text ??
      x.fields?.map((f) => f.text).join(' | ') ??
      x.elements?.map((e) => e.text).join(' | ') ??
      ''
    );
  });
/** Where the first block mentioning `needle` is. */
const indexOf = (m: SlackMessage, needle: string) => texts(m).findIndex((t) => t.includes(needle));

const CIRCUIT_BREAKER =
  'ECS deployment circuit breaker: task failed to start. CannotPullContainerError: pull image manifest has been retried 5 time(s)';

const cases: [string, Deployment][] = [
  ['checking', deployment({ state: 'checking', tracking: undefined })],
  ['rolling-out', deployment()],
  [
    'waiting-for-people',
    deployment({
      tracking: { ...deployment().tracking!, waiting: 'waiting to reroute traffic' },
    }),
  ],
  [
    'waiting-for-people-until',
    deployment({
      tracking: {
        ...deployment().tracking!,
        waiting: 'waiting to reroute traffic',
        waitingUntil: T0 + 60 * 60_000,
      },
    }),
  ],
  ['rolling-back', deployment({ state: 'rolling_back', reason: CIRCUIT_BREAKER, rollbackVersion: '1.2.2' })],
  ['succeeded', ended('succeeded')],
  [
    'freeze-overridden',
    ended('succeeded', {
      override: { by: 'U0ADMIN', reason: 'hotfix <INC-42>', freeze: 'weekend', until: T0 + 86_400_000 },
    }),
  ],
  ['failed', ended('failed', { reason: `${CIRCUIT_BREAKER}; ECS put \`1.2.2\` back` })],
  ['rolled-back-by-capstan', ended('rolled_back', { reason: CIRCUIT_BREAKER, rollbackVersion: '1.2.1' })],
  [
    'rolled-back-by-ecs',
    ended('rolled_back', {
      reason: CIRCUIT_BREAKER,
      tracking: { ...deployment().tracking!, phase: 'rollback', rolledBackBy: 'ECS' },
    }),
  ],
  [
    'rollback-failed',
    ended('rollback_failed', {
      reason: `${CIRCUIT_BREAKER}; the rollback failed too: no progress for 600s`,
      rollbackVersion: '1.2.1',
    }),
  ],
  [
    'superseded',
    ended('superseded', {
      reason:
        "Superseded by ecs-svc/999: someone else's change replaced this one, so Capstan did not roll back over it.",
    }),
  ],
  [
    'nothing-to-change',
    ended('nothing_to_change', { reason: 'Nothing to change: todobackend/dev already runs `1.2.3`.' }),
  ],
];

describe('the parent message of a deploy', () => {
  it.each(cases)('%s', async (name, d) => {
    await golden(`deploy/${name}`, deploymentMessage(d, NOW));
  });

  it('a failure says what went wrong and what runs now before any id', () => {
    const m = deploymentMessage(
      ended('rolled_back', { reason: CIRCUIT_BREAKER, rollbackVersion: '1.2.1' }),
      NOW,
    );
    const why = indexOf(m, 'CannotPullContainerError');
    const now = indexOf(m, '`1.2.1` is running again.');
    const id = indexOf(m, 'd-golden1');
    expect(why).toBe(1);
    expect(now).toBe(2);
    expect(id).toBeGreaterThan(now);
  });

  it('after ECS rolled back by itself, the version that ran before runs again', () => {
    const m = deploymentMessage(cases.find(([n]) => n === 'rolled-back-by-ecs')![1], NOW);
    expect(texts(m)[2]).toBe('*Now:* `1.2.2` is running again.');
  });

  it('times are Slack dates, so they read right in every time zone and do not stop counting', () => {
    const m = JSON.stringify(deploymentMessage(deployment(), NOW));
    expect(m).toContain(`<!date^${(T0 + 10_000) / 1000}^`);
    expect(m).not.toMatch(/Elapsed/);
    const done = JSON.stringify(deploymentMessage(ended('succeeded'), NOW + 3_600_000));
    expect(done).toContain('*Took*\\n4m 0s');
  });

  it('"Took" is how long the change ran; the wait for approval is said apart', () => {
    const approved = deployment({
      state: 'succeeded',
      createdAt: T0,
      approvals: [{ userId: 'U0BOB', at: T0 + 67_000 }],
      finishedAt: T0 + 71_000,
    });
    const ran = JSON.stringify(deploymentMessage(approved, T0 + 100_000));
    expect(ran).toContain('*Took*\\n4s (waited 1m 7s for approval)');
    const rejected = { ...approved, state: 'rejected' as const, approvals: [], finishedAt: T0 + 119_000 };
    const refused = JSON.stringify(deploymentMessage(rejected, T0 + 200_000));
    expect(refused).toContain('*Waited*\\n1m 59s for approval');
    expect(refused).not.toContain('*Took*');
    expect(historyMessage('todobackend', 'dev', [approved], T0 + 200_000).blocks?.[1]).toMatchObject({
      text: { text: expect.stringContaining('· took 4s (waited 1m 7s for approval)') as unknown },
    });
  });

  it('links the AWS console, and shows people as mentions', () => {
    const m = JSON.stringify(deploymentMessage(deployment(), NOW));
    expect(m).toContain('|ECS service todobackend-dev>');
    expect(m).toContain('<@U0ALICE>');
    expect(m.replace(/<@U0ALICE>/g, '')).not.toContain('U0ALICE');
  });

  it('a reason from outside is text, never markup', () => {
    const m = JSON.stringify(
      deploymentMessage(ended('failed', { reason: '<!channel> broke & <https://evil|x>' }), NOW),
    );
    expect(m).toContain('&lt;!channel&gt; broke &amp; &lt;https://evil|x&gt;');
  });
});

describe('a dry run', () => {
  it('shows the image as tag and short digest, not the pinned reference', async () => {
    const m = dryRunMessage(DEV, '1.2.3', '1.2.2', deployment().review!, false);
    await golden('deploy/dry-run', m);
    const text = JSON.stringify(m);
    expect(text).toContain(
      `containerDefinitions[app].image: todobackend:1.2.2 (sha256:9f86d081884c) → todobackend:1.2.3 (${DIGEST_NEW.slice(0, 19)})`,
    );
    expect(text).not.toContain('dkr.ecr');
  });

  it('with nothing to change', async () => {
    await golden(
      'deploy/dry-run-unchanged',
      dryRunMessage(DEV, '1.2.2', '1.2.2', { diff: { title: 'Task definition changes', lines: [] } }, true),
    );
  });
});
