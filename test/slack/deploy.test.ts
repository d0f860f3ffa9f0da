import {
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock, passUntil } from '../fakes/skipClock.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { REPO_URI } from '../fixtures/ecs.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { RAW_TIME, withoutSlackDates } from '../views/rawTimes.js';

let h: Harness;
let aws: FakeEcs;
let clock: SkipClock;

beforeEach(async () => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  h = await startHarness({
    yaml: TEST_YAML,
    slack: { users: USERS, groups: GROUPS },
    clock,
    sleep: clock.sleep,
  });
});
afterEach(async () => {
  await h.stop();
  aws.restore();
});

const calls = (cmd: unknown) => aws.ecs.commandCalls(cmd as never);
const text = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;

async function reply(command: string, user = 'U0ALICE', channel?: string): Promise<string> {
  const r = await h.command(command, channel === undefined ? { user } : { user, channel });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

/** The parent message of the deploy of `version`, once it matches `until`. */
function parent(version: string, until: RegExp, timeoutMs = 10_000): Promise<StoredMessage> {
  return h.slack.waitFor(
    () =>
      h.slack
        .channelMessages('C0DEV')
        .find((m) => m.text.includes(` ${version} to dev`) && until.test(m.text)),
    timeoutMs,
  );
}

function threadText(m: StoredMessage): string {
  return h.slack
    .thread(m.channel, m.ts)
    .map((x) => x.text)
    .join('\n');
}

/** Thread details are paced behind the outcome: wait until they contain `needle`. */
async function threadHas(m: StoredMessage, needle: string | RegExp): Promise<string> {
  return h.slack.waitFor(() => {
    const t = threadText(m);
    return (typeof needle === 'string' ? t.includes(needle) : needle.test(t)) ? t : undefined;
  });
}

async function deployOk(version: string) {
  await reply(`todobackend ${version}`);
  return parent(version, /: succeeded$/);
}

describe('/deploy on ECS', () => {
  it('a clean success: registers a revision pinned by digest, updates the service, follows it to the end', async () => {
    const answer = await reply('todobackend 1.2.3');
    expect(answer).toContain('Deploying *todobackend* `1.2.3` to *dev*');
    const msg = await parent('1.2.3', /: succeeded$/);
    expect(text(msg)).toContain('`1.2.2` → `1.2.3`');
    expect(text(msg)).toContain('<@U0ALICE>');
    expect(msg.edits).toBeGreaterThan(0);

    const reg = calls(RegisterTaskDefinitionCommand);
    expect(reg).toHaveLength(1);
    const input = reg[0]!.args[0].input as Record<string, unknown> & {
      containerDefinitions: { name: string; image: string }[];
      tags: { key: string; value: string }[];
    };
    expect(input.containerDefinitions.find((c) => c.name === 'app')?.image).toBe(
      `${REPO_URI}@${digestOf('1.2.3')}`,
    );
    expect(input.containerDefinitions.find((c) => c.name === 'log-router')?.image).toBe(
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
    );
    for (const readOnly of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      expect(input).not.toHaveProperty(readOnly);
    }
    expect(input.tags).toEqual(
      expect.arrayContaining([
        { key: 'Version', value: '1.2.3' },
        { key: 'capstan:requested-by', value: 'U0ALICE' },
        { key: 'team', value: 'todo' },
      ]),
    );
    const upd = calls(UpdateServiceCommand);
    expect(upd).toHaveLength(1);
    expect(upd[0]!.args[0].input).toMatchObject({
      cluster: 'todo-dev',
      service: 'todobackend-dev',
    });
    expect(String((upd[0]!.args[0].input as { taskDefinition: string }).taskDefinition)).toMatch(
      /todobackend:42$/,
    );

    await h.slack.waitFor(() => threadText(msg).includes('has reached a steady state'));
    expect(threadText(msg)).toContain('ECS deployment `ecs-svc/');

    const status = await reply('status todobackend dev');
    expect(status).toContain('`1.2.3`');
  });

  it('circuit breaker FAILED: reports the stopped tasks, rolls back to the last good version, and that rollback succeeds', async () => {
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await reply('todobackend 1.2.4-broken');
    const msg = await parent('1.2.4-broken', /rolled back to 1\.2\.3$/);
    // Cause first: why the tasks stopped; how ECS reacted (its circuit breaker) is in the thread.
    expect(text(msg)).toContain('CannotPullContainerError');
    expect(text(msg)).not.toContain('circuit breaker');
    expect(text(msg)).not.toMatch(/: succeeded/);
    const thread = await threadHas(msg, 'Rolling back to');
    expect(thread).toContain('ECS deployment circuit breaker: task failed to start.');
    expect(thread).toContain('CannotPullContainerError');
    expect(thread).toContain('Rolling back to `1.2.3`, the last version that succeeded here.');
    const updates = calls(UpdateServiceCommand);
    expect(updates).toHaveLength(3);
    const lastReg = calls(RegisterTaskDefinitionCommand).at(-1)!.args[0].input as {
      containerDefinitions: { name: string; image: string }[];
    };
    expect(lastReg.containerDefinitions[0]?.image).toBe(`${REPO_URI}@${digestOf('1.2.3')}`);
    const history = await reply('history todobackend dev');
    expect(history).toContain('rolled back to 1.2.3');
  });

  it('tasks that keep stopping with CannotPullContainerError fail the deploy even without a circuit breaker', async () => {
    await deployOk('1.2.3');
    aws.circuitBreaker = { enable: false, rollback: false };
    aws.behaviour.set('1.2.4-broken', 'cannot_pull');
    await reply('todobackend 1.2.4-broken');
    const msg = await parent('1.2.4-broken', /rolled back to 1\.2\.3$/);
    expect(text(msg)).toContain(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: tasks of the new revision keep stopping (3 in a row)',
    );
    await threadHas(msg, /Task `task\d` stopped: CannotPullContainerError/);
  });

  it('containers that start and keep exiting are a failure even though ECS counts no failed task', async () => {
    await deployOk('1.2.3');
    aws.circuitBreaker = { enable: false, rollback: false };
    aws.behaviour.set('1.2.4-broken', 'crash_loop');
    await reply('todobackend 1.2.4-broken');
    const msg = await parent('1.2.4-broken', /rolled back to 1\.2\.3$/);
    expect(text(msg)).toContain('containers of the new revision keep exiting');
    await threadHas(msg, /Task `task\d` stopped: Essential container in task exited \(app: exit code 1\)/);
  });

  it('no progress within the timeout is a failure', async () => {
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'stuck');
    await reply('todobackend 1.2.4-broken');
    // The deadline passes because the test lets the time pass, in steps well short of it.
    const msg = await passUntil(
      clock,
      (p, ms) => h.slack.waitFor(p, ms),
      () =>
        h.slack
          .channelMessages('C0DEV')
          .find((m) => m.text.includes(' 1.2.4-broken to dev') && /rolled back to 1\.2\.3$/.test(m.text)),
    );
    expect(text(msg)).toMatch(/no progress for 3s/);
  });

  it("ECS's own rollback makes the deployment disappear: reported as rolled back, and no second rollback", async () => {
    aws.behaviour.set('1.2.4-broken', 'disappear');
    await reply('todobackend 1.2.4-broken');
    const msg = await parent('1.2.4-broken', /rolled back by ECS$/);
    expect(text(msg)).toContain('ECS replaced deployment');
    expect(calls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('a circuit breaker that rolls back by itself is followed to its end, not doubled', async () => {
    await deployOk('1.2.3');
    aws.circuitBreaker = { enable: true, rollback: true };
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker_ecs_rollback');
    await reply('todobackend 1.2.4-broken');
    const msg = await parent('1.2.4-broken', /rolled back by ECS$/);
    await threadHas(msg, 'ECS is rolling back by itself');
    expect(calls(UpdateServiceCommand)).toHaveLength(2);
  });

  it('a missing tag is refused with the 5 most recently pushed tags, and nothing changes', async () => {
    const answer = await reply('todobackend 9.9.9');
    expect(answer).toContain('There is no image tagged `9.9.9` in ECR repository todobackend (us-east-1).');
    expect(answer).toContain('Most recently pushed: `1.2.4-broken`, `1.2.3`, `1.2.2`, `1.2.1`, `1.2.0`.');
    expect(calls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(calls(UpdateServiceCommand)).toHaveLength(0);
    expect(h.slack.channelMessages('C0DEV')).toHaveLength(0);
  });

  it('with no environment named, the channel of exactly one environment of the app chooses it, and the reply says so', async () => {
    const inFleet = await reply('todobackend 1.2.3 --dry-run', 'U0ALICE', 'C0FLEET');
    expect(inFleet).toContain(
      'to *dev* (the first environment of todobackend; name another with `to &lt;env&gt;`)',
    );
    const inDev = await reply('todobackend 1.2.3 --dry-run', 'U0ALICE', 'C0DEV');
    expect(inDev).toContain('to *dev* (the environment of this channel)');
    // In prod's channel, a rollback without an environment is about prod.
    const inProd = await reply('rollback todobackend', 'U0ALICE', 'C0PROD');
    expect(inProd).toContain('CloudFormation stack todobackend-prod');
    // Named, the environment is the one typed, wherever it is typed.
    const typed = await reply('todobackend 1.2.3 to dev --dry-run', 'U0ALICE', 'C0PROD');
    expect(typed).toContain('to *dev*:');
    expect(typed).not.toContain('(the ');
  });

  it('--dry-run shows the task definition difference and changes nothing', async () => {
    const answer = await reply('todobackend 1.2.3 --dry-run');
    expect(answer).toContain('Dry run');
    expect(answer).toContain(
      `containerDefinitions[app].image: todobackend:1.2.2 (${digestOf('1.2.2').slice(0, 19)}) → todobackend:1.2.3 (${digestOf('1.2.3').slice(0, 19)})`,
    );
    expect(answer).not.toContain(REPO_URI);
    expect(calls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(calls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('a second deploy while one is in flight is refused', async () => {
    aws.behaviour.set('1.2.3', 'stuck');
    await reply('todobackend 1.2.3');
    await parent('1.2.3', /rolling out/);
    const answer = await reply('todobackend 1.2.2', 'U0BOB');
    expect(answer).toMatch(/already has a deploy of `1\.2\.3` in flight \(by <@U0ALICE>/);
    expect(calls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('a rollout ECS has in progress (started outside Capstan) is respected', async () => {
    aws.startDeployment(aws.service.taskDefinition!);
    aws.behaviour.set('1.2.2', 'stuck');
    const answer = await reply('todobackend 1.2.3');
    expect(answer).toMatch(/is already rolling out ecs-svc\//);
    expect(calls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('a deployer list is enforced on the caller', async () => {
    const answer = await reply('billing 1.2.3', 'U0BOB');
    expect(answer).toContain('You may not deploy billing to staging. Deployers there: <@U0ALICE>.');
    expect(calls(DescribeServicesCommand)).toHaveLength(0);
  });
});

describe('locks', () => {
  it('a locked environment refuses deploys with who, when and why; only the owner or an admin unlocks', async () => {
    const locked = await reply('lock todobackend dev load test until 5pm', 'U0BOB');
    expect(locked).toContain('locked *todobackend/dev*: load test until 5pm');
    const refused = await reply('todobackend 1.2.3');
    expect(refused).toMatch(
      /\*todobackend\/dev\* is locked by <@U0BOB> since <!date\^\d+\^[^|]+\|[^>]+>: load test until 5pm\. Nothing changes there until <@U0BOB> or an admin runs `\/deploy unlock todobackend dev`\./,
    );
    expect(withoutSlackDates(refused)).not.toMatch(RAW_TIME);
    const again = await reply('lock todobackend dev another reason', 'U0ADMIN');
    expect(again).toMatch(
      /is locked by <@U0BOB> since <!date\^\d+\^[^|]+\|[^>]+>: load test until 5pm\. It is locked already\./,
    );
    expect(withoutSlackDates(again)).not.toMatch(RAW_TIME);
    expect(calls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    const status = await reply('status todobackend');
    expect(status).toContain(':lock: locked by <@U0BOB>');
    expect(await reply('unlock todobackend dev', 'U0ALICE')).toContain(
      'Only <@U0BOB> (who locked it) or a Capstan admin can unlock',
    );
    expect(await reply('unlock todobackend dev', 'U0ADMIN')).toContain('unlocked *todobackend/dev*');
    await reply('todobackend 1.2.3');
    await parent('1.2.3', /: succeeded$/);
  });
});

describe('/deploy rollback and history', () => {
  it('rollback goes to the last good version that is not the one running', async () => {
    await deployOk('1.2.1');
    await deployOk('1.2.3');
    const answer = await reply('rollback todobackend');
    expect(answer).toContain('Rolling back *todobackend* `1.2.1` to *dev*');
    await parent('1.2.1', /rollback of todobackend 1\.2\.1 to dev: succeeded$/);
    const history = await reply('history todobackend');
    expect(history).toContain('*rollback* to *dev* `1.2.3` → `1.2.1`: *succeeded*');
    expect(history).toContain('|thread>');
  });

  it('rollback to a named version needs it to exist in ECR', async () => {
    const answer = await reply('rollback todobackend dev to 0.0.1');
    expect(answer).toContain('There is no image tagged `0.0.1`');
    expect(calls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('rollback with no known good version says what to do', async () => {
    const answer = await reply('rollback todobackend dev');
    expect(answer).toContain('Capstan has no earlier good version of todobackend in dev. Name one');
  });
});

describe('restart', () => {
  it('a restart mid-rollout loses nothing: the new process finishes the Slack message with the real outcome', async () => {
    aws.behaviour.set('1.2.3', 'stuck');
    await reply('todobackend 1.2.3');
    await parent('1.2.3', /rolling out/);
    h = await h.restart();
    aws.behaviour.set('1.2.3', 'success');
    const msg = await parent('1.2.3', /: succeeded$/);
    expect(h.slack.channelMessages('C0DEV')).toHaveLength(1);
    expect(msg.edits).toBeGreaterThan(1);
    expect(calls(UpdateServiceCommand)).toHaveLength(1);
  });
});
