import { ContinueServiceDeploymentCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { PAUSE_ACTION } from '../../src/views/pause.js';
import { SkipClock } from '../fakes/skipClock.js';
import { responseTo } from '../support/harness.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { FakeServiceDeployments, blueGreen } from '../support/fakeServiceDeployments.js';
import { startProgressive } from './progressive.js';
import { type World, body } from './scenario.js';

let w: World;
let aws: FakeEcs;
let sd: FakeServiceDeployments;
let clock: SkipClock;

beforeEach(() => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  sd = new FakeServiceDeployments(aws, blueGreen('ROLLBACK'));
});
afterEach(async () => {
  await w?.stop();
  aws.restore();
});

const continues = () => aws.ecs.commandCalls(ContinueServiceDeploymentCommand).map((c) => c.args[0].input);
const stops = () => aws.ecs.commandCalls(StopServiceDeploymentCommand).length;
const buttonsOf = (m: StoredMessage) =>
  ((m.blocks ?? []) as { type: string; elements?: { action_id?: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id));

async function deployAndPause(extra = '', user = 'U0ALICE', text = 'todobackend 1.2.3 to dev') {
  w = await startProgressive(clock, extra);
  await w.command(text, 'C0DEV', user);
  return w.parent('C0DEV', '1.2.3', 'dev', /paused at/);
}

/** The value of a button on a message, as Slack sends it back on a click (the request and the pause shown). */
const valueOf = (m: StoredMessage, actionId: string): string | undefined =>
  ((m.blocks ?? []) as { type: string; elements?: { action_id?: string; value?: string }[] }[])
    .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
    .find((e) => e.action_id === actionId)?.value;

/** Clicks a button on the parent message as `user` (one the message no longer shows: as if from an older copy); the ephemeral answer. */
async function click(m: StoredMessage, actionId: string, user: string): Promise<string> {
  const r = await w.h.click({ actionId, value: valueOf(m, actionId) ?? d().id, user, message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(w.h.slack, r.responseUrl));
}
let current: { id: string } | undefined;
const d = () => current!;

describe('pause hooks become Continue and Roll back, decided on the clicking user', () => {
  beforeEach(() => {
    current = undefined;
  });
  const paused = async (extra = '', user = 'U0ALICE', text?: string) => {
    const m = await deployAndPause(extra, user, text);
    current = await w.last('dev');
    return m;
  };

  it('Continue by an approver: one ContinueServiceDeployment for the waiting hook, said and recorded, buttons gone', async () => {
    const m = await paused();
    expect(buttonsOf(m)).toEqual([PAUSE_ACTION.proceed, PAUSE_ACTION.rollBack]);
    // The approvers are asked in the thread.
    const thread = await w.threadHas(m, 'waits for one of you');
    expect(thread).toMatch(
      /<!subteam\^S0APPROVERS[^>]*>: the .* waits for one of you \(not <@U0ALICE>, who asked for it\)/,
    );
    expect(await click(m, PAUSE_ACTION.proceed, 'U0BOB')).toContain('Continuing');
    expect(continues()).toEqual([
      { serviceDeploymentArn: sd.current.arn, hookId: 'ecs-pause-1-2', action: 'CONTINUE' },
    ]);
    const after = await w.parent('C0DEV', '1.2.3', 'dev', /production traffic|baking|succeeded/);
    expect(buttonsOf(after)).not.toContain(PAUSE_ACTION.proceed);
    await w.threadHas(m, '<@U0BOB> let it go on from test traffic on the new revision');
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/, {
      stepMs: 60_000,
      timeoutMs: 20_000,
    });
    expect(buttonsOf(done)).toEqual([]);
    const last = await w.last('dev');
    expect(last.decisions).toMatchObject([
      { by: 'U0BOB', action: 'continue', stage: 'POST_TEST_TRAFFIC_SHIFT' },
    ]);
    expect(await w.command('history todobackend dev', 'C0DEV')).toContain('continued by <@U0BOB>');
  });

  it('refuses Continue from the requester (no self-approval) and from a stranger; nothing reaches ECS', async () => {
    const m = await paused();
    expect(await click(m, PAUSE_ACTION.proceed, 'U0ALICE')).toContain('other than the person who asked');
    expect(await click(m, PAUSE_ACTION.proceed, 'U0MALLORY')).toContain(
      'Only an approver of todobackend/dev',
    );
    expect(continues()).toEqual([]);
    expect((await w.last('dev')).decisions ?? []).toEqual([]);
  });

  it('a lock refuses Continue but not Roll back, which goes back through ECS', async () => {
    const m = await paused();
    expect(await w.command('lock todobackend dev incident', 'C0DEV', 'U0CAROL')).toContain('locked');
    expect(await click(m, PAUSE_ACTION.proceed, 'U0BOB')).toContain('is locked by');
    expect(continues()).toEqual([]);
    expect(await click(m, PAUSE_ACTION.rollBack, 'U0ALICE')).toContain('back through ECS');
    expect(continues()).toMatchObject([{ action: 'ROLLBACK' }]);
    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/);
    await w.threadHas(done, '<@U0ALICE> rolled it back through ECS');
    expect(stops()).toBe(0);
  });

  it('a freeze refuses Continue, never Roll back', async () => {
    const freeze = 'freezes:\n  - { name: always, cron: "* * * * *", duration: 2m }\n';
    const m = await paused(freeze, 'U0ADMIN', 'todobackend 1.2.3 to dev --override "hotfix"');
    expect(await click(m, PAUSE_ACTION.proceed, 'U0BOB')).toContain('always');
    expect(continues()).toEqual([]);
    expect(await click(m, PAUSE_ACTION.rollBack, 'U0BOB')).toContain('back through ECS');
    expect(continues()).toMatchObject([{ action: 'ROLLBACK' }]);
  });

  it('racing clicks, on two replicas, make exactly one ContinueServiceDeployment', async () => {
    const m = await paused();
    const other = await w.replica();
    const clickOn = (h: typeof w.h, user: string) =>
      h.click({ actionId: PAUSE_ACTION.proceed, value: valueOf(m, PAUSE_ACTION.proceed)!, user, message: m });
    const answers = await Promise.all([
      clickOn(w.h, 'U0BOB'),
      clickOn(other, 'U0CAROL'),
      clickOn(w.h, 'U0CAROL'),
    ]);
    const said = await Promise.all(
      answers.map((a) => responseTo(w.h.slack, a.responseUrl).then(JSON.stringify)),
    );
    expect(continues()).toHaveLength(1);
    expect(said.filter((s) => s.includes('Continuing'))).toHaveLength(1);
    expect(said.filter((s) => s.includes('already decided'))).toHaveLength(2);
    await other.stop();
  });

  it('a decision made in the console takes the buttons away within one look, said in the thread', async () => {
    const m = await paused();
    const hook = sd.current.hooks[0]!;
    sd.decide(sd.current.arn, hook.hookId, 'CONTINUE');
    const after = await w.parent('C0DEV', '1.2.3', 'dev', /: rolling out.*(production|baking)/);
    expect(buttonsOf(after)).toEqual([PAUSE_ACTION.rollBack]);
    await w.threadHas(m, 'was decided outside Slack (SUCCEEDED)');
    expect(await click(after, PAUSE_ACTION.proceed, 'U0BOB')).toContain('not waiting');
    expect(continues()).toEqual([]);
  });

  it('Roll back during the bake stops the deployment with ECS’s rollback, never a second UpdateService', async () => {
    sd.steps = blueGreen().filter((s) => !s.pause);
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const m = await w.parentLater('C0DEV', '1.2.3', 'dev', /baking/);
    current = await w.last('dev');
    const updates = aws.ecs.commandCalls((await import('@aws-sdk/client-ecs')).UpdateServiceCommand).length;
    expect(await click(m, PAUSE_ACTION.rollBack, 'U0MALLORY')).toContain('back through ECS');
    expect(stops()).toBe(1);
    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/);
    expect(body(done)).toContain('Stopped by request');
    expect(aws.ecs.commandCalls((await import('@aws-sdk/client-ecs')).UpdateServiceCommand)).toHaveLength(
      updates,
    );
  });

  it('/deploy rollback at a pause rolls back through ECS', async () => {
    await paused();
    expect(await w.command('rollback todobackend dev', 'C0DEV', 'U0CAROL')).toContain('back through ECS');
    expect(continues()).toMatchObject([{ action: 'ROLLBACK', hookId: 'ecs-pause-1-2' }]);
    await w.parent('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/);
  });

  it('after a restart while paused, the buttons still work', async () => {
    const m = await paused();
    await w.restart();
    expect(await click(m, PAUSE_ACTION.proceed, 'U0BOB')).toContain('Continuing');
    expect(continues()).toHaveLength(1);
    await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/, { stepMs: 60_000, timeoutMs: 20_000 });
  });
});
