import { sayError } from '../../src/views/facts/index.js';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { perRegion } from '../../src/adapters/aws/clients.js';
import {
  createAwsIdentity,
  currentSession,
  type CredentialProvider,
  sessionNameOf,
  sourceIdentityOf,
} from '../../src/adapters/aws/identity.js';
import { isCapstanError } from '../../src/domain/errors.js';
import { CAPSTAN } from '../../src/ports/identity.js';
import { ManualClock } from '../fakes/ports.js';

const ROLE = 'arn:aws:iam::210987654321:role/capstan-deploy';
const OTHER_ROLE = 'arn:aws:iam::210987654321:role/capstan-other';
const HOUR = 3_600_000;

const stsStub = () => mockClient(STSClient);
let sts: ReturnType<typeof stsStub>;
let clock: ManualClock;
let issued = 0;

/** Each AssumeRole issues fresh keys valid for the hour it was asked for. */
const issue = () => {
  issued += 1;
  return {
    Credentials: {
      AccessKeyId: `ASIA${issued}`,
      SecretAccessKey: `secret-${issued}`,
      SessionToken: `token-${issued}`,
      Expiration: new Date(clock.now() + HOUR),
    },
  };
};

beforeEach(() => {
  clock = new ManualClock();
  issued = 0;
  sts = stsStub();
  sts.on(AssumeRoleCommand).callsFake(issue);
});
afterEach(() => sts.restore());

const assumed = () => sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
const identity = () => createAwsIdentity({ now: () => clock.now() });
/** The credentials the AWS calls made inside run() would sign with (undefined: the SDK's own chain). */
const signingWith = async () => currentSession()?.credentials();

describe('assuming an environment role for the person behind the calls', () => {
  it('asks STS for the role with the Slack user as source identity and session name, for an hour', async () => {
    const creds = await identity().run({ roleArn: ROLE, user: 'U0ALICE', region: 'eu-west-1' }, signingWith);
    expect(assumed()).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'capstan-U0ALICE', SourceIdentity: 'U0ALICE', DurationSeconds: 3600 },
    ]);
    expect(creds).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret-1',
      sessionToken: 'token-1',
      expiration: new Date(clock.now() + HOUR),
    });
    // STS is asked in the target's region.
    const client = sts.call(0).thisValue as STSClient;
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('reuses a session until shortly before it expires, then assumes the role again', async () => {
    const id = identity();
    const alice = { roleArn: ROLE, user: 'U0ALICE', region: 'us-east-1' };
    await id.run(alice, signingWith);
    await id.run(alice, signingWith);
    clock.advance(HOUR - 11 * 60_000);
    expect((await id.run(alice, signingWith))?.accessKeyId).toBe('ASIA1');
    expect(assumed()).toHaveLength(1);
    clock.advance(2 * 60_000); // 9 minutes left: time for a fresh one
    expect((await id.run(alice, signingWith))?.accessKeyId).toBe('ASIA2');
    expect(assumed()).toHaveLength(2);
  });

  it('keeps one session per role and person, and shares one AssumeRole among callers at the same moment', async () => {
    const id = identity();
    const run = (roleArn: string, user: string) =>
      id.run({ roleArn, user, region: 'us-east-1' }, signingWith);
    const [a1, a2] = await Promise.all([run(ROLE, 'U0ALICE'), run(ROLE, 'U0ALICE')]);
    const bob = await run(ROLE, 'U0BOB');
    const other = await run(OTHER_ROLE, 'U0ALICE');
    expect(a1).toBe(a2);
    expect(new Set([a1?.accessKeyId, bob?.accessKeyId, other?.accessKeyId]).size).toBe(3);
    expect(assumed().map((i) => [i.RoleArn, i.SourceIdentity])).toEqual([
      [ROLE, 'U0ALICE'],
      [ROLE, 'U0BOB'],
      [OTHER_ROLE, 'U0ALICE'],
    ]);
  });

  it('uses the fixed identity for Capstan’s own reads', async () => {
    await identity().run({ roleArn: ROLE, user: CAPSTAN, region: 'us-east-1' }, signingWith);
    expect(assumed()[0]).toMatchObject({ RoleSessionName: 'capstan', SourceIdentity: 'capstan' });
  });

  it('never calls STS for an environment without a role, and its calls use Capstan’s own credentials', async () => {
    const id = identity();
    const inside = await id.run({ user: 'U0ALICE', region: 'us-east-1' }, async () => currentSession());
    expect(inside).toBeUndefined();
    // Nor does a role session leak into work for another environment started from inside it.
    const nested = await id.run({ roleArn: ROLE, user: 'U0ALICE', region: 'us-east-1' }, () =>
      id.run({ user: 'U0ALICE', region: 'us-east-1' }, async () => currentSession()),
    );
    expect(nested).toBeUndefined();
    expect(assumed()).toHaveLength(1);
  });

  it('refuses before anything runs when the role will not be assumed, and asks again next time', async () => {
    const id = identity();
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        Object.assign(
          new Error(
            `User: arn:aws:sts::123456789012:assumed-role/capstan/x is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
          ),
          {
            name: 'AccessDenied',
          },
        ),
      )
      .callsFake(issue);
    let ran = false;
    const refused = await id
      .run({ roleArn: ROLE, user: 'U0ALICE', region: 'us-east-1' }, async () => (ran = true))
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(isCapstanError(refused) && refused.code).toBe('access_denied');
    const said = isCapstanError(refused) ? sayError(refused) : '';
    expect(said).toContain(`Capstan could not assume ${ROLE} for U0ALICE`);
    expect(said).toContain('sts:SetSourceIdentity');
    await id.run({ roleArn: ROLE, user: 'U0ALICE', region: 'us-east-1' }, async () => (ran = true));
    expect(ran).toBe(true);
    expect(assumed()).toHaveLength(2);
  });

  it('keeps source identity and session name within what STS accepts', () => {
    const allowed = /^[\w+=,.@-]{2,64}$/;
    for (const user of ['U0ALICE', 'W0123ABCDEF', 'a b<c>/d:é', 'x', 'U'.repeat(100)]) {
      expect(sourceIdentityOf(user)).toMatch(allowed);
      expect(sessionNameOf(user)).toMatch(allowed);
    }
    expect(sourceIdentityOf('U0ALICE')).toBe('U0ALICE');
    expect(sourceIdentityOf('a b<c>')).toBe('a-b-c-');
  });
});

describe('SDK clients per region and role session', () => {
  const factory = () => {
    const made: { region: string; credentials: CredentialProvider | undefined }[] = [];
    const client = perRegion((region, credentials) => {
      const c = { region, credentials };
      made.push(c);
      return c;
    }, 2);
    return { made, client };
  };

  it('signs with the role session inside run() and with the default chain outside it', async () => {
    const { client } = factory();
    const id = identity();
    const own = client('us-east-1');
    const alice = await id.run({ roleArn: ROLE, user: 'U0ALICE', region: 'us-east-1' }, async () =>
      client('us-east-1'),
    );
    expect(own.credentials).toBeUndefined();
    expect(alice).not.toBe(own);
    expect((await alice.credentials!()).accessKeyId).toBe('ASIA1');
    expect(client('us-east-1')).toBe(own);
  });

  it('reuses a client per (region, role, person) and keeps only a bounded number of them', async () => {
    const { client, made } = factory();
    const id = identity();
    const as = (user: string, region = 'us-east-1') =>
      id.run({ roleArn: ROLE, user, region }, async () => client(region));
    const a = await as('U0ALICE');
    expect(await as('U0ALICE')).toBe(a);
    expect(await as('U0ALICE', 'eu-west-1')).not.toBe(a);
    await as('U0BOB'); // third session client: Alice's us-east-1 one is the least recently used
    expect(await as('U0ALICE')).not.toBe(a);
    expect(made).toHaveLength(4);
  });
});
