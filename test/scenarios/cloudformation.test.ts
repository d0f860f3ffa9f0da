import { CreateChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { ECS_ENVS, World, awsError, body, cfnEnv, lostConnection, yamlWith } from './scenario.js';

let w: World;
let cfn: FakeCfn;
let ecs: FakeEcs; // its ECR answers for the image tags, and the ECS environments run beside the stack

let clock: SkipClock;

beforeEach(() => {
  clock = new SkipClock();
  cfn = new FakeCfn(clock);
  ecs = new FakeEcs('todobackend-dev', { clock });
});
afterEach(async () => {
  await w?.stop();
  cfn.restore();
  ecs.restore();
});

const start = async (envs = cfnEnv()) => {
  w = await World.start(yamlWith(envs), clock);
};

const executes = () => cfn.cfn.commandCalls(ExecuteChangeSetCommand).length;
const ENDED = /: (succeeded|failed|rolled back.*|rollback failed|superseded|outcome unknown)$/;

async function deploy(version: string): Promise<string> {
  const answer = await w.command(`todobackend ${version} to prod`, 'C0PROD');
  const id =
    /request `((?:dep|r)-[a-z0-9]+)`/.exec(answer)?.[1] ?? /`((?:dep|r)-[a-z0-9]+)`/.exec(answer)?.[1];
  expect(answer).toContain(`\`${version}\``);
  return id ?? '';
}

/** The release's token: its request id, passed to ExecuteChangeSet as ClientRequestToken. */
const tokenOf = async () => ((await w.last('prod')).tracking?.data as { token?: string }).token;

describe('CloudFormation: judged by its own stack operation (ClientRequestToken), never by how the stack looks', () => {
  it('succeeds by the events of its own token', async () => {
    await start();
    await deploy('1.2.3');
    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'AWS::CloudFormation::Stack *UPDATE_COMPLETE*');
    const d = await w.last('prod');
    expect(d.state).toBe('succeeded');
    const token = await tokenOf();
    expect(token).toBe(d.id);
    const input = cfn.cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input as {
      ClientRequestToken?: string;
    };
    expect(input.ClientRequestToken).toBe(token);
  });

  it('its own update succeeded, though someone else’s failed update left the stack UPDATE_ROLLBACK_COMPLETE before Capstan looked', async () => {
    await start();
    cfn.paused = true;
    await deploy('1.2.3');
    await w.parent('C0PROD', '1.2.3', 'prod', /rolling out/);
    // Between two looks: Capstan's execution ends, then a console update fails and rolls back.
    cfn.paused = false;
    cfn.finishExecution();
    cfn.updateByOthers({
      token: 'Console-ExecuteChangeSet-1',
      failing: {
        logicalId: 'Service',
        type: 'AWS::ECS::Service',
        reason: 'Resource handler returned message: "boom"',
      },
    });
    expect(cfn.status).toBe('UPDATE_ROLLBACK_COMPLETE');

    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    expect((await w.last('prod')).state).toBe('succeeded');
  });

  it('CloudFormation rolling the stack back by itself is a failure naming the first failing resource; Capstan starts nothing', async () => {
    await start();
    cfn.failing = {
      logicalId: 'Service',
      type: 'AWS::ECS::Service',
      reason: 'Resource handler returned message: "Invalid request provided: CannotPullContainerError"',
    };
    await deploy('1.2.3');

    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain('Stack todobackend-prod ended UPDATE_ROLLBACK_COMPLETE');
    expect(body(done)).toContain('First failure: Service (AWS::ECS::Service)');
    expect((await w.last('prod')).state).toBe('failed');
    expect(executes()).toBe(1);
    expect(cfn.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });
});

describe('CloudFormation: every release ends', () => {
  it('an execution that stops moving ends at its deadline, never "rolling out" for ever', async () => {
    await start();
    cfn.paused = true;
    await deploy('1.2.3');

    const done = await w.parentLater('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: (failed|rollback failed)$/);
    expect(body(done)).toContain('no progress for 1s');
    expect((await w.last('prod')).finishedAt).toBeDefined();
  });

  it('the stack deleted under a release ends it as failed, naming the stack', async () => {
    await start();
    cfn.paused = true;
    await deploy('1.2.3');
    await w.parent('C0PROD', '1.2.3', 'prod', /rolling out/);
    cfn.deleted = true;

    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain('CloudFormation stack todobackend-prod (us-east-1) no longer exists');
    expect((await w.last('prod')).state).toBe('failed');
  });

  it('AWS unreadable past the deadline: "outcome unknown" with what was seen and the error, then the truth', async () => {
    await start();
    cfn.paused = true;
    await deploy('1.2.3');
    await w.parent('C0PROD', '1.2.3', 'prod', /rolling out/);
    cfn.throttle = true;
    cfn.paused = false;

    const unknown = await w.parentLater('C0PROD', '1.2.3', 'prod', /: outcome unknown$/);
    expect(body(unknown)).toContain('Last seen: rolling out');
    expect(body(unknown)).toMatch(/AWS is throttling cloudformation:\w+/);
    expect((await w.last('prod')).state).toBe('outcome_unknown');
    cfn.throttle = false;

    const done = await w.parentLater('C0PROD', '1.2.3', 'prod', /: succeeded$/);
    expect(done.ts).toBe(unknown.ts);
    expect((await w.last('prod')).state).toBe('succeeded');
  });
});

describe("CloudFormation: someone else's update", () => {
  it('an update that replaced Capstan’s before its end could be seen is "superseded by" it, and nothing is rolled back', async () => {
    await start();
    cfn.paused = true;
    await deploy('1.2.3');
    await w.parent('C0PROD', '1.2.3', 'prod', /rolling out/);
    // Capstan's operation ends, then a console update so large that Capstan's events are out of reach.
    cfn.paused = false;
    cfn.finishExecution();
    cfn.updateByOthers({ token: 'Console-ExecuteChangeSet-7f59', events: 600 });

    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: superseded$/);
    expect(body(done)).toContain('Superseded by stack update Console-ExecuteChangeSet-7f59');
    expect((await w.last('prod')).state).toBe('superseded');
    expect(executes()).toBe(1);
  });
});

describe('CloudFormation: reconciled before concluding', () => {
  it('ExecuteChangeSet answers with an error although the execution started: followed by its token to the end', async () => {
    await start();
    cfn.afterExecute = () => {
      throw lostConnection();
    };
    await deploy('1.2.3');

    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'but the change took effect');
    expect(await tokenOf()).toBe((await w.last('prod')).id);
    expect(executes()).toBe(1);
  });

  it('ExecuteChangeSet refused and nothing changed: failed in AWS’s words; "rolling out" never shown', async () => {
    await start();
    cfn.beforeExecute = () => {
      throw awsError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]');
    };
    await deploy('1.2.3');

    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain('Requires capabilities : [CAPABILITY_NAMED_IAM]');
    w.expectPath('C0PROD', '1.2.3', 'prod', ['checking', 'failed']);
    expect(cfn.parameters.ApplicationImageTag).toBe('1.2.2');
  });
});

describe('CloudFormation: a refused retry is not a failure until AWS says so', () => {
  it.each([
    [
      'InvalidChangeSetStatus',
      () =>
        awsError(
          'InvalidChangeSetStatusException',
          'ChangeSet [capstan] cannot be executed in its current execution status of [EXECUTE_IN_PROGRESS]',
        ),
    ],
    ['Throttling after the retries', () => awsError('Throttling', 'Rate exceeded')],
  ])(
    'ExecuteChangeSet took effect but its retry was refused (%s): followed by its token to the end',
    async (_, refusal) => {
      await start();
      cfn.afterExecute = () => {
        throw refusal();
      };
      await deploy('1.2.3');

      const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
      expect(done.text).toMatch(/: succeeded$/);
      await w.threadHas(done, 'but the change took effect');
      expect(executes()).toBe(1);
    },
  );
});

describe('CloudFormation: progress is anything that moves', () => {
  it('resources updating one after another for longer than the timeout is progress, not a stall', async () => {
    await start();
    cfn.paused = true;
    let t0 = 0;
    let said = 0;
    cfn.beforeDescribe = () => {
      if (executes() === 0 || !cfn.paused || cfn.status !== 'UPDATE_IN_PROGRESS') return;
      t0 ||= clock.now();
      // One of five services updated every 300 ms: 1.5 s in all, with a timeout of 1 s.
      const done = Math.floor((clock.now() - t0) / 300);
      while (said < Math.min(done, 5))
        cfn.executionEvent(`Service${++said}`, 'AWS::ECS::Service', 'UPDATE_COMPLETE');
      if (done >= 5) cfn.paused = false;
    };
    await deploy('1.2.3');

    const done = await w.parentLater('C0PROD', '1.2.3', 'prod', ENDED, { stepMs: 100 });
    expect(done.text).toMatch(/: succeeded$/);
    expect(clock.now() - t0).toBeGreaterThan(1000);
    await w.threadHas(done, '`Service5` AWS::ECS::Service *UPDATE_COMPLETE*');
  });
});

describe('CloudFormation: no state shown before it is true', () => {
  it('"rolling out" appears only once ExecuteChangeSet has returned', async () => {
    await start();
    const held = w.gate();
    cfn.afterExecute = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);
    await w.parent('C0PROD', '1.2.3', 'prod', /: checking$/);

    const releasedAt = Date.now();
    held.open();
    await w.parent('C0PROD', '1.2.3', 'prod', /: succeeded$/);
    const early = w
      .shown('C0PROD', '1.2.3', 'prod')
      .filter((s) => /: (rolling out|succeeded)/.test(s.text) && s.at < releasedAt);
    expect(early).toEqual([]);
  });
});

describe('CloudFormation: restarts during change-set execution', () => {
  it('an approved release, restarted while its change set executes: the next process follows it by its token to the end', async () => {
    await start(cfnEnv(1));
    cfn.paused = true;
    const id = await deploy('1.2.3');
    const review = await w.h.slack.waitFor(() =>
      w.h.slack.channelMessages('C0PROD').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
    );
    const r = await w.h.click({ actionId: 'capstan_approve', value: id, user: 'U0BOB', message: review });
    expect(r.status).toBe(200);
    await w.parent('C0PROD', '1.2.3', 'prod', /rolling out/);
    await w.threadHas(review, '*UPDATE_IN_PROGRESS*');

    await w.restart();
    cfn.paused = false;
    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/^release of .*: succeeded$/);
    expect(done.ts).toBe(review.ts);
    expect((await w.last('prod')).state).toBe('succeeded');
    expect(executes()).toBe(1);
  });

  it('dies inside ExecuteChangeSet after the execution started: the next process finds it and follows it', async () => {
    await start();
    const held = w.gate();
    cfn.afterExecute = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'Capstan restarted and picked this rollout up again.');
    expect((await w.last('prod')).state).toBe('succeeded');
    expect(executes()).toBe(1);
  });

  it('dies before ExecuteChangeSet reached CloudFormation: nothing changed, and it says so', async () => {
    await start();
    const held = w.gate();
    cfn.beforeExecute = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    const done = await w.parent('C0PROD', '1.2.3', 'prod', ENDED);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain(
      'Capstan restarted before CloudFormation stack todobackend-prod (us-east-1) was changed',
    );
    expect(cfn.parameters.ApplicationImageTag).toBe('1.2.2');
  });
});

describe('one sick stack never delays the others', () => {
  it('a throttled stack holds up no ECS rollout, and still ends at its deadline', async () => {
    await start(`${cfnEnv()}${ECS_ENVS}`);
    cfn.paused = true;
    await deploy('1.2.3');
    await w.parent('C0PROD', '1.2.3', 'prod', /rolling out/);
    cfn.throttle = true;

    expect(await w.command('todobackend 1.2.3 to dev', 'C0DEV')).toContain('`1.2.3`');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/, 5_000);
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    await w.parentLater('C0PROD', '1.2.3', 'prod', /: outcome unknown$/);
  });
});
