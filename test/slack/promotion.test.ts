import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
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
      eu:
        channel: C0EU
        ecs:
          region: us-east-1
          cluster: todo-dev
          service: todobackend-eu
          container: app
          repository: todobackend-eu
        policy:
          deployers: ["*"]
          approvers: [U0CAROL]
          approvals: 1
        rolloutTimeout: 30s
        promotion: { from: staging, soak: 1h }
`;
const HOUR = 3_600_000;

let h: Harness;
let staging: FakeEcs;
let prod: FakeEcs;
let eu: FakeEcs;
let clock: SkipClock;

beforeEach(async () => {
  clock = new SkipClock();
  staging = new FakeEcs('todobackend-staging', { clock });
  // prod's service, answered by the same SDK mocks (its ECR repository shares the tags).
  prod = new FakeEcs('todobackend-prod', { joining: staging });
  eu = new FakeEcs('todobackend-eu', { joining: staging });
  h = await startHarness({ yaml: YAML, slack: { users: USERS, groups: GROUPS }, clock, sleep: clock.sleep });
});
afterEach(async () => {
  await h.stop();
  staging.restore();
});

async function reply(command: string, user = 'U0ALICE', channel = 'C0PROD'): Promise<string> {
  const r = await h.command(command, { user, channel });
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

const updatesOf = (service: string) =>
  staging.ecs.commandCalls(UpdateServiceCommand).filter((c) => c.args[0].input.service === service);
const prodUpdates = () => updatesOf('todobackend-prod');

/** The image the task definition of an UpdateService runs. */
const imageRun = (update: ReturnType<typeof prodUpdates>[number] | undefined) =>
  staging.taskDefs.get(String(update?.args[0].input.taskDefinition))?.taskDefinition
    ?.containerDefinitions?.[0]?.image;

/** Another account's repository, holding `tags` (tag → the image it names). */
function otherAccount(repository: string, tags: Record<string, string>) {
  const pushedAt = new Date(clock.now());
  staging.repositories.set(repository, {
    registryId: OTHER_ACCOUNT,
    tags: new Map(Object.entries(tags).map(([tag, image]) => [tag, { digest: digestOf(image), pushedAt }])),
  });
}
const OTHER_ACCOUNT = '210987654321';

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
    expect(soaking).toContain('must soak there for 1h, until <!date^');
    expect(soaking).toContain('`/deploy promote todobackend to prod` works after <!date^');
    // What staging runs is the image refused: nothing else works now.
    expect(soaking).not.toContain('Works now');
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

  it('a dry run says what the gate would answer, and changes nothing', async () => {
    expect(await reply('todobackend 1.2.3 to prod --dry-run')).toContain(
      'The promotion gate would refuse it: not verified in *staging*.',
    );
    await verifiedInStaging('1.2.3');
    expect(await reply('todobackend 1.2.3 to prod --dry-run')).toContain(
      'The promotion gate would refuse it until <!date^',
    );
    clock.skip(HOUR);
    expect(await reply('todobackend 1.2.3 to prod --dry-run')).toContain(
      'The promotion gate would let it through: verified in *staging* <!date^',
    );
    expect(prodUpdates()).toHaveLength(0);
  });

  it('compares digests across repositories and accounts: promotes the verified digest under any tag; a moved tag is refused', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    // prod's repository is in another account: 1.2.3's image is tagged release-7 there, and the tag
    // 1.2.3 names another image.
    otherAccount('todobackend-prod', { 'release-7': '1.2.3', '1.2.3': '1.2.4-broken' });
    const moved = await reply('todobackend 1.2.3 to prod');
    expect(moved).toContain('was not verified there');
    // What staging runs passes the same gate, so promote is offered, and works.
    expect(moved).toContain('Works now: `/deploy promote todobackend to prod`');
    expect(prodUpdates()).toHaveLength(0);

    const started = await reply('promote todobackend to prod');
    expect(started).toContain('Promoting what *staging* runs verified (image sha256:');
    expect(started).toContain('`1.2.3` to *prod*');
    await outcome('C0PROD', '1.2.3');
    expect(prodUpdates()).toHaveLength(1);
    expect(imageRun(prodUpdates()[0])).toBe(
      `${OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/todobackend-prod@${digestOf('1.2.3')}`,
    );
  });

  it('a failed deploy after a promotion rolls back to the promoted digest, though its tag names nothing there', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    otherAccount('todobackend-prod', { 'release-7': '1.2.3', '1.2.4-broken': '1.2.4-broken' });
    await reply('promote todobackend to prod');
    await outcome('C0PROD', '1.2.3');
    prod.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await reply('todobackend 1.2.4-broken to prod --override "INC-9 hotfix"', 'U0ADMIN');
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages('C0PROD')
        .find((m) => /1\.2\.4-broken to prod: rolled back to 1\.2\.3$/.test(m.text)),
    );
    expect(imageRun(prodUpdates().at(-1))).toBe(
      `${OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/todobackend-prod@${digestOf('1.2.3')}`,
    );
  });

  it('/deploy rollback goes back to the promoted digest, though its tag names nothing there', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    otherAccount('todobackend-prod', { 'release-7': '1.2.3', '1.2.4': '1.2.4-broken' });
    await reply('promote todobackend to prod');
    await outcome('C0PROD', '1.2.3');
    await reply('todobackend 1.2.4 to prod --override "INC-9 hotfix"', 'U0ADMIN');
    await outcome('C0PROD', '1.2.4');
    expect(await reply('rollback todobackend prod')).toContain(
      'Rolling back *todobackend* `1.2.3` to *prod*',
    );
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages('C0PROD')
        .find((m) => /rollback of todobackend 1\.2\.3 to prod: succeeded$/.test(m.text)),
    );
    expect(imageRun(prodUpdates().at(-1))).toContain(`/todobackend-prod@${digestOf('1.2.3')}`);
  });

  it('refuses a promotion whose digest the destination repository does not hold, saying what to do', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    otherAccount('todobackend-prod', { '1.2.3': '1.2.4-broken' });
    const refused = await reply('promote todobackend to prod');
    expect(refused).toContain('ECR repository *todobackend-prod* (us-east-1) holds no image sha256:');
    expect(refused).toContain('Replicate or push that exact image there');
    expect(prodUpdates()).toHaveLength(0);
  });

  it('a promotion that waits for approval executes the verified digest, though its tag names nothing there', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    otherAccount('todobackend-eu', { 'eu-7': '1.2.3' });
    const started = await reply('promote todobackend to eu', 'U0ALICE', 'C0EU');
    const id = /request `(r-[a-z0-9]+)`/.exec(started)?.[1];
    expect(id).toBeDefined();
    const review = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0EU').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
    );
    const r = await h.click({ actionId: 'capstan_approve', value: id!, user: 'U0CAROL', message: review });
    expect(r.status).toBe(200);
    await outcome('C0EU', '1.2.3');
    expect(imageRun(updatesOf('todobackend-eu')[0])).toContain(`/todobackend-eu@${digestOf('1.2.3')}`);
  });

  it('Refresh on a promotion stopped by a lock prepares that promotion again, by its digest', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    // In eu's repository the image is tagged eu-7 only: a plain request for 1.2.3 would find nothing.
    otherAccount('todobackend-eu', { 'eu-7': '1.2.3' });
    const id = /request `(r-[a-z0-9]+)`/.exec(
      await reply('promote todobackend to eu', 'U0ALICE', 'C0EU'),
    )?.[1];
    const review = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0EU').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
    );
    expect(await reply('lock todobackend eu db migration', 'U0BOB', 'C0EU')).toContain('locked');
    await h.click({ actionId: 'capstan_approve', value: id!, user: 'U0CAROL', message: review });
    const failed = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0EU').find((m) => m.ts === review.ts && /: failed$/.test(m.text)),
    );
    expect(await reply('unlock todobackend eu', 'U0BOB', 'C0EU')).toContain('nlocked');
    const r = await h.click({ actionId: 'capstan_refresh', value: id!, user: 'U0ALICE', message: failed });
    const fresh = JSON.stringify(await responseTo(h.slack, r.responseUrl));
    expect(fresh).toContain('Preparing a fresh review');
  });

  it('promotes what staging runs again after a failed deploy there was rolled back', async () => {
    await verifiedInStaging('1.2.3');
    staging.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await reply('todobackend 1.2.4-broken to staging', 'U0ALICE', 'C0STAGING');
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages('C0STAGING')
        .find((m) => /1\.2\.4-broken to staging: rolled back to 1\.2\.3$/.test(m.text)),
    );
    clock.skip(HOUR);
    expect(await reply('promote todobackend to prod')).toContain('Promoting what *staging* runs verified');
    await outcome('C0PROD', '1.2.3');
  });
});

describe('Refresh on a rollback', () => {
  it('prepares the rollback again by the digest that ran, though its tag names nothing there', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    otherAccount('todobackend-eu', { 'eu-7': '1.2.3', '1.2.4': '1.2.4-broken' });
    const review = async (command: string, user = 'U0ALICE') => {
      const said = await reply(command, user, 'C0EU');
      const id = /request `((?:r|dep)-[a-z0-9]+)`/.exec(said)?.[1];
      expect(id, said).toBeDefined();
      const waiting = (x: StoredMessage) =>
        JSON.stringify(x.blocks).includes('capstan_approve') && JSON.stringify(x.blocks).includes(id!);
      const m = await h.slack.waitFor(() => h.slack.channelMessages('C0EU').find(waiting));
      return { id: id!, m };
    };
    const approve = async (r: { id: string; m: StoredMessage }) =>
      h.click({ actionId: 'capstan_approve', value: r.id, user: 'U0CAROL', message: r.m });
    await approve(await review('promote todobackend to eu'));
    await outcome('C0EU', '1.2.3');
    await approve(await review('todobackend 1.2.4 to eu --override "INC-9 hotfix"', 'U0ADMIN'));
    await outcome('C0EU', '1.2.4');
    const rollback = await review('rollback todobackend eu');
    // Someone changes the service meanwhile: the approved rollback refuses and offers a fresh review.
    eu.startDeployment(eu.service.taskDefinition!);
    await approve(rollback);
    const failed = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0EU').find((m) => m.ts === rollback.m.ts && /: failed$/.test(m.text)),
    );
    const r = await h.click({
      actionId: 'capstan_refresh',
      value: rollback.id,
      user: 'U0ALICE',
      message: failed,
    });
    expect(JSON.stringify(await responseTo(h.slack, r.responseUrl))).toContain('Preparing a fresh review');
  });
});

describe('the gate after an approval delay', () => {
  it('a promotion approved after the source was rolled back from its digest is refused, with the reason and no fresh review', async () => {
    await verifiedInStaging('1.2.3');
    clock.skip(HOUR);
    const id = /request `(r-[a-z0-9]+)`/.exec(
      await reply('promote todobackend to eu', 'U0ALICE', 'C0EU'),
    )?.[1];
    expect(id).toBeDefined();
    const review = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0EU').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
    );
    await reply('rollback todobackend staging to 1.2.2', 'U0ALICE', 'C0STAGING');
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages('C0STAGING')
        .find((m) => /rollback of todobackend 1\.2\.2 to staging: succeeded$/.test(m.text)),
    );
    await h.click({ actionId: 'capstan_approve', value: id!, user: 'U0CAROL', message: review });
    const failed = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0EU').find((m) => m.ts === review.ts && /: failed$/.test(m.text)),
    );
    expect(JSON.stringify(failed.blocks)).toContain('was rolled back from it');
    expect(JSON.stringify(failed.blocks)).not.toContain('capstan_refresh');
    expect(updatesOf('todobackend-eu')).toHaveLength(0);
  });
});
