import { textFact } from '../fakes/ports.js';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import type { SectionBlock } from '@slack/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { readConfig } from '../../src/config/readConfig.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { PipelineApproval } from '../../src/domain/pipelineApproval.js';
import { type Home, readHome } from '../../src/usecases/home.js';
import type { EnvStatus } from '../../src/usecases/status.js';
import { HOME_BLOCKS, homeView } from '../../src/views/home.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { ManualClock, directoryOf } from '../fakes/ports.js';
import { FakeTarget, fakeRegistry } from '../fakes/target.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { RAW_TIME, stringsOf, withoutSlackDates } from '../views/rawTimes.js';
import { TOPIC, type TestSigner, approvalMessage, notification, testSigner } from '../support/snsSigning.js';

const HOME_YAML = `${TEST_YAML}
sns:
  topics: [${TOPIC}]
pipelines:
  - name: todobackend-pipeline
    channel: C0PIPE
    policy:
      approvers: ["@deploy-approvers"]
      approvals: 1
`;

const codepipeline = mockClient(CodePipelineClient);
let signer: TestSigner;
let h: Harness;
let cfn: FakeCfn;
let ecs: FakeEcs;

beforeAll(async () => {
  signer = await testSigner();
});
afterAll(() => codepipeline.restore());

async function start(yaml = HOME_YAML) {
  cfn = new FakeCfn();
  ecs = new FakeEcs();
  h = await startHarness({
    yaml,
    slack: { users: USERS, groups: GROUPS },
    fetchCert: (u) => signer.fetchCert(u),
  });
}

const publishedTo = (user: string) =>
  h.slack.callsOf('views.publish').filter((c) => c.args.user_id === user).length;

/** Opens Capstan's Home tab as `user`, the way Slack reports it, and returns what Capstan published. */
async function openHome(user: string): Promise<string> {
  const before = publishedTo(user);
  const r = await h.event({
    type: 'app_home_opened',
    user,
    channel: `D0${user}`,
    tab: 'home',
    event_ts: `${Date.now() / 1000}`,
  });
  expect(r.status).toBe(200);
  await h.slack.waitFor(() => publishedTo(user) > before);
  const view = h.slack.homeViews.get(user);
  expect(view?.type).toBe('home');
  return JSON.stringify(view?.blocks);
}

/** The blocks above the matrix: what waits for the viewer. */
const waitingPart = (blocks: string) => blocks.slice(0, blocks.indexOf('Which version runs where'));

async function requestRelease(user = 'U0ALICE'): Promise<string> {
  const r = await h.command('todobackend 1.2.3 to prod', { user, channel: 'C0PROD' });
  expect(r.status).toBe(200);
  const answer = JSON.stringify(await responseTo(h.slack, r.responseUrl));
  const id = /request `((?:dep|r)-[a-z0-9]+)`/.exec(answer)?.[1];
  expect(id).toBeDefined();
  // The review is posted once the change set is ready; only then does the request wait for approval.
  await h.slack.waitFor(() =>
    h.slack.channelMessages('C0PROD').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
  );
  return id!;
}

describe('the Home tab', () => {
  afterEach(async () => {
    await h.stop();
    cfn.restore();
    ecs.restore();
  });

  it('shows an approver which version runs where and the release waiting for their approval', async () => {
    await start();
    const id = await requestRelease();
    const bob = await openHome('U0BOB');
    expect(bob).toContain('Waiting for you (1)');
    expect(waitingPart(bob)).toContain('Release of *todobackend* to *prod*: `1.2.2` → `1.2.3`');
    expect(waitingPart(bob)).toContain(`\`/deploy approve ${id}\``);
    expect(waitingPart(bob)).toContain('asked by <@U0ALICE>');
    expect(waitingPart(bob)).toMatch(
      /<http:\/\/127\.0\.0\.1:\d+\/archives\/C0PROD\/p\d+\|Review and approve>/,
    );
    // The matrix: every environment, the version it runs, and the release in flight.
    expect(bob).toContain('*todobackend*');
    expect(bob).toContain('*dev*  `1.2.2`');
    expect(bob).toContain('*prod*  `1.2.2`');
    expect(bob).toContain('release of `1.2.3` by <@U0ALICE>: awaiting approval');
    expect(bob).toContain('*billing*');
    expect(bob).toContain('*staging*');
  });

  it('shows nothing to approve to an approver who asked, nor to someone who is not an approver', async () => {
    await start();
    const id = await requestRelease('U0BOB');
    for (const user of ['U0BOB', 'U0ALICE', 'U0MALLORY']) {
      const blocks = await openHome(user);
      expect(waitingPart(blocks)).toContain('Nothing is waiting for your approval.');
      expect(waitingPart(blocks)).not.toContain('/deploy approve');
      // They still see the release in the matrix.
      expect(blocks).toContain('release of `1.2.3` by <@U0BOB>: awaiting approval');
    }
    expect(waitingPart(await openHome('U0CAROL'))).toContain(`/deploy approve ${id}`);
  });

  it('is built afresh each time it opens: a lock and a decided request show up', async () => {
    await start();
    const id = await requestRelease();
    expect(await openHome('U0CAROL')).toContain(`/deploy approve ${id}`);
    const lock = await h.command('lock todobackend dev load test', { user: 'U0BOB', channel: 'C0DEV' });
    await responseTo(h.slack, lock.responseUrl);
    const reject = await h.command(`reject ${id} not today`, { user: 'U0BOB', channel: 'C0PROD' });
    await responseTo(h.slack, reject.responseUrl);
    const again = await openHome('U0CAROL');
    expect(again).toContain(':lock: locked by <@U0BOB>');
    expect(again).toContain('load test');
    expect(waitingPart(again)).toContain('Nothing is waiting for your approval.');
    expect(again).not.toContain('awaiting approval');
  });

  it('lists a pipeline approval relayed from CodePipeline for its approvers only', async () => {
    await start();
    const r = await h.post('/sns', JSON.stringify(signer.sign(notification(approvalMessage()))), {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-topic-arn': TOPIC,
    });
    expect(r.status).toBe(200);
    await h.slack.waitFor(() => h.slack.channelMessages('C0PIPE')[0]);
    const bob = waitingPart(await openHome('U0BOB'));
    expect(bob).toContain('*Manual approval* in pipeline *todobackend-pipeline*: stage *Approval*');
    expect(bob).toContain('in <#C0PIPE>');
    expect(waitingPart(await openHome('U0ALICE'))).toContain('Nothing is waiting for your approval.');
  });

  it('lists a pipeline approval whose route is a pattern', async () => {
    await start(HOME_YAML.replace('- name: todobackend-pipeline', '- name: todobackend-*'));
    const r = await h.post('/sns', JSON.stringify(signer.sign(notification(approvalMessage()))), {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-topic-arn': TOPIC,
    });
    expect(r.status).toBe(200);
    await h.slack.waitFor(() => h.slack.channelMessages('C0PIPE')[0]);
    const bob = waitingPart(await openHome('U0BOB'));
    expect(bob).toContain('*Manual approval* in pipeline *todobackend-pipeline*: stage *Approval*');
    expect(waitingPart(await openHome('U0ALICE'))).toContain('Nothing is waiting for your approval.');
  });

  it('publishes nothing when the Messages tab opens', async () => {
    await start();
    const r = await h.event({
      type: 'app_home_opened',
      user: 'U0BOB',
      channel: 'D0U0BOB',
      tab: 'messages',
      event_ts: `${Date.now() / 1000}`,
    });
    expect(r.status).toBe(200);
    await openHome('U0CAROL');
    expect(h.slack.callsOf('views.publish').map((c) => c.args.user_id)).toEqual(['U0CAROL']);
  });
});

const config = readConfig(
  { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', CAPSTAN_CONFIG: 'capstan.yml' },
  () => TEST_YAML.replace('__DB__', '/tmp/unused.db'),
);
if (!config.ok) throw new Error(config.problems.join('\n'));
const catalog = config.config.catalog;
const [dev, prod] = catalog.apps[0]!.environments as [Environment, Environment];
const staging = catalog.apps[1]!.environments[0]!;
const AT = Date.UTC(2026, 10, 22, 9, 30);

const release: Deployment = {
  id: 'r-7k2p9x',
  rev: 1,
  kind: 'release',
  app: 'todobackend',
  env: 'prod',
  requestedBy: 'U0ALICE',
  fromVersion: '1.2.2',
  toVersion: '1.2.3',
  state: 'awaiting_approval',
  channel: 'C0PROD',
  messageTs: '1795000000.000100',
  permalink: 'https://sandbox.slack.com/archives/C0PROD/p1795000000000100',
  createdAt: AT - 5 * 60_000,
  updatedAt: AT - 5 * 60_000,
  expiresAt: AT + 86_400_000 - 5 * 60_000,
  approvals: [],
};

const reading = (version: string, facts: string[]) => ({
  ok: true as const,
  version,
  digest: `sha256:${'ab12'.repeat(16)}`,
  state: 'ACTIVE',
  facts: facts.map(textFact),
  inProgress: false,
  events: [],
});

const statuses: EnvStatus[] = [
  {
    env: dev,
    where: 'ECS service todobackend-dev',
    freeze: {
      open: {
        name: 'release <b>week</b>',
        timezone: 'UTC',
        startedAt: AT - 3_600_000,
        endsAt: AT + 3 * 3_600_000,
      },
      next: {
        name: 'quarter end',
        timezone: 'UTC',
        startsAt: AT + 7 * 86_400_000,
        endsAt: AT + 8 * 86_400_000,
      },
    },
    ...reading('1.2.2', ['tasks 2/2 running']),
    verdict: { kind: 'verified', at: AT - 2 * 3_600_000 },
  },
  {
    env: prod,
    where: 'CloudFormation stack todobackend-prod',
    inFlight: release,
    ...reading('1.2.2', ['UPDATE_COMPLETE']),
  },
  {
    env: staging,
    where: 'ECS service billing-staging',
    lock: {
      app: 'billing',
      env: 'staging',
      owner: 'U0BOB',
      reason: 'load test <!channel>',
      at: AT - 3_600_000,
    },
    ok: false,
    error: 'AWS denied ecs:DescribeServices on ECS service billing-staging',
  },
];

/** A deploy whose bake an alarm stopped, waiting for Roll back or Keep (onAlarm: ask). */
const asking: Deployment = {
  ...release,
  id: 'd-baking1',
  kind: 'deploy',
  state: 'verifying',
  expiresAt: undefined,
  finishedAt: undefined,
  verification: {
    startedAt: AT - 10 * 60_000,
    endsAt: AT + 20 * 60_000,
    onAlarm: 'ask',
    lookedAt: AT - 4 * 60_000,
    alarms: [{ name: 'todo-5xx', state: 'ALARM' }],
    tripped: {
      alarm: 'todo-5xx',
      reason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)',
      at: AT - 5 * 60_000,
      flapped: false,
    },
  },
};

const pipelineApproval: PipelineApproval = {
  id: 'p-4f8h2c',
  rev: 1,
  region: 'us-east-1',
  pipeline: 'todobackend-pipeline',
  stage: 'Approval',
  action: 'Approve',
  token: 'secret-token',
  expiresAt: AT + 2 * 86_400_000,
  externalLink: 'https://console.aws.amazon.com/cloudformation/home#/stacks/changesets/changes',
  channel: 'C0PIPE',
  state: 'open',
  approvals: [],
  createdAt: AT - 60_000,
  updatedAt: AT - 60_000,
};

describe('homeView', () => {
  it('renders the requests waiting for the viewer, then the matrix (snapshot)', () => {
    const home: Home = {
      userId: 'U0BOB',
      at: AT,
      environments: statuses,
      waiting: [
        { kind: 'approval', deployment: release, env: prod },
        {
          kind: 'bake',
          deployment: asking,
          env: prod,
          alarm: {
            kind: 'verify.alarmed',
            alarm: 'todo-5xx',
            reason: asking.verification!.tripped!.reason,
            flapped: false,
          },
          since: AT - 4 * 60_000,
        },
        {
          kind: 'pipeline',
          approval: pipelineApproval,
          route: { pipeline: 'todobackend-pipeline', channel: 'C0PIPE', policy: prod.policy },
        },
      ],
    };
    const view = homeView(home);
    const json = JSON.stringify(view);
    // No raw clock times: every time on the Home tab is a Slack date.
    const raw = stringsOf(view).filter((x) => RAW_TIME.test(withoutSlackDates(x.text)));
    expect(raw).toEqual([]);
    expect(json).not.toContain('secret-token');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<b>');
    expect(view).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "Waiting for you (3)",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": ":raised_hand: Release of *todobackend* to *prod*: \`1.2.2\` → \`1.2.3\`
      asked by <@U0ALICE> <!date^1795339500^{date_short_pretty} {time}|2026-11-22 09:25 UTC> · approvals 0/1 · expires <!date^1795425900^{date_short_pretty} {time}|2026-11-23 09:25 UTC> (in 23h 55m)
      <https://sandbox.slack.com/archives/C0PROD/p1795000000000100|Review and approve> · or \`/deploy approve r-7k2p9x\`",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":rotating_light: Alarm \`todo-5xx\` went off: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)
      Deploy of *todobackend* to *prod*: \`1.2.2\` → \`1.2.3\` waits for *Roll back* or *Keep* since <!date^1795339560^{date_short_pretty} {time}|2026-11-22 09:26 UTC>
      <https://sandbox.slack.com/archives/C0PROD/p1795000000000100|Open the deploy> and press *Roll back* or *Keep*",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":raised_hand: *Manual approval* in pipeline *todobackend-pipeline*: stage *Approval*, action *Approve*
      approvals 0/1 · expires in 2d
      in <#C0PIPE> · <https://console.aws.amazon.com/cloudformation/home#/stacks/changesets/changes|What to review>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "type": "divider",
          },
          {
            "text": {
              "emoji": true,
              "text": "Which version runs where",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "*todobackend*",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*dev*  \`1.2.2\` (sha256:ab12ab12ab12)
      :white_check_mark: verified <!date^1795332600^{date_short_pretty} {time}|2026-11-22 07:30 UTC>
      tasks 2/2 running
      :snowflake: frozen (release &lt;b&gt;week&lt;/b&gt;) until <!date^1795350600^{date_short_pretty} {time}|2026-11-22 12:30 UTC>
      next freeze: quarter end, <!date^1795944600^{date_short_pretty} {time}|2026-11-29 09:30 UTC> to <!date^1796031000^{date_short_pretty} {time}|2026-11-30 09:30 UTC>",
                "type": "mrkdwn",
              },
              {
                "text": "*prod*  \`1.2.2\` (sha256:ab12ab12ab12)
      UPDATE_COMPLETE
      :hourglass_flowing_sand: release of \`1.2.3\` by <@U0ALICE>: awaiting approval",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
          {
            "text": {
              "text": "*billing*",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*staging*  :warning: AWS denied ecs:DescribeServices on ECS service billing-staging
      :lock: locked by <@U0BOB> <!date^1795336200^{date_short_pretty} {time}|2026-11-22 08:30 UTC>: load test &lt;!channel&gt;",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Updated <!date^1795339800^{date_short_pretty} {time_secs}|2026-11-22 09:30 UTC> · \`/deploy status &lt;app&gt; &lt;env&gt;\` for details and recent events",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "callback_id": "capstan_home",
        "type": "home",
      }
    `);
  });

  it('stays within the 100 blocks of a Home tab, saying what it left out', () => {
    const many: EnvStatus[] = Array.from({ length: 150 }, (_, i) => ({
      ...statuses[0]!,
      env: { ...dev, app: `app-${i}` },
    }));
    const home: Home = {
      userId: 'U0BOB',
      at: AT,
      environments: many,
      waiting: Array.from({ length: 30 }, () => ({
        kind: 'approval' as const,
        deployment: release,
        env: prod,
      })),
    };
    const view = homeView(home);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCKS);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('Waiting for you (30)');
    expect(json).toContain('…and 11 more waiting for you in their channels');
    expect(json).toMatch(/…and \d+ more apps: ask with `\/deploy status &lt;app&gt;`/);
    expect(json).toContain('Updated <!date^');
  });
});

describe('readHome', () => {
  const rollout: Deployment = {
    ...release,
    id: 'd-bluegrn',
    kind: 'deploy',
    state: 'rolling_out',
    expiresAt: undefined,
    tracking: {
      phase: 'rollout',
      startedAt: AT,
      lastProgressAt: AT,
      waiting: 'green is ready: let traffic go to it',
      data: {},
    },
  };

  async function homeOf(user: string, d: Deployment, c: Catalog = catalog): Promise<Home> {
    const store = openSqliteStore(':memory:');
    const clock = new ManualClock(AT);
    try {
      await store.create(d);
      return await readHome(
        {
          catalog: c,
          status: { catalog: c, store, targets: fakeRegistry(new FakeTarget()), clock },
          directory: directoryOf({ 'deploy-approvers': ['U0BOB', 'U0CAROL'] }),
          clock,
        },
        user,
      );
    } finally {
      store.close();
    }
  }

  it('lists a rollout waiting to go on for approvers other than the person who asked', async () => {
    const bob = await homeOf('U0BOB', rollout);
    expect(bob.waiting).toMatchObject([{ kind: 'continue', deployment: { id: 'd-bluegrn' } }]);
    expect(JSON.stringify(homeView(bob).blocks)).toContain(
      'waits for an approver to let it go on: green is ready',
    );
    expect((await homeOf('U0ALICE', rollout)).waiting).toEqual([]);
    expect((await homeOf('U0BOB', { ...rollout, requestedBy: 'U0BOB' })).waiting).toEqual([]);
  });

  it('lists a bake an alarm stopped for those it asks who may press Keep or Roll back, the alarm first', async () => {
    // prod: the requester (a deployer: Roll back) and the approvers (Keep); nobody else.
    for (const user of ['U0ALICE', 'U0BOB', 'U0CAROL'])
      expect((await homeOf(user, asking)).waiting, user).toMatchObject([
        { kind: 'bake', alarm: { alarm: 'todo-5xx' }, since: AT - 4 * 60_000 },
      ]);
    expect((await homeOf('U0MALLORY', asking)).waiting).toEqual([]);
    const [, block] = homeView(await homeOf('U0BOB', asking)).blocks;
    const section = block?.type === 'section' ? ((block as SectionBlock).text?.text ?? '') : '';
    expect(section).toMatch(/^:rotating_light: Alarm `todo-5xx` went off: Threshold Crossed/);
    expect(section).toContain('|Open the deploy> and press *Roll back* or *Keep*');
    // dev has no approvers: the requester alone is asked, although every deployer may press Keep.
    const onDev = { ...asking, env: 'dev', channel: 'C0DEV' };
    expect((await homeOf('U0ALICE', onDev)).waiting).toHaveLength(1);
    expect((await homeOf('U0BOB', onDev)).waiting).toEqual([]);
    // Decided, or still baking with no alarm: nothing waits.
    const v = asking.verification!;
    const decided = {
      ...asking,
      verification: { ...v, decision: { kind: 'keep' as const, at: AT, by: 'U0BOB' } },
    };
    expect((await homeOf('U0BOB', decided)).waiting).toEqual([]);
    const clean = { ...asking, verification: { ...v, tripped: undefined } };
    expect((await homeOf('U0BOB', clean)).waiting).toEqual([]);
  });

  it('leaves out a request that expired or that the viewer already approved', async () => {
    expect((await homeOf('U0BOB', release)).waiting).toHaveLength(1);
    expect((await homeOf('U0BOB', { ...release, expiresAt: AT })).waiting).toEqual([]);
    const approved = { ...release, approvals: [{ userId: 'U0BOB', at: AT }] };
    expect((await homeOf('U0BOB', approved)).waiting).toEqual([]);
  });

  it('shows the freeze in force on an environment, as status reads it from the configuration', async () => {
    const frozen: Environment = {
      ...prod,
      // Opens every day at midnight UTC for a day: always in force.
      freezes: [{ name: 'quarter end', cron: '0 0 * * *', durationMs: 86_400_000, timezone: 'UTC' }],
    };
    const withFreeze = {
      ...catalog,
      apps: [{ ...catalog.apps[0]!, environments: [dev, frozen] }, ...catalog.apps.slice(1)],
    };
    const home = await homeOf('U0BOB', release, withFreeze);
    expect(home.environments.find((s) => s.env === frozen)?.freeze?.open?.name).toBe('quarter end');
    expect(JSON.stringify(homeView(home).blocks)).toContain(':snowflake: frozen (quarter end) until <!date^');
  });
});
