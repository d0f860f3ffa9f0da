import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { GROUPS, USERS } from '../fixtures/config.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

const ecs = (service: string, repository: string) => `
        ecs:
          region: us-east-1
          cluster: todo-dev
          service: ${service}
          container: app
          repository: ${repository}
        policy:
          deployers: ["*"]
        rolloutTimeout: 30s`;

/** prod takes only what was verified in staging an hour before; its images live in another repository. */
const YAML = `
admins: [U0ADMIN]
storage:
  sqlite: __DB__
polling:
  interval: 20ms
apps:
  todobackend:
    environments:
      staging:
        channel: C0STAGING${ecs('todobackend-staging', 'todobackend')}
      prod:
        channel: C0PROD${ecs('todobackend-prod', 'todobackend-prod')}
        promotion: { from: staging, soak: 1h }
`;
const HOUR = 3_600_000;

let h: Harness;
let staging: FakeEcs;
let clock: SkipClock;

beforeEach(async () => {
  clock = new SkipClock();
  staging = new FakeEcs('todobackend-staging', { clock });
  // prod's service, answered by the same SDK mocks (its ECR repository shares the tags).
  new FakeEcs('todobackend-prod', { joining: staging });
  h = await startHarness({ yaml: YAML, slack: { users: USERS, groups: GROUPS }, clock, sleep: clock.sleep });
});
afterEach(async () => {
  await h.stop();
  staging.restore();
});

async function reply(command: string, user = 'U0ALICE'): Promise<string> {
  const r = await h.command(command, { user, channel: 'C0PROD' });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

function outcome(channel: string, version: string) {
  return h.slack.waitFor(() =>
    h.slack
      .channelMessages(channel)
      .find((m) => m.text.includes(` ${version} to `) && /: succeeded$/.test(m.text)),
  );
}

const prodUpdates = () =>
  staging.ecs
    .commandCalls(UpdateServiceCommand)
    .filter((c) => c.args[0].input.service === 'todobackend-prod');

async function verifiedInStaging(version: string) {
  await reply(`todobackend ${version} to staging`);
  return outcome('C0STAGING', version);
}

describe('promotion', () => {
  it('refuses what staging has not verified, then what has not soaked (saying when), then promotes that digest', async () => {
    expect(await reply('promote todobackend to prod')).toContain('has no deploy to promote yet');
    const notVerified = await reply('todobackend 1.2.3 to prod');
    expect(notVerified).toContain('was not verified there');
    expect(notVerified).toContain('`/deploy todobackend 1.2.3 to staging`');

    const done = await verifiedInStaging('1.2.3');
    expect(done).toBeDefined();
    const soaking = await reply('promote todobackend to prod');
    expect(soaking).toContain('must soak there until <!date^');
    expect(soaking).toContain('`/deploy promote todobackend to prod`');
    // The date said is an hour after the verification.
    const [verifiedAt, allowedAt] = [...soaking.matchAll(/<!date\^(\d+)\^/g)].map((m) => Number(m[1]));
    expect(allowedAt! - verifiedAt!).toBe(HOUR / 1000);
    expect(prodUpdates()).toHaveLength(0);

    clock.skip(HOUR);
    const started = await reply('promote todobackend to prod');
    expect(started).toContain('Promoting what *staging* runs verified');
    await outcome('C0PROD', '1.2.3');
    expect(prodUpdates()).toHaveLength(1);
    const td = String(prodUpdates()[0]!.args[0].input.taskDefinition);
    const registered = staging.taskDefs.get(td)?.taskDefinition?.containerDefinitions?.[0]?.image;
    expect(registered).toContain(digestOf('1.2.3'));

    // /metrics counts what the gate did: one refusal of each kind, then one pass.
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    for (const [result, n] of [
      ['not_verified', 1],
      ['soaking', 1],
      ['passed', 1],
      ['overridden', 0],
    ] as const)
      expect(metrics).toContain(`capstan_promotion_gate_total{result="${result}"} ${n}\n`);
  });

  it('an admin overrides with a reason, announced on the deploy in the channel; anyone else is refused', async () => {
    const refused = await reply('todobackend 1.2.3 to prod --override "INC-7 cannot wait"');
    expect(refused).toContain('Only an admin can deploy past the promotion gate');
    expect(prodUpdates()).toHaveLength(0);

    const started = await reply('todobackend 1.2.3 to prod --override "INC-7 cannot wait"', 'U0ADMIN');
    expect(started).toContain('Deploying *todobackend* `1.2.3` to *prod*');
    const parent = await outcome('C0PROD', '1.2.3');
    expect(JSON.stringify(parent.blocks)).toContain(
      '<@U0ADMIN> deployed past the promotion gate (not verified in staging): INC-7 cannot wait',
    );
    // Said in its thread as well, when it was requested.
    await h.slack.waitFor(() =>
      h.slack
        .thread(parent.channel, parent.ts)
        .find((m) =>
          m.text.includes('<@U0ADMIN> deployed past the promotion gate (not verified in staging)'),
        ),
    );
    const history = await reply('history todobackend prod');
    expect(history).toContain(
      'promotion gate overridden by <@U0ADMIN> (not verified in staging): INC-7 cannot wait',
    );
  });

  it('compares digests, not tags: another tag of the verified image passes, a moved tag does not', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    // The same image under another tag (in prod's own repository) is the same image.
    staging.tags.set('release-7', { digest: digestOf('1.2.3'), pushedAt: new Date(clock.now()) });
    expect(await reply('todobackend release-7 to prod')).toContain(
      'Deploying *todobackend* `release-7` to *prod*',
    );
    await outcome('C0PROD', 'release-7');

    // The tag moves to another image: its name was verified, its digest was not.
    staging.tags.set('1.2.3', { digest: digestOf('1.2.4-broken'), pushedAt: new Date(clock.now()) });
    expect(await reply('todobackend 1.2.3 to prod')).toContain('was not verified there');
    expect(await reply('promote todobackend to prod')).toContain('not the verified');
    expect(prodUpdates()).toHaveLength(1);
  });
});
