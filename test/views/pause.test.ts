import { describe, expect, it } from 'vitest';
import { announcement } from '../../src/views/announce.js';
import { deploymentMessage } from '../../src/views/deploy.js';
import { historyMessage } from '../../src/views/history.js';
import { PAUSE_ACTION } from '../../src/views/pause.js';
import { T0, deployment } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const NOW = T0 + 3 * 60_000;
const tracking = deployment().tracking!;
const paused = deployment({
  tracking: {
    ...tracking,
    waiting: 'paused at POST_TEST_TRAFFIC_SHIFT (0% production traffic)',
    stage: { stage: 'POST_TEST_TRAFFIC_SHIFT', testPercent: 100, productionPercent: 0 },
    pause: { stage: 'POST_TEST_TRAFFIC_SHIFT', timeoutAction: 'ROLLBACK', expiresAt: T0 + 3_600_000 },
  },
});
const baking = deployment({
  tracking: { ...tracking, stage: { stage: 'BAKE_TIME', productionPercent: 100, until: T0 + 600_000 } },
});
const buttons = (m: ReturnType<typeof deploymentMessage>) =>
  (m.blocks ?? []).flatMap((b) =>
    b.type === 'actions' ? b.elements.map((e) => ('action_id' in e ? e.action_id : '')) : [],
  );

describe('a progressive ECS rollout’s parent message', () => {
  it('paused at a hook: the stage, what ECS does and when (a Slack date), Continue and Roll back', async () => {
    const m = deploymentMessage(paused, NOW);
    await golden('deploy/ecs-paused', m);
    expect(m.text).toContain('rolling out 1/2: paused at test traffic on the new revision');
    expect(JSON.stringify(m.blocks)).toContain('ECS rolls back by itself at <!date^');
    expect(buttons(m)).toEqual([PAUSE_ACTION.proceed, PAUSE_ACTION.rollBack]);
  });

  it('baking: the time left as a Slack date, and Roll back alone', async () => {
    const m = deploymentMessage(baking, NOW);
    await golden('deploy/ecs-baking', m);
    expect(m.text).toContain('baking with both revisions up, 100% of production traffic, until <!date^');
    expect(buttons(m)).toEqual([PAUSE_ACTION.rollBack]);
  });

  it('history says who decided at the pauses, when and which', async () => {
    const decided = {
      ...paused,
      state: 'rolled_back' as const,
      finishedAt: NOW,
      decisions: [
        { by: 'U0BOB', at: T0 + 60_000, action: 'continue' as const, stage: 'POST_TEST_TRAFFIC_SHIFT' },
        { by: 'U0ALICE', at: T0 + 120_000, action: 'rollback' as const },
      ],
    };
    const m = historyMessage('todobackend', 'dev', [decided], NOW);
    await golden('history/ecs-decisions', m);
    expect(JSON.stringify(m.blocks)).toContain(':arrow_forward: continued by <@U0BOB> <!date^');
    expect(JSON.stringify(m.blocks)).toContain(':rewind: rolled back by <@U0ALICE>');
  });

  it('asks the approvers in the thread, naming the pause as people read it', async () => {
    const said = announcement(paused, {
      kind: 'continue_requested',
      approvers: [{ kind: 'handle', handle: 'deploy-approvers' }],
      waiting: paused.tracking!.waiting!,
      selfAllowed: false,
    });
    await golden('announce/ecs-pause', said!.message);
    expect(said!.message.text).toContain('let it go on (paused at test traffic on the new revision)');
  });

  it('no buttons once it ended', () => {
    expect(buttons(deploymentMessage({ ...paused, state: 'succeeded', finishedAt: NOW }, NOW))).toEqual([]);
  });
});
