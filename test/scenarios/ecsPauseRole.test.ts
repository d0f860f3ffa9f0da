import { ContinueServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAUSE_ACTION } from '../../src/views/pause.js';
import { SkipClock } from '../fakes/skipClock.js';
import { responseTo } from '../support/harness.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { FakeServiceDeployments, blueGreen } from '../support/fakeServiceDeployments.js';
import { PROGRESSIVE_ENV } from './progressive.js';
import { World, yamlWith } from './scenario.js';

const ROLE = 'arn:aws:iam::210987654321:role/capstan-dev';

let w: World | undefined;
let aws: FakeEcs;
let sd: FakeServiceDeployments;
let clock: SkipClock;
const stsStub = () => mockClient(STSClient);
let sts: ReturnType<typeof stsStub>;

beforeEach(() => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  sd = new FakeServiceDeployments(aws, blueGreen('ROLLBACK'));
  sts = stsStub();
  let n = 0;
  // The keys say whose session they belong to, so a call's client tells who made it.
  sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => ({
    Credentials: {
      AccessKeyId: `ASIA-${input.SourceIdentity}-${++n}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(clock.now() + 3_600_000),
    },
  }));
});
afterEach(async () => {
  await w?.stop();
  w = undefined;
  aws.restore();
  sts.restore();
});

interface Sent {
  thisValue: { config: { credentials: () => Promise<{ accessKeyId: string }> } };
}
/** Whose role session signed a call: the person in its access key, or "own" for Capstan's own credentials. */
async function signer(call: unknown): Promise<string> {
  const provider = (call as Sent).thisValue.config.credentials;
  const key = await provider().then(
    (c) => c.accessKeyId,
    () => 'own',
  );
  return /^ASIA-(.+)-\d+$/.exec(key)?.[1] ?? 'own';
}

/** Alice deploys to the progressive environment under roleArn; the deployment pauses at its hook. */
async function pausedUnderRole() {
  const env = PROGRESSIVE_ENV.replace('channel: C0DEV\n', `channel: C0DEV\n        roleArn: ${ROLE}\n`);
  expect(env).toContain(ROLE);
  const world = await World.start(yamlWith(env), clock);
  w = world;
  await world.command('todobackend 1.2.3 to dev', 'C0DEV', 'U0ALICE');
  const paused = await world.parent('C0DEV', '1.2.3', 'dev', /paused at/);
  return { world, paused, d: await world.last('dev') };
}

describe("a pause hook's decision with the environment's roleArn", () => {
  it('Continue is made in a role session whose SourceIdentity is the person who clicked', async () => {
    const { world, paused, d } = await pausedUnderRole();
    const r = await world.h.click({
      actionId: PAUSE_ACTION.proceed,
      value: d.id,
      user: 'U0BOB',
      message: paused,
    });
    expect(r.status).toBe(200);
    expect(JSON.stringify(await responseTo(world.h.slack, r.responseUrl))).toContain('Continuing');

    const calls = aws.ecs.commandCalls(ContinueServiceDeploymentCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { serviceDeploymentArn: sd.current.arn, hookId: 'ecs-pause-1-2', action: 'CONTINUE' },
    ]);
    // CloudTrail names Bob, who clicked, not Alice, who asked, nor Capstan.
    expect(await signer(calls[0])).toBe('U0BOB');
    const assumed = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed).toContainEqual(
      expect.objectContaining({ RoleArn: ROLE, SourceIdentity: 'U0BOB', RoleSessionName: 'capstan-U0BOB' }),
    );
    expect(assumed.map((i) => i.SourceIdentity)).toContain('U0ALICE');
  });

  it('Roll back is made in a role session whose SourceIdentity is the person who clicked', async () => {
    const { world, paused, d } = await pausedUnderRole();
    const r = await world.h.click({
      actionId: PAUSE_ACTION.rollBack,
      value: d.id,
      user: 'U0CAROL',
      message: paused,
    });
    expect(r.status).toBe(200);
    expect(JSON.stringify(await responseTo(world.h.slack, r.responseUrl))).toContain('back through ECS');

    const calls = aws.ecs.commandCalls(ContinueServiceDeploymentCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { serviceDeploymentArn: sd.current.arn, hookId: 'ecs-pause-1-2', action: 'ROLLBACK' },
    ]);
    // CloudTrail names Carol, who clicked Roll back, not Alice, who asked, nor Capstan.
    expect(await signer(calls[0])).toBe('U0CAROL');
    const assumed = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed).toContainEqual(
      expect.objectContaining({
        RoleArn: ROLE,
        SourceIdentity: 'U0CAROL',
        RoleSessionName: 'capstan-U0CAROL',
      }),
    );
    await world.parent('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/);
  });
});
