import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { World, yamlWith } from './scenario.js';

/*
 * A release may wait hours for its approval. The alarms are read again right before Capstan changes
 * AWS, and the bake judges what went off from then: not what fired (and cleared) while it waited.
 */
let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;
const FIVE_XX = 'todobackend-dev-5xx';
const ENV = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"], approvers: [U0BOB], approvals: 1 }
        rolloutTimeout: 1s
        verify: { alarms: [${FIVE_XX}], bake: 1m }
`;

beforeEach(async () => {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cw = new FakeCloudWatch(clock);
  cw.set(FIVE_XX, 'OK');
  w = await World.start(yamlWith(ENV), clock);
});
afterEach(async () => {
  await w?.stop();
  ecs.restore();
  cw.restore();
});

/** Asks for `version`, lets `during` happen while it waits for Bob, then Bob approves; the parent at its end. */
async function release(version: string, during?: () => Promise<void>) {
  await w.command(`todobackend ${version} to dev`, 'C0DEV', 'U0ALICE');
  const review = await w.h.slack.waitFor(() =>
    w.h.slack
      .channelMessages('C0DEV')
      .find((m) => m.text.includes(version) && JSON.stringify(m.blocks).includes('capstan_approve')),
  );
  await during?.();
  const d = await w.last('dev');
  const r = await w.h.click({ actionId: 'capstan_approve', value: d.id, user: 'U0BOB', message: review });
  expect(r.status).toBe(200);
  return w.parentLater('C0DEV', version, 'dev', /: (verified|succeeded|rolled back.*|failed.*|refused.*)$/, {
    stepMs: 5_000,
    timeoutMs: 20_000,
  });
}

describe('alarms while a release waits for approval', () => {
  it('an alarm that fired and cleared while it waited does not trip its bake', async () => {
    await release('1.2.1');
    const done = await release('1.2.3', async () => {
      cw.set(FIVE_XX, 'ALARM', 'unrelated outage');
      await w.passUntil(() => true, { stepMs: 60_000 });
      cw.set(FIVE_XX, 'OK', 'back');
      await w.passUntil(() => true, { stepMs: 60_000 });
    });
    expect(done.text).toMatch(/: verified$/);
    expect((await w.last('dev')).state).toBe('verified');
  });

  it('an alarm in ALARM when it is approved refuses it, naming the alarm; AWS is not changed', async () => {
    await release('1.2.1');
    const updates = () => ecs.ecs.commandCalls(UpdateServiceCommand).length;
    const before = updates();
    const done = await release('1.2.3', async () => {
      cw.set(FIVE_XX, 'ALARM', 'unrelated outage');
      await w.passUntil(() => true, { stepMs: 60_000 });
    });
    const d = await w.last('dev');
    expect(d.state).toBe('failed');
    expect(d.cause).toMatchObject({ kind: 'verify.alarmFiring', alarms: [{ name: FIVE_XX }] });
    expect(JSON.stringify(done.blocks)).toContain(FIVE_XX);
    expect(updates()).toBe(before);
  });
});
