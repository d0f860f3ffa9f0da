import {
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCodeDeployAdapter } from '../../src/adapters/aws/codedeploy.js';
import { createEcrAdapter } from '../../src/adapters/aws/ecr.js';
import { createEcsAdapter } from '../../src/adapters/aws/ecs.js';
import { createS3Adapter } from '../../src/adapters/aws/s3.js';
import type { Environment } from '../../src/domain/catalog.js';
import { CapstanError } from '../../src/domain/errors.js';
import { createCodeDeployEcsStrategy } from '../../src/targets/codedeploy-ecs/index.js';
import { createCodeDeployServerStrategy, versionFromKey } from '../../src/targets/codedeploy-server/index.js';
import { seal } from '../../src/targets/seal.js';
import { sayError, sayFact as say } from '../../src/views/facts/index.js';
import type { EnvironmentOf, Observation, Started, TargetStrategy } from '../../src/targets/strategy.js';
import { ManualClock } from '../fakes/ports.js';
import { REPO_URI, tdArn } from '../fixtures/ecs.js';
import { APP, BUCKET, FakeCodeDeploy, GROUP, REGION } from '../support/fakeCodeDeploy.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';

const policy = {
  deployers: [],
  approvers: [],
  approvals: 0,
  allowSelfApproval: false,
  approvalTtlMs: 3_600_000,
};

const serverEnv: EnvironmentOf<'codedeploy-server'> = {
  app: 'todobackend',
  name: 'prod',
  channel: 'C0PROD',
  target: {
    kind: 'codedeploy-server',
    region: REGION,
    application: APP,
    deploymentGroup: GROUP,
    revision: { bucket: BUCKET, key: 'todobackend/{version}.zip', bundleType: 'zip' },
  },
  policy,
  rolloutTimeoutMs: 900_000,
  rollback: 'auto',
};

const ecsEnv: EnvironmentOf<'codedeploy-ecs'> = {
  ...serverEnv,
  target: {
    kind: 'codedeploy-ecs',
    region: REGION,
    application: APP,
    deploymentGroup: GROUP,
    ecs: {
      cluster: 'todo-dev',
      service: 'todobackend-dev',
      container: 'app',
      repository: 'todobackend',
      containerPort: 8000,
    },
  },
};

let fake: FakeCodeDeploy;
/** The one clock of each test: Capstan's and CodeDeploy's. */
let clock: ManualClock;
let fakeEcs: FakeEcs | undefined;
let strategy: TargetStrategy;

function build(platform: 'Server' | 'ECS'): void {
  clock = new ManualClock();
  fake = new FakeCodeDeploy(platform, clock);
  const deps = {
    codedeploy: createCodeDeployAdapter(),
    objects: createS3Adapter(),
    registry: createEcrAdapter(),
    ecs: createEcsAdapter(),
    now: () => clock.now(),
  };
  strategy =
    platform === 'Server'
      ? seal(createCodeDeployServerStrategy(deps))
      : seal(createCodeDeployEcsStrategy(deps));
}

afterEach(() => {
  fake.restore();
  fakeEcs?.restore();
  fakeEcs = undefined;
});

async function deploy(env: Environment, version: string, requestId = 'dep-1'): Promise<Started> {
  const checked = await strategy.check(env, version);
  const prepared = await strategy.prepare(env, { requestId, version, requestedBy: 'U0ALICE', checked });
  return strategy.apply(env, { requestId, version, plan: prepared.plan, actor: 'U0BOB' });
}

async function look(
  env: Environment,
  data: unknown,
  phase: 'rollout' | 'rollback' = 'rollout',
): Promise<Observation> {
  const out = await strategy.observe([{ id: 'dep-1', env, phase, data, startedAt: fake.now() }]);
  return out.get('dep-1')!;
}

/** Looks until the rollout ends, carrying the data forward as the tracker does. */
async function follow(env: Environment, data: unknown, phase: 'rollout' | 'rollback' = 'rollout') {
  const seen: Observation[] = [];
  for (let i = 0; i < 10; i++) {
    const obs = await look(env, data, phase);
    seen.push(obs);
    if (obs.kind !== 'progress') return { last: obs, seen };
    data = obs.data;
    clock.advance(15_000);
  }
  throw new Error('never ended');
}

const idOf = (s: Started) => (s.data as { deploymentId: string }).deploymentId;

describe('CodeDeploy on EC2/on-premises: an S3 bundle per version', () => {
  beforeEach(() => build('Server'));

  it('deploys the bundle of a version and follows the deployment to success', async () => {
    const checked = await strategy.check(serverEnv, '1.2.3');
    expect(checked.fromVersion).toBe('1.2.2');
    expect(checked.digest).toBeUndefined();

    const prepared = await strategy.prepare(serverEnv, {
      requestId: 'dep-1',
      version: '1.2.3',
      requestedBy: 'U0ALICE',
      checked,
    });
    expect(prepared.unchanged).toBe(false);
    expect(prepared.review.diff).toEqual({
      title: 'Revision',
      lines: [
        's3://todo-bundles/todobackend/1.2.2.zip → s3://todo-bundles/todobackend/1.2.3.zip (eTag etag-1.2.3)',
      ],
    });

    const started = await strategy.apply(serverEnv, {
      requestId: 'dep-1',
      version: '1.2.3',
      plan: prepared.plan,
      actor: 'U0BOB',
    });
    const id = idOf(started);
    expect(fake.cd.commandCalls(CreateDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      {
        applicationName: APP,
        deploymentGroupName: GROUP,
        revision: {
          revisionType: 'S3',
          s3Location: { bucket: BUCKET, key: 'todobackend/1.2.3.zip', bundleType: 'zip', eTag: 'etag-1.2.3' },
        },
        description: 'Capstan dep-1 by U0BOB: 1.2.3',
      },
    ]);
    expect(started.lines.map(say)).toEqual([
      `:rocket: CodeDeploy deployment \`${id}\` started: \`s3://todo-bundles/todobackend/1.2.3.zip\` to group \`${GROUP}\`.`,
    ]);

    const { last, seen } = await follow(serverEnv, started.data);
    expect(seen[0]).toMatchObject({ kind: 'progress', moved: true, progress: { done: 0, total: 2 } });
    expect(seen[0]!.lines.map(say)).toEqual([
      `:hourglass_flowing_sand: CodeDeploy deployment \`${id}\`: InProgress (0/2 targets done).`,
    ]);
    expect(last.kind).toBe('succeeded');
    expect(await strategy.running(serverEnv)).toBe('1.2.3');

    const reading = (await strategy.read([serverEnv], true)).get(serverEnv);
    expect(reading).toMatchObject({
      version: '1.2.3',
      state: 'Succeeded',
      inProgress: false,
      consoleUrl: `https://console.aws.amazon.com/codesuite/codedeploy/applications/${APP}/deployment-groups/${GROUP}?region=${REGION}`,
    });
    expect(reading).not.toBeInstanceOf(Error);
    if (!(reading instanceof Error)) {
      expect(reading?.facts.map(say)).toEqual([
        `last deployment ${id} Succeeded`,
        'revision s3://todo-bundles/todobackend/1.2.3.zip',
        'no automatic rollback in CodeDeploy',
      ]);
    }
  });

  it('says there is nothing to change for the version the group already runs', async () => {
    const checked = await strategy.check(serverEnv, '1.2.2');
    const prepared = await strategy.prepare(serverEnv, {
      requestId: 'dep-1',
      version: '1.2.2',
      requestedBy: 'U0ALICE',
      checked,
    });
    expect(prepared.unchanged).toBe(true);
  });

  it('refuses a version with no bundle in S3, naming the S3 URI', async () => {
    const refusal = strategy.check(serverEnv, '9.9.9');
    await expect(refusal).rejects.toBeInstanceOf(CapstanError);
    await expect(refusal).rejects.toMatchObject({
      code: 'not_found',
      fact: { kind: 'codedeploy.bundleMissing', uri: 's3://todo-bundles/todobackend/9.9.9.zip' },
    });
    const said = await refusal.catch((e: unknown) => (e instanceof CapstanError ? sayError(e) : ''));
    expect(said).toBe(
      'There is no bundle for `9.9.9` at s3://todo-bundles/todobackend/9.9.9.zip (us-east-1): upload it first.',
    );
    expect(fake.cd.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('refuses while another deployment is in progress in the group, naming it', async () => {
    fake.behave('1.2.1', 'stuck');
    const other = fake.startForeign('todobackend/1.2.1.zip');
    const refusal = await strategy.check(serverEnv, '1.2.3').catch((e: unknown) => e);
    expect(refusal).toMatchObject({
      code: 'conflict',
      fact: { kind: 'codedeploy.groupBusy', busy: { deploymentId: other } },
    });
    expect(refusal instanceof CapstanError && sayError(refusal)).toMatch(
      new RegExp(`^CodeDeploy deployment ${other} \\(.*"hotfix from the console"\\) is already in progress`),
    );
  });

  it('follows CodeDeploy’s own rollback of a failure by the rollback’s id, with the cause first', async () => {
    fake.autoRollback(true);
    fake.behave('1.2.4-broken', 'fail');
    const started = await deploy(serverEnv, '1.2.4-broken');
    const failed = (await follow(serverEnv, started.data)).last;

    expect(failed.kind).toBe('failed');
    if (failed.kind !== 'failed') return;
    expect(say(failed.reason)).toBe(
      'ApplicationStart failed on i-0abc1234: ScriptFailed: Script at specified location: scripts/start.sh run as user root failed with exit code 1' +
        ' (log: [stderr]Traceback (most recent call last): ⏎ [stderr]  File "manage.py", line 8' +
        ' ⏎ [stderr]django.db.utils.OperationalError: could not connect to server) — CodeDeploy: HEALTH_CONSTRAINTS',
    );
    const rollbackId = fake.last.deploymentId!;
    expect(rollbackId).not.toBe(idOf(started));
    expect(failed.selfRollback).toEqual({
      kind: 'following',
      data: { deploymentId: rollbackId, rollbackOf: idOf(started) },
    });
    const lines = failed.lines.map(say);
    expect(lines[0]).toMatch(/^:x: CodeDeploy deployment `d-\w+` failed: HEALTH_CONSTRAINTS: The overall/);
    expect(lines).toContain(`:x: ${say(failed.reason).split(' — ')[0]}`);
    expect(lines.at(-1)).toContain(`rolling back by itself (deployment \`${rollbackId}\`)`);

    fake.cd.resetHistory();
    const rollback = await follow(
      serverEnv,
      { deploymentId: rollbackId, rollbackOf: idOf(started) },
      'rollback',
    );
    expect(rollback.last.kind).toBe('succeeded');
    expect(rollback.last.lines.map(say)).toEqual([
      `:white_check_mark: CodeDeploy's rollback \`${rollbackId}\` succeeded (2/2 targets done): the group runs \`1.2.2\` again.`,
    ]);
    const asked = fake.cd.commandCalls(GetDeploymentCommand).map((c) => c.args[0].input.deploymentId);
    expect(new Set(asked)).toEqual(new Set([rollbackId]));
    expect(await strategy.running(serverEnv)).toBe('1.2.2');
  });

  it('leaves the rollback to Capstan when the group does not roll back by itself', async () => {
    fake.behave('1.2.4-broken', 'fail');
    const started = await deploy(serverEnv, '1.2.4-broken');
    const { last } = await follow(serverEnv, started.data);
    expect(last.kind).toBe('failed');
    if (last.kind !== 'failed') return;
    expect(last.selfRollback).toBeUndefined();
    expect(say(last.reason)).toMatch(/^ApplicationStart failed on i-0abc1234: ScriptFailed: /);
  });

  it('waits briefly for an automatic rollback CodeDeploy has not started yet, posting the cause once', async () => {
    fake.autoRollback(true);
    fake.rollbackDelay = 1;
    fake.behave('1.2.4-broken', 'fail');
    const again = await deploy(serverEnv, '1.2.4-broken');
    const inProgress = await look(serverEnv, again.data);
    const waiting = await look(serverEnv, inProgress.data);
    expect(waiting).toMatchObject({ kind: 'progress', moved: true });
    expect(waiting.lines.at(-1)).toEqual({ kind: 'codedeploy.awaitingRollback' });
    expect(say(waiting.lines[1]!)).toMatch(/^:x: ApplicationStart failed on i-0abc1234/);
    clock.advance(15_000);
    const following = await look(serverEnv, waiting.data);
    expect(following.kind).toBe('failed');
    if (following.kind !== 'failed') return;
    expect(following.selfRollback?.kind).toBe('following');
    expect(following.reason).toMatchObject({
      kind: 'codedeploy.failure',
      event: { event: 'ApplicationStart', target: 'i-0abc1234' },
    });
    expect(following.lines).toHaveLength(1); // the cause was posted already
  });

  it('rolls back itself when CodeDeploy never starts the rollback its group promises', async () => {
    fake.autoRollback(true);
    fake.rollbackDelay = Infinity;
    fake.behave('1.2.4-broken', 'fail');
    const started = await deploy(serverEnv, '1.2.4-broken');
    const inProgress = await look(serverEnv, started.data);
    const waiting = await look(serverEnv, inProgress.data);
    expect(waiting).toMatchObject({ kind: 'progress', moved: true });
    clock.advance(60_000);
    const still = await look(serverEnv, waiting.data);
    expect(still).toMatchObject({ kind: 'progress', moved: false, lines: [] });
    clock.advance(31_000);
    const failed = await look(serverEnv, still.data);
    expect(failed.kind).toBe('failed');
    if (failed.kind !== 'failed') return;
    expect(failed.selfRollback).toBeUndefined();
    expect(say(failed.lines.at(-1)!)).toContain('did not start a rollback');
  });

  it('shows why CodeDeploy declined to roll back, and still gives it the grace period first', async () => {
    fake.autoRollback(true);
    // Illustrative text: what CodeDeploy writes here is not documented.
    fake.rollbackRefusal = 'Automatic rollback not performed <no earlier revision>';
    fake.behave('1.2.4-broken', 'fail');
    const started = await deploy(serverEnv, '1.2.4-broken');
    const waiting = await look(serverEnv, (await look(serverEnv, started.data)).data);
    expect(waiting.kind).toBe('progress');
    expect(waiting.lines.map(say)).toContain(
      ':information_source: CodeDeploy says: Automatic rollback not performed &lt;no earlier revision&gt;',
    );
    clock.advance(91_000);
    const failed = await look(serverEnv, waiting.data);
    expect(failed.kind).toBe('failed');
    expect(failed.kind === 'failed' && failed.selfRollback).toBeUndefined();
  });

  it('a deployment stopped in the console fails as stopped by someone in CodeDeploy', async () => {
    fake.behave('1.2.3', 'stuck');
    const started = await deploy(serverEnv, '1.2.3');
    const progress = await look(serverEnv, started.data);
    fake.stop(idOf(started));
    const stopped = await look(serverEnv, progress.data);
    expect(stopped).toMatchObject({
      kind: 'failed',
      reason: { kind: 'codedeploy.stoppedByHand', deploymentId: idOf(started) },
    });
    if (stopped.kind !== 'failed') return;
    expect(say(stopped.reason)).toBe('stopped by someone in CodeDeploy');
    expect(stopped.lines.map(say)).toEqual([
      `:octagonal_sign: CodeDeploy deployment \`${idOf(started)}\` was stopped by someone in CodeDeploy.`,
    ]);
    expect(stopped.selfRollback).toBeUndefined();
  });

  it('a deployment stopped and replaced by someone else’s is superseded, not rolled back', async () => {
    fake.behave('1.2.3', 'stuck');
    const started = await deploy(serverEnv, '1.2.3');
    const progress = await look(serverEnv, started.data);
    fake.stop(idOf(started));
    const other = fake.startForeign('todobackend/1.2.1.zip');
    const obs = await look(serverEnv, progress.data);
    expect(obs.kind).toBe('superseded');
    if (obs.kind === 'superseded') {
      expect(obs.by).toContain(`CodeDeploy deployment ${other}`);
      expect(obs.by).toContain('hotfix from the console');
    }
  });

  it('a deployment CodeDeploy does not know is missing', async () => {
    expect(await look(serverEnv, { deploymentId: 'd-NOSUCH123' })).toMatchObject({
      kind: 'missing',
      what: { kind: 'codedeploy.deploymentGone', deploymentId: 'd-NOSUCH123', region: 'us-east-1' },
    });
  });

  it('tracking data that cannot be read back ends that rollout, naming the record, without reading AWS', async () => {
    const obs = await look(serverEnv, { deploymentId: 42 });
    expect(obs).toMatchObject({
      kind: 'unrecorded',
      what: {
        kind: 'record.unreadable',
        id: 'dep-1',
        what: 'its tracking',
        problem: 'deploymentId: Invalid input: expected string, received number',
      },
    });
    expect(fake.cd.commandCalls(GetDeploymentCommand)).toHaveLength(0);
  });

  it('throttling makes that rollout unreadable with a throttled CapstanError (the tracker backs the group off when none could be read)', async () => {
    const started = await deploy(serverEnv, '1.2.3');
    fake.throttle = true;
    const look1 = await strategy.observe([
      { id: 'dep-1', env: serverEnv, phase: 'rollout', data: started.data, startedAt: 0 },
    ]);
    const obs = look1.get('dep-1');
    if (obs?.kind !== 'unreadable') throw new Error(`expected unreadable, got ${obs?.kind}`);
    expect(obs.error).toBeInstanceOf(CapstanError);
    expect(obs.error).toMatchObject({ code: 'throttled' });
  });

  it('escapes hostile strings from the diagnostics', async () => {
    fake.failure.target = 'i-0abc<!here>';
    fake.failure.diagnostics = {
      errorCode: 'ScriptFailed',
      scriptName: 'start.sh',
      message: 'boom <!channel> <https://evil.example|click me> & co',
      logTail: 'ok\n<@U0ADMIN> approve this\n',
    };
    fake.behave('1.2.4-broken', 'fail');
    const started = await deploy(serverEnv, '1.2.4-broken');
    const { last } = await follow(serverEnv, started.data);
    if (last.kind !== 'failed') throw new Error(`expected a failure, got ${last.kind}`);
    // Facts keep AWS's words as they are; the views escape them where they are worded.
    expect(last.reason).toMatchObject({
      event: {
        target: 'i-0abc<!here>',
        message: 'boom <!channel> <https://evil.example|click me> & co',
        log: 'ok ⏎ <@U0ADMIN> approve this',
      },
    });
    for (const text of [...last.lines, last.reason].map(say)) expect(text).not.toMatch(/[<>]/);
    expect(say(last.reason)).toContain(
      'boom &lt;!channel&gt; &lt;https://evil.example|click me&gt; &amp; co',
    );
    expect(say(last.reason)).toContain('&lt;@U0ADMIN&gt; approve this');
  });

  it('reconcile finds the deployment of this very request, not one whose request id merely starts the same', async () => {
    const checked = await strategy.check(serverEnv, '1.2.3');
    const prepared = await strategy.prepare(serverEnv, {
      requestId: 'dep-1-rollback',
      version: '1.2.3',
      requestedBy: 'U0ALICE',
      checked,
    });
    const request = { version: '1.2.3', plan: prepared.plan, actor: 'U0BOB' };
    expect(await strategy.reconcile(serverEnv, { ...request, requestId: 'dep-1-rollback' })).toBeUndefined();
    const started = await strategy.apply(serverEnv, { ...request, requestId: 'dep-1-rollback' });
    expect(await strategy.reconcile(serverEnv, { ...request, requestId: 'dep-1' })).toBeUndefined();
    const found = await strategy.reconcile(serverEnv, { ...request, requestId: 'dep-1-rollback' });
    expect(found?.data).toEqual(started.data);
  });

  it('apply refuses a bundle replaced since it was reviewed', async () => {
    const checked = await strategy.check(serverEnv, '1.2.3');
    const prepared = await strategy.prepare(serverEnv, {
      requestId: 'dep-1',
      version: '1.2.3',
      requestedBy: 'U0ALICE',
      checked,
    });
    fake.bundles.set('todobackend/1.2.3.zip', '"rebuilt"');
    await expect(
      strategy.apply(serverEnv, {
        requestId: 'dep-1',
        version: '1.2.3',
        plan: prepared.plan,
        actor: 'U0BOB',
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(fake.cd.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('a deployment CreateDeployment started although it answered with a refusal is followed, the refusal said first', async () => {
    const refusal = Object.assign(new Error("Deployment group already has an active Deployment 'd-X'"), {
      name: 'DeploymentLimitExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    fake.afterCreate = () => {
      throw refusal;
    };
    const started = await deploy(serverEnv, '1.2.3');
    expect(fake.cd.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    expect(started.lines).toEqual([
      {
        kind: 'codedeploy.changedDespiteError',
        error: { kind: 'codedeploy.concurrentRefused', group: GROUP, application: APP, region: REGION },
      },
      {
        kind: 'codedeploy.started',
        deploymentId: idOf(started),
        group: GROUP,
        deployed: { kind: 'bundle', uri: 's3://todo-bundles/todobackend/1.2.3.zip' },
      },
    ]);
    expect(say(started.lines[0]!)).toBe(
      `:warning: AWS answered with an error (CodeDeploy refused a new deployment to group ${GROUP} of ${APP} (${REGION}): another deployment is in progress.), but the change took effect.`,
    );
  });

  it('reads versions back through the key pattern', () => {
    expect(versionFromKey('todobackend/{version}.zip', 'todobackend/1.2.3.zip')).toBe('1.2.3');
    expect(versionFromKey('app/{version}/bundle-{version}.tgz', 'app/2.0/bundle-2.0.tgz')).toBe('2.0');
    expect(versionFromKey('todobackend/{version}.zip', 'other/1.2.3.zip')).toBeUndefined();
    expect(versionFromKey('todobackend/{version}.zip', 'todobackend/a/b.zip')).toBeUndefined();
  });
});

describe('CodeDeploy blue/green on ECS', () => {
  beforeEach(() => {
    fakeEcs = new FakeEcs('todobackend-dev');
    build('ECS');
  });

  it('registers a revision pinned by digest, deploys it by AppSpec, waits to reroute traffic and continues', async () => {
    fake.behave('todobackend:42', 'ready');
    const checked = await strategy.check(ecsEnv, '1.2.3');
    expect(checked).toMatchObject({ fromVersion: '1.2.2', digest: digestOf('1.2.3') });

    const prepared = await strategy.prepare(ecsEnv, {
      requestId: 'dep-1',
      version: '1.2.3',
      requestedBy: 'U0ALICE',
      checked,
    });
    expect(prepared.unchanged).toBe(false);
    expect(prepared.review.diff).toEqual({
      title: 'Task definition changes',
      lines: [
        `containerDefinitions[app].image: ${REPO_URI}@${digestOf('1.2.2')} → ${REPO_URI}@${digestOf('1.2.3')}`,
        'tags.Version: 1.2.2 → 1.2.3',
      ],
    });
    expect(fakeEcs!.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);

    const started = await strategy.apply(ecsEnv, {
      requestId: 'dep-1',
      version: '1.2.3',
      plan: prepared.plan,
      actor: 'U0BOB',
    });
    const registered = fakeEcs!.ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(registered.containerDefinitions?.find((c) => c.name === 'app')?.image).toBe(
      `${REPO_URI}@${digestOf('1.2.3')}`,
    );
    expect(registered.tags).toContainEqual({ key: 'Version', value: '1.2.3' });

    const create = fake.cd.commandCalls(CreateDeploymentCommand)[0]!.args[0].input;
    expect(create.revision?.revisionType).toBe('AppSpecContent');
    const content = create.revision?.appSpecContent?.content ?? '';
    expect(content).toContain('"version":0.0');
    expect(JSON.parse(content)).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: tdArn('todobackend', 42),
              LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 8000 },
            },
          },
        },
      ],
    });
    expect(started.data).toMatchObject({ taskDefinitionArn: tdArn('todobackend', 42), version: '1.2.3' });

    const inProgress = await look(ecsEnv, started.data);
    expect(inProgress.kind).toBe('progress');
    expect(inProgress.kind === 'progress' && inProgress.waiting).toBeFalsy();
    const seenReadyAt = clock.now();
    const ready = await look(ecsEnv, inProgress.data);
    // The group's waitTimeInMinutes (60), counted from this look at the latest: CodeDeploy gives no Ready time.
    const stopsBy = seenReadyAt + 60 * 60_000;
    expect(ready).toMatchObject({
      kind: 'progress',
      moved: true,
      waiting: 'waiting to reroute traffic',
      waitingUntil: stopsBy,
    });
    expect(say(ready.lines[0]!)).toContain(
      'CodeDeploy stops the deployment if traffic is not rerouted within 60 min',
    );
    clock.advance(5 * 60_000);
    const stillReady = await look(ecsEnv, ready.data);
    expect(stillReady).toMatchObject({
      kind: 'progress',
      moved: false,
      lines: [],
      waiting: 'waiting to reroute traffic',
      waitingUntil: stopsBy,
    });

    const lines = await strategy.proceed!(ecsEnv, stillReady.data);
    expect(fake.cd.commandCalls(ContinueDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      { deploymentId: idOf(started), deploymentWaitType: 'READY_WAIT' },
    ]);
    expect(lines.map(say)).toEqual([
      `:arrow_forward: CodeDeploy deployment \`${idOf(started)}\` is rerouting traffic to the new version.`,
    ]);

    const { last, seen } = await follow(ecsEnv, stillReady.data);
    expect(seen[0]?.kind === 'progress' && seen[0].waiting).toBeFalsy();
    expect(seen[0]?.kind).toBe('progress');
    expect(last.kind).toBe('succeeded');
  });

  it('says so when asked to continue a deployment that no longer waits', async () => {
    const started = await deploy(ecsEnv, '1.2.3');
    await expect(strategy.proceed!(ecsEnv, started.data)).rejects.toMatchObject({
      code: 'invalid_state',
      fact: { kind: 'codedeploy.notWaiting', deploymentId: idOf(started), region: REGION },
    });
  });

  it('refuses a group that deploys another ECS service than capstan.yml names', async () => {
    const elsewhere: Environment = {
      ...ecsEnv,
      target: { ...ecsEnv.target, ecs: { ...ecsEnv.target.ecs, service: 'billing' } },
    };
    await expect(strategy.check(elsewhere, '1.2.3')).rejects.toMatchObject({
      code: 'invalid_state',
      fact: {
        kind: 'codedeploy.otherService',
        group: GROUP,
        deploys: ['todo-dev/todobackend-dev'],
        cluster: 'todo-dev',
        service: 'billing',
      },
    });
  });
});
