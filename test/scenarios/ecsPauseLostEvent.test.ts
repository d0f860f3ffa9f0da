import { DescribeServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { PAUSE_ACTION } from '../../src/views/pause.js';
import { EVENTS_QUEUE, FakeSqs, ecsDeploymentEvent } from '../events/fakeSqs.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { FakeServiceDeployments, blueGreen } from '../support/fakeServiceDeployments.js';
import { startProgressive } from './progressive.js';
import type { World } from './scenario.js';

let w: World | undefined;
let aws: FakeEcs;
let sqs: FakeSqs;
let clock: SkipClock;

beforeEach(() => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  sqs = new FakeSqs();
});
afterEach(async () => {
  await w?.stop();
  w = undefined;
  aws.restore();
  sqs.restore();
});

const buttonsOf = (m: StoredMessage) =>
  ((m.blocks ?? []) as { type: string; elements?: { action_id?: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id));

describe('a lost ECS Hook State Change event', () => {
  it('with the events queue configured, polling (lifecycleHookDetails) finds the pause and shows the buttons within one look', async () => {
    const sd = new FakeServiceDeployments(aws, blueGreen('ROLLBACK'));
    const world = await startProgressive(clock, `events:\n  sqsQueueUrl: ${EVENTS_QUEUE}\n`);
    w = world;
    // Once ECS has answered one look with the pause, every later look waits here: the buttons must
    // come from that one look, with no Hook State Change event (EventBridge lost it).
    const held = world.gate();
    let heldLooks = 0;
    sd.beforeDescribe = async () => {
      // The look that moves ECS into the pause is answered; any look after it is held.
      if (!sd.current.hooks.some((h) => h.status === 'AWAITING_ACTION')) return;
      heldLooks += 1;
      await held.wait();
    };
    await world.command('todobackend 1.2.3 to dev', 'C0DEV');
    // Events flow for the cluster (so polling is only the safety net); the hook's own event never comes.
    const flowing = sqs.send(
      ecsDeploymentEvent({
        id: 'ev-in-progress',
        eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
        cluster: 'todo-dev',
        service: 'todobackend-dev',
        deploymentId: 'ecs-svc/1',
      }),
    );
    const paused = await world.parent('C0DEV', '1.2.3', 'dev', /paused at/);
    expect(buttonsOf(paused)).toEqual([PAUSE_ACTION.proceed, PAUSE_ACTION.rollBack]);
    expect(JSON.stringify(paused.blocks)).toContain('<!date^');
    await world.h.slack.waitFor(() => sqs.deleted.includes(flowing));
    // The pause was read from DescribeServiceDeployments by the one look that first saw it: every
    // look since is still held, and no event about the hook was ever queued.
    expect(aws.ecs.commandCalls(DescribeServiceDeploymentsCommand).length - heldLooks).toBeGreaterThan(0);
    expect(sd.current.hooks.map((h) => h.status)).toEqual(['AWAITING_ACTION']);
    expect(sqs.deleted).toEqual([flowing]);
    held.open();
  });
});
