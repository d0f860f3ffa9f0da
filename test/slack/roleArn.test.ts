import { CreateChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

const DEV_ROLE = 'arn:aws:iam::210987654321:role/capstan-dev';
const PROD_ROLE = 'arn:aws:iam::345678901234:role/capstan-prod';

/** TEST_YAML with a role on the environments named. */
function withRoles(roles: { dev?: string; prod?: string }): string {
  let yaml = TEST_YAML;
  if (roles.dev) yaml = yaml.replace('channel: C0DEV\n', `channel: C0DEV\n        roleArn: ${roles.dev}\n`);
  if (roles.prod)
    yaml = yaml.replace('channel: C0PROD\n', `channel: C0PROD\n        roleArn: ${roles.prod}\n`);
  return yaml;
}

let h: Harness;
let ecs: FakeEcs;
let cfn: FakeCfn;
const stsStub = () => mockClient(STSClient);
let sts: ReturnType<typeof stsStub>;

async function start(yaml: string) {
  ecs = new FakeEcs();
  cfn = new FakeCfn();
  sts = stsStub();
  let n = 0;
  // The keys say whose session they belong to, so a call's client tells who made it.
  sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => ({
    Credentials: {
      AccessKeyId: `ASIA-${input.SourceIdentity}-${++n}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }));
  h = await startHarness({ yaml, slack: { users: USERS, groups: GROUPS } });
}
afterEach(async () => {
  await h.stop();
  ecs.restore();
  cfn.restore();
  sts.restore();
});

const assumed = () =>
  sts.commandCalls(AssumeRoleCommand).map((c) => [c.args[0].input.RoleArn, c.args[0].input.SourceIdentity]);

interface Sent {
  thisValue: { config: { credentials: () => Promise<{ accessKeyId: string }> } };
}
/** Whose role session signed a call: the person in its access key, or "own" for Capstan's own credentials. */
async function signer(call: unknown): Promise<string> {
  const provider = (call as Sent).thisValue.config.credentials;
  const key = await provider().then(
    (c) => c.accessKeyId,
    () => 'own', // the default chain: no credentials in the test environment
  );
  return /^ASIA-(.+)-\d+$/.exec(key)?.[1] ?? 'own';
}

async function reply(command: string, user: string, channel: string): Promise<string> {
  const r = await h.command(command, { user, channel });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

const message = (channel: string, until: (m: StoredMessage) => boolean) =>
  h.slack.waitFor(() => h.slack.channelMessages(channel).find(until), 10_000);

describe("an environment's roleArn, assumed for the person behind each AWS call", () => {
  it('a dev deploy runs in a session of the role whose source identity is the requester', async () => {
    await start(withRoles({ dev: DEV_ROLE }));
    await reply('todobackend 1.2.3', 'U0ALICE', 'C0DEV');
    await message('C0DEV', (m) => m.text.includes(' 1.2.3 to dev') && /: succeeded$/.test(m.text));

    expect(assumed()).toEqual([[DEV_ROLE, 'U0ALICE']]);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toMatchObject({
      RoleSessionName: 'capstan-U0ALICE',
      DurationSeconds: 3600,
    });
    // Every call of the deploy (checks, the change, and following it) went through Alice's session.
    const calls = [
      ...ecs.ecr.commandCalls(DescribeImagesCommand),
      ...ecs.ecs.commandCalls(RegisterTaskDefinitionCommand),
      ...ecs.ecs.commandCalls(UpdateServiceCommand),
      ...ecs.ecs.commandCalls(DescribeServicesCommand),
    ];
    expect(calls.length).toBeGreaterThan(3);
    expect(new Set(await Promise.all(calls.map(signer)))).toEqual(new Set(['U0ALICE']));

    // `status` is Capstan's own read: the same role, with Capstan as the source identity.
    const before = ecs.ecs.commandCalls(DescribeServicesCommand).length;
    expect(await reply('status todobackend dev', 'U0BOB', 'C0DEV')).toContain('`1.2.3`');
    expect(assumed()).toEqual([
      [DEV_ROLE, 'U0ALICE'],
      [DEV_ROLE, 'capstan'],
    ]);
    expect(await signer(ecs.ecs.commandCalls(DescribeServicesCommand).at(before))).toBe('capstan');
  });

  it('an approved release is prepared as the requester and executed as the approver whose click ran it', async () => {
    await start(withRoles({ prod: PROD_ROLE }));
    const answer = await reply('todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD');
    const id = /request `(r-[a-z0-9]+)`/.exec(answer)?.[1];
    expect(id).toBeDefined();
    const review = await message('C0PROD', (m) => JSON.stringify(m.blocks).includes('capstan_approve'));
    expect(await signer(cfn.cfn.commandCalls(CreateChangeSetCommand)[0])).toBe('U0ALICE');

    const click = await h.click({ actionId: 'capstan_approve', value: id!, user: 'U0BOB', message: review });
    expect(click.status).toBe(200);
    await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));

    const execute = cfn.cfn.commandCalls(ExecuteChangeSetCommand);
    expect(execute).toHaveLength(1);
    expect(await signer(execute[0])).toBe('U0BOB');
    expect(assumed()).toEqual(
      expect.arrayContaining([
        [PROD_ROLE, 'U0ALICE'],
        [PROD_ROLE, 'U0BOB'],
      ]),
    );
    expect(assumed().every(([role]) => role === PROD_ROLE)).toBe(true);
  });

  it('an environment without a role never calls STS and uses Capstan’s own credentials', async () => {
    await start(withRoles({ prod: PROD_ROLE }));
    await reply('todobackend 1.2.3', 'U0ALICE', 'C0DEV');
    await message('C0DEV', (m) => m.text.includes(' 1.2.3 to dev') && /: succeeded$/.test(m.text));
    expect(await reply('status todobackend dev', 'U0ALICE', 'C0DEV')).toContain('`1.2.3`');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(await signer(ecs.ecs.commandCalls(UpdateServiceCommand)[0])).toBe('own');
  });
});
