import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCloudFormationAdapter } from '../../src/adapters/aws/cloudformation.js';
import { createEcrAdapter } from '../../src/adapters/aws/ecr.js';
import type { Environment } from '../../src/domain/catalog.js';
import { CapstanError } from '../../src/domain/errors.js';
import { createStackStrategy } from '../../src/targets/cloudformation/index.js';
import { stackPlanSchema, stackTrackSchema } from '../../src/targets/cloudformation/schemas.js';
import { seal } from '../../src/targets/seal.js';
import type { Observation, Prepared, Started, TargetStrategy } from '../../src/targets/strategy.js';
import { sayError, sayFact as say } from '../../src/views/facts/index.js';
import { ManualClock } from '../fakes/ports.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';

const env: Environment = {
  app: 'todobackend',
  name: 'prod',
  channel: 'C0PROD',
  target: {
    kind: 'cloudformation',
    region: 'us-east-1',
    stack: 'todobackend-prod',
    imageParameter: 'ApplicationImageTag',
    repository: 'todobackend',
    capabilities: ['CAPABILITY_IAM'],
  },
  policy: { deployers: [], approvers: [], approvals: 0, allowSelfApproval: false, approvalTtlMs: 3_600_000 },
  rolloutTimeoutMs: 900_000,
  rollback: 'auto',
};

const CONSOLE = 'Console-ExecuteChangeSet-7f59c3cf-00d2-40c7-b2ff-e75db0987002';

let cfn: FakeCfn;
let ecs: FakeEcs;
let strategy: TargetStrategy;
/** Capstan's and CloudFormation's clock. */
let clock: ManualClock;

const stackStrategy = (options: { signal?: AbortSignal; changeSetPollMs?: number } = {}) =>
  seal(
    createStackStrategy({
      stacks: createCloudFormationAdapter(),
      registry: createEcrAdapter(),
      now: () => clock.now(),
      changeSetPollMs: options.changeSetPollMs ?? 1,
      changeSetTimeoutMs: 60_000,
      signal: options.signal,
    }),
  );

beforeEach(() => {
  clock = new ManualClock();
  cfn = new FakeCfn(clock);
  ecs = new FakeEcs();
  strategy = stackStrategy();
});

afterEach(() => {
  cfn.restore();
  ecs.restore();
});

async function prepare(version: string, requestId: string): Promise<Prepared> {
  const checked = await strategy.check(env, version);
  return strategy.prepare(env, { requestId, version, requestedBy: 'U0ALICE', checked });
}

async function execute(version = '1.2.3', requestId = 'r-1'): Promise<Started> {
  const prepared = await prepare(version, requestId);
  clock.advance(60_000); // the approval takes a minute
  return strategy.apply(env, { requestId, version, plan: prepared.plan, actor: 'U0BOB' });
}

async function look(data: unknown, phase: 'rollout' | 'rollback' = 'rollout'): Promise<Observation> {
  const out = await strategy.observe([{ id: 'r-1', env, phase, data, startedAt: clock.now() }]);
  return out.get('r-1')!;
}

/** Looks until the release ends, carrying the data forward and collecting the thread lines as the tracker does. */
async function follow(data: unknown, phase: 'rollout' | 'rollback' = 'rollout') {
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) {
    const obs = await look(data, phase);
    lines.push(...obs.lines.map(say));
    if (obs.kind !== 'progress') return { last: obs, lines };
    data = obs.data;
    clock.advance(15_000);
  }
  throw new Error('never ended');
}

/** What people read of an observation's cause: its reason (failed) or what is missing. */
function cause(obs: Observation): string | undefined {
  if (obs.kind === 'failed') return say(obs.reason);
  if (obs.kind === 'missing' || obs.kind === 'unrecorded') return say(obs.what);
  return undefined;
}

/** A refusal as people read it: its code and its words. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; said: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof CapstanError)) throw new Error(`expected a CapstanError, got ${String(e)}`);
  return { code: e.code, said: sayError(e) };
}

const line = (logicalId: string, type: string, status: string, reason?: string) =>
  `\`${logicalId}\` ${type} *${status}*${reason ? `: ${reason}` : ''}`;
const TD = 'AWS::ECS::TaskDefinition';
const SVC = 'AWS::ECS::Service';
const STACK = 'AWS::CloudFormation::Stack';

/** Capstan's own successful update, as its thread shows it. */
const OWN_SUCCESS = [
  line('todobackend-prod', STACK, 'UPDATE_IN_PROGRESS', 'User Initiated'),
  line('TaskDefinition', TD, 'UPDATE_IN_PROGRESS'),
  line('Service', SVC, 'UPDATE_IN_PROGRESS'),
  line('TaskDefinition', TD, 'UPDATE_COMPLETE'),
  line('Service', SVC, 'UPDATE_COMPLETE'),
  line('todobackend-prod', STACK, 'UPDATE_COMPLETE'),
];

const mutatingCalls = () =>
  [CreateChangeSetCommand, ExecuteChangeSetCommand, DeleteChangeSetCommand].reduce(
    (n, c) => n + cfn.cfn.commandCalls(c as never).length,
    0,
  );

describe('CloudFormation: the outcome is that of the change set Capstan executed', () => {
  it('succeeds by the events of its own token, and the thread shows only those', async () => {
    // Someone's earlier update: its events are on the stack, but they are not this release's.
    cfn.updateByOthers({ token: 'Console-UpdateStack-earlier' });
    clock.advance(60_000);
    const started = await execute();
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input).toMatchObject({
      ClientRequestToken: 'r-1',
    });
    // The SDK's retry of a lost CreateChangeSet answer is recognized as the same request.
    const created = cfn.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(created.ClientToken).toBe(created.ChangeSetName);
    const { last, lines } = await follow(started.data);
    expect(last.kind).toBe('succeeded');
    expect(lines).toEqual(OWN_SUCCESS);
  });

  it('a failure names the first failing resource of its own operation; CloudFormation has rolled back', async () => {
    // An earlier failed update by someone else: its failure is not this release's cause.
    cfn.updateByOthers({
      token: 'Console-UpdateStack-earlier',
      failing: { logicalId: 'OldQueue', type: 'AWS::SQS::Queue', reason: 'someone else’s failure' },
    });
    clock.advance(60_000);
    cfn.failing = {
      logicalId: 'Service',
      type: SVC,
      reason: 'Resource handler returned message: "ECS Deployment Circuit Breaker was triggered"',
    };
    const started = await execute();
    const { last, lines } = await follow(started.data);
    expect(last).toMatchObject({
      kind: 'failed',
      reason: {
        kind: 'cloudformation.operationFailed',
        of: 'stack',
        name: 'todobackend-prod',
        status: 'UPDATE_ROLLBACK_COMPLETE',
        firstFailure: {
          logicalId: 'Service',
          resourceType: SVC,
          reason: 'Resource handler returned message: "ECS Deployment Circuit Breaker was triggered"',
        },
      },
      selfRollback: { kind: 'done' },
    });
    expect(cause(last)).toBe(
      'Stack todobackend-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Service (AWS::ECS::Service): Resource handler returned message: "ECS Deployment Circuit Breaker was triggered"',
    );
    expect(lines).toContain(
      line(
        'todobackend-prod',
        STACK,
        'UPDATE_ROLLBACK_IN_PROGRESS',
        'The following resource(s) failed to update: [Service].',
      ),
    );
  });

  it('fails by its own events even when someone else’s update has since left the stack UPDATE_COMPLETE', async () => {
    cfn.failing = { logicalId: 'Service', type: SVC, reason: 'circuit breaker' };
    const started = await execute();
    cfn.finishExecution();
    clock.advance(30_000);
    cfn.failing = undefined;
    cfn.updateByOthers({ token: CONSOLE });
    expect(cfn.status).toBe('UPDATE_COMPLETE');

    const obs = await look(started.data);
    expect(obs).toMatchObject({ kind: 'failed', selfRollback: { kind: 'done' } });
    expect(cause(obs)).toBe(
      'Stack todobackend-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Service (AWS::ECS::Service): circuit breaker',
    );
    expect(obs.lines.map(say)).toEqual([
      line('todobackend-prod', STACK, 'UPDATE_IN_PROGRESS', 'User Initiated'),
      line('TaskDefinition', TD, 'UPDATE_IN_PROGRESS'),
      line('Service', SVC, 'UPDATE_IN_PROGRESS'),
      line('Service', SVC, 'UPDATE_FAILED', 'circuit breaker'),
      line(
        'todobackend-prod',
        STACK,
        'UPDATE_ROLLBACK_IN_PROGRESS',
        'The following resource(s) failed to update: [Service].',
      ),
      line('todobackend-prod', STACK, 'UPDATE_ROLLBACK_COMPLETE'),
    ]);
  });

  it('succeeds by its own UPDATE_COMPLETE when someone else’s update ended before Capstan looked', async () => {
    const started = await execute();
    cfn.finishExecution();
    clock.advance(30_000);
    // The other update failed: the stack now looks like a failure that is not Capstan's.
    cfn.updateByOthers({
      token: CONSOLE,
      failing: { logicalId: 'TaskDefinition', type: TD, reason: 'not Capstan’s failure' },
    });
    expect(cfn.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cfn.changeSets.size).toBe(0);

    const obs = await look(started.data);
    expect(obs.kind).toBe('succeeded');
    expect(obs.lines.map(say)).toEqual(OWN_SUCCESS);
  });

  it('someone else’s update that replaced Capstan’s before its end could be seen is superseded, not rolled back', async () => {
    const started = await execute();
    const first = await look(started.data);
    expect(first).toMatchObject({ kind: 'progress', moved: true });
    cfn.finishExecution();
    clock.advance(30_000);
    // A console update so big that Capstan's events are beyond what it reads back, and it deleted the
    // change set. Another update followed it: the first one is what replaced Capstan's.
    cfn.updateByOthers({ token: CONSOLE, events: 600 });
    clock.advance(30_000);
    cfn.updateByOthers({ token: 'Console-ExecuteChangeSet-second' });
    const calls = mutatingCalls();

    const obs = await look(first.data);
    expect(obs).toMatchObject({ kind: 'superseded', by: `stack update ${CONSOLE}` });
    expect(obs).not.toHaveProperty('selfRollback');
    expect(obs.lines).toEqual([]);
    expect(mutatingCalls()).toBe(calls);
  });

  it("a busy stack does not hide Capstan's own ending: events are paged back to the execution", async () => {
    const started = await execute();
    cfn.finishExecution();
    clock.advance(30_000);
    // Someone's update with more events than one page, after Capstan's finished.
    cfn.updateByOthers({ token: CONSOLE, events: 150 });
    expect(await look(started.data)).toMatchObject({ kind: 'succeeded' });
  });

  it('an update by someone who passed no token is "another stack update"', async () => {
    const started = await execute();
    cfn.finishExecution();
    clock.advance(30_000);
    cfn.updateByOthers({ events: 600 });
    expect(await look(started.data)).toMatchObject({ kind: 'superseded', by: 'another stack update' });
  });

  it('a change set that went EXECUTE_FAILED fails with CloudFormation’s reason, though the stack still looks fine', async () => {
    cfn.executionFails = 'Stack hook AWS::Guard::Check failed pre-update validation';
    const started = await execute();
    const obs = await look(started.data);
    expect(cfn.status).toBe('UPDATE_COMPLETE');
    expect(obs).toMatchObject({ kind: 'failed', selfRollback: { kind: 'done' } });
    expect(cause(obs)).toBe(
      'Change set capstan-todobackend-1-2-3-r-1 ended EXECUTE_FAILED. First failure: Stack hook AWS::Guard::Check failed pre-update validation',
    );
  });

  it('the exact change set executed by someone else (console) is followed by its ExecutionStatus', async () => {
    const prepared = await prepare('1.2.3', 'r-1');
    await createCloudFormationAdapter().executeChangeSet(
      'us-east-1',
      stackPlanSchema.parse(prepared.plan).changeSetArn,
      CONSOLE,
    );
    const started = await strategy.reconcile(env, {
      requestId: 'r-1',
      version: '1.2.3',
      plan: prepared.plan,
      actor: 'U0BOB',
    });
    expect(started).toBeDefined();
    expect(started!.lines.map(say)).toEqual([
      expect.stringMatching(/^Change set `capstan-todobackend-1-2-3-r-1` is EXECUTE_[A-Z_]+\.$/),
    ]);
    const { last, lines } = await follow(started!.data);
    expect(last.kind).toBe('succeeded');
    expect(lines).toEqual([]); // the events are the console's operation's, not Capstan's
  });

  it('a rollback is judged by its own `-rollback` token, not by the rollout it replaces', async () => {
    cfn.failing = { logicalId: 'Service', type: SVC, reason: 'circuit breaker' };
    const rollout = await execute('1.2.3', 'r-1');
    expect((await follow(rollout.data)).last.kind).toBe('failed');
    cfn.failing = undefined;
    const rollback = await execute('1.2.1', 'r-1-rollback');
    const { last, lines } = await follow(rollback.data, 'rollback');
    expect(last.kind).toBe('succeeded');
    expect(lines).toEqual(OWN_SUCCESS);
    expect(
      cfn.cfn.commandCalls(ExecuteChangeSetCommand).map((c) => c.args[0].input.ClientRequestToken),
    ).toEqual(['r-1', 'r-1-rollback']);
  });

  it('throttling makes that release unreadable with a throttled CapstanError (the tracker backs the group off when none could be read)', async () => {
    const started = await execute();
    cfn.throttle = true;
    const obs = await look(started.data);
    if (obs.kind !== 'unreadable') throw new Error(`expected unreadable, got ${obs.kind}`);
    expect(obs.error).toBeInstanceOf(CapstanError);
    expect(obs.error).toMatchObject({ code: 'throttled' });
  });

  it('throttling of DescribeChangeSet alone is not taken for a deleted change set', async () => {
    const started = await execute();
    cfn.finishExecution();
    clock.advance(30_000);
    cfn.updateByOthers({ token: CONSOLE, events: 600 });
    cfn.throttle = 'DescribeChangeSet';
    expect(await look(started.data)).toMatchObject({ kind: 'unreadable', error: { code: 'throttled' } });
  });

  it('a deleted stack is missing', async () => {
    const started = await execute();
    cfn.deleted = true;
    const obs = await look(started.data);
    expect(obs).toMatchObject({
      kind: 'missing',
      what: { kind: 'cloudformation.stackGone', stack: 'todobackend-prod', region: 'us-east-1' },
    });
    expect(cause(obs)).toBe('CloudFormation stack todobackend-prod (us-east-1) no longer exists');
  });
});

describe('CloudFormation: check() refuses what cannot be deployed, saying why', () => {
  it('a stack without the image parameter names the parameter and where to fix it', async () => {
    cfn.parameters = { DesiredCount: '3' };
    expect(await refusal(strategy.check(env, '1.2.3'))).toEqual({
      code: 'invalid_state',
      said: 'Stack todobackend-prod has no parameter ApplicationImageTag; fix `imageParameter` in capstan.yml.',
    });
  });

  it('a stack in the middle of an operation is refused until it settles', async () => {
    cfn.status = 'UPDATE_IN_PROGRESS';
    expect(await refusal(strategy.check(env, '1.2.3'))).toEqual({
      code: 'conflict',
      said: 'Stack todobackend-prod is UPDATE_IN_PROGRESS; wait until it settles.',
    });
  });

  it('a stack that does not exist is named with its region', async () => {
    cfn.deleted = true;
    expect(await refusal(strategy.check(env, '1.2.3'))).toEqual({
      code: 'not_found',
      said: 'CloudFormation stack todobackend-prod does not exist in us-east-1.',
    });
  });
});

describe('CloudFormation: only the change set that was reviewed, on the stack as it was then', () => {
  const approve = (plan: unknown) =>
    strategy.apply(env, { requestId: 'r-1', version: '1.2.3', plan, actor: 'U0BOB' });

  it('executes the reviewed change set and says so', async () => {
    const prepared = await prepare('1.2.3', 'r-1');
    const started = await approve(prepared.plan);
    expect(started.lines.map(say)).toEqual(['Executing change set `capstan-todobackend-1-2-3-r-1`.']);
  });

  it('a change set that is no longer AVAILABLE is not executed again', async () => {
    const prepared = await prepare('1.2.3', 'r-1');
    await approve(prepared.plan);
    expect(await refusal(approve(prepared.plan))).toEqual({
      code: 'conflict',
      said: expect.stringMatching(
        /^The change set is EXECUTE_[A-Z_]+, so it was not executed\. Prepare a fresh change set to try again\.$/,
      ) as string,
    });
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  it('a stack updated since the change set was made is not touched; the refusal names that update, never a raw time', async () => {
    const prepared = await prepare('1.2.3', 'r-1');
    clock.advance(60_000);
    cfn.updateByOthers({ token: CONSOLE, keepChangeSets: true });
    const refused = await approve(prepared.plan).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(CapstanError);
    expect(refused).toMatchObject({
      code: 'conflict',
      fact: {
        kind: 'cloudformation.stackChanged',
        stack: 'todobackend-prod',
        status: 'UPDATE_COMPLETE',
        byToken: CONSOLE,
      },
    });
    expect(sayError(refused as CapstanError)).toBe(
      `Stack todobackend-prod changed since this change set was made (by stack update ${CONSOLE}, now UPDATE_COMPLETE), so it was not executed. Prepare a fresh change set to try again.`,
    );
    expect(sayError(refused as CapstanError)).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('where no event names the update, the refusal gives the stack’s status alone', async () => {
    const prepared = await prepare('1.2.3', 'r-1');
    cfn.lastUpdated = new Date(clock.now() + 60_000);
    expect(await refusal(approve(prepared.plan))).toEqual({
      code: 'conflict',
      said: 'Stack todobackend-prod changed since this change set was made (now UPDATE_COMPLETE), so it was not executed. Prepare a fresh change set to try again.',
    });
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('a plan that does not decode is refused, named, and nothing is executed', async () => {
    const prepared = await prepare('1.2.3', 'r-1');
    const damaged = { ...stackPlanSchema.parse(prepared.plan), changeSetArn: 42 };
    await expect(approve(damaged)).rejects.toMatchObject({
      code: 'invalid_state',
      fact: {
        kind: 'record.unreadable',
        id: 'r-1',
        what: 'the plan',
        problem: expect.stringMatching(/^changeSetArn: /) as string,
      },
    });
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });
});

describe('CloudFormation: what Capstan recorded is decoded before the strategy reads it', () => {
  it('tracking that does not decode ends that rollout, named, without a look at AWS; the others of the look are judged', async () => {
    const started = await execute();
    const damaged = { ...stackTrackSchema.parse(started.data), executedAt: 'a minute ago' };
    const calls = cfn.cfn.calls().length;
    const alone = await strategy.observe([{ id: 'r-2', env, phase: 'rollout', data: damaged, startedAt: 0 }]);
    expect(alone.get('r-2')).toMatchObject({
      kind: 'unrecorded',
      data: damaged,
      what: {
        kind: 'record.unreadable',
        id: 'r-2',
        what: 'its tracking',
        problem: expect.stringMatching(/^executedAt: /) as string,
      },
    });
    expect(cfn.cfn.calls()).toHaveLength(calls);

    const both = await strategy.observe([
      { id: 'r-1', env, phase: 'rollout', data: started.data, startedAt: 0 },
      { id: 'r-2', env, phase: 'rollout', data: damaged, startedAt: 0 },
    ]);
    expect(both.get('r-1')).toMatchObject({ kind: 'progress', moved: true });
    expect(both.get('r-2')).toMatchObject({ kind: 'unrecorded' });
  });
});

describe('CloudFormation: the change set is waited for with the SDK’s waiter', () => {
  it('what check() read reaches prepare() decoded: the stack is described once', async () => {
    const prepared = await prepare('1.2.3', 'r-1');
    expect(prepared.review.parameters).toEqual([{ key: 'ApplicationImageTag', from: '1.2.2', to: '1.2.3' }]);
    expect(cfn.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('Capstan stopping ends the wait at once: the request is refused, nothing changed, and the change set is removed', async () => {
    const stopping = new AbortController();
    strategy = stackStrategy({ signal: stopping.signal });
    cfn.computing = true;
    const preparing = prepare('1.2.3', 'r-1');
    preparing.catch(() => undefined);
    // CloudFormation is still computing it, look after look.
    await vi.waitFor(() =>
      expect(cfn.cfn.commandCalls(DescribeChangeSetCommand).length).toBeGreaterThanOrEqual(3),
    );
    stopping.abort();
    expect(await refusal(preparing)).toEqual({
      code: 'upstream',
      said: 'Capstan stopped while CloudFormation computed the change set; nothing changed. Run the deploy again.',
    });
    expect(cfn.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.changeSets.size).toBe(0);
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('a change set still being computed when the time is up is refused, saying how long, and removed', async () => {
    // The SDK's waiter keeps its own time (setTimeout, Date.now): it is run on fake timers.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      strategy = stackStrategy({ changeSetPollMs: 5_000 });
      cfn.computing = true;
      const preparing = prepare('1.2.3', 'r-1');
      preparing.catch(() => undefined);
      await vi.advanceTimersByTimeAsync(61_000);
      expect(await refusal(preparing)).toEqual({
        code: 'upstream',
        said: 'The change set was still CREATE_IN_PROGRESS after 60s.',
      });
      expect(cfn.changeSets.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
