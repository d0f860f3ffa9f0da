import { DescribeStacksCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import type { SlackFault, StoredMessage } from '../../sandbox/slackApi.js';
import { type PassOptions, SkipClock, passUntil } from '../fakes/skipClock.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

let h: Harness;
let ecs: FakeEcs;
let cfn: FakeCfn;
let clock: SkipClock;
let lines: string[];
let faults: unknown[];
const onFault = (e: unknown) => faults.push(e);

beforeEach(async () => {
  lines = [];
  faults = [];
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cfn = new FakeCfn(clock);
  h = await startHarness({
    clock,
    sleep: clock.sleep,
    // prod's rollout deadline at test speed, as dev's already is.
    yaml: TEST_YAML.replace(
      '          approvals: 1\n',
      '          approvals: 1\n        rolloutTimeout: 3s\n',
    ),
    slack: { users: USERS, groups: GROUPS },
    logger: createLogger('debug', (l) => lines.push(l)),
  });
});
afterEach(async () => {
  await h.stop();
  ecs.restore();
  cfn.restore();
  process.off('unhandledRejection', onFault);
  process.off('uncaughtException', onFault);
});

/** Errors as the SDK throws them when an answer cannot be read (an HTML page from a proxy, an empty body). */
const unreadable = [
  Object.assign(new SyntaxError('Unexpected token < in JSON at position 0'), {
    $metadata: { httpStatusCode: 502 },
    $response: { statusCode: 502, body: '<html><body>502 Bad Gateway</body></html>' },
  }),
  Object.assign(
    new Error(
      'Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
    ),
    {
      name: 'Error',
      $metadata: { httpStatusCode: 200 },
    },
  ),
  Object.assign(new Error(''), { name: 'UnknownError', $fault: 'server', $metadata: {} }),
  'a plain string thrown',
  { not: 'an error' },
];

/** The parent message in dev once `until` holds, time passing faster meanwhile (back-offs, the deadline). */
const dev = (until: (m: StoredMessage) => boolean, opts?: PassOptions) =>
  passUntil(
    clock,
    (p, ms) => h.slack.waitFor(p, ms),
    () => h.slack.channelMessages('C0DEV').find((m) => m.text.includes(' 1.2.3 to dev') && until(m)),
    { timeoutMs: 15_000, ...opts },
  );

async function deploy(): Promise<void> {
  const r = await h.command('todobackend 1.2.3');
  expect(JSON.stringify(await responseTo(h.slack, r.responseUrl))).toContain('Deploying *todobackend*');
}

describe('what AWS answers wrong', () => {
  it('unreadable DescribeServices answers for a while: the rollout goes on to its real end', async () => {
    let left = unreadable.length;
    ecs.afterUpdate = () => {
      ecs.beforeDescribe = () => {
        if (left <= 0) return;
        left -= 1;
        // Some of these are not Error objects on purpose: whatever a call rejects with must be survived.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw unreadable[left];
      };
    };
    await deploy();
    // Steps well short of the 3 s deadline: the back-off after each error passes, the deadline does not.
    await dev((m) => /: succeeded$/.test(m.text), { stepMs: 100 });
    expect(left).toBe(0);
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(faults).toEqual([]);
  });

  it('DescribeServices answers that are missing fields or hold unknown values: the rollout ends as outcome unknown, with the error', async () => {
    const odd = [
      {},
      { services: null },
      { services: [{}] },
      { services: [{ serviceName: 'todobackend-dev', deployments: 'PRIMARY' }] },
      {
        services: [
          {
            serviceName: 'todobackend-dev',
            deployments: [
              { id: 'ecs-svc/1', status: 'SOMETHING_NEW', rolloutState: 'WARPING', runningCount: 'many' },
            ],
            events: [{ message: null, createdAt: 'yesterday' }],
          },
        ],
      },
    ];
    let n = 0;
    ecs.afterUpdate = () => {
      // The real service, but its deployments in states and counts this Capstan has never seen.
      const unknownStates = {
        services: [
          {
            ...ecs.service,
            deployments: (ecs.service.deployments ?? []).map((d) => ({
              ...d,
              rolloutState: 'WARPING',
              runningCount: 'many',
              createdAt: 'yesterday',
            })),
          },
        ],
      };
      ecs.ecs.on(DescribeServicesCommand).callsFake(() => [...odd, unknownStates][n++ % (odd.length + 1)]);
    };
    await deploy();
    const last = await dev((m) => /: (outcome unknown|failed|succeeded)/i.test(m.text));
    expect(last.text).toMatch(/: outcome unknown$/);
    expect(JSON.stringify(last.blocks)).toMatch(
      /Outcome unknown: AWS could not be read .*ecs:DescribeServices/,
    );
    expect(n).toBeGreaterThan(odd.length);
    expect(faults).toEqual([]);
    const r = await h.command('help');
    expect(r.body).toContain('Capstan: /deploy commands');
  });
});

describe('what CloudFormation answers wrong', () => {
  it('DescribeStacks answers without the stack, its status, or with a status never seen: outcome unknown, with the error', async () => {
    cfn.resources = [{ logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'False' }];
    const odd = [
      {},
      { Stacks: null },
      { Stacks: [{}] },
      { Stacks: [{ StackName: 'todobackend-prod', StackStatus: 'WARPING' }] },
    ];
    let n = 0;
    cfn.afterExecute = () => {
      cfn.cfn.on(DescribeStacksCommand).callsFake(() => odd[n++ % odd.length]);
    };
    const r = await h.command('todobackend 1.2.3 to prod', { channel: 'C0PROD' });
    const id = /request `(r-[a-z0-9]+)`/.exec(JSON.stringify(await responseTo(h.slack, r.responseUrl)))?.[1];
    expect(id).toBeDefined();
    const review = await h.slack.waitFor(() =>
      h.slack.channelMessages('C0PROD').find((m) => JSON.stringify(m.blocks).includes('capstan_approve')),
    );
    await h.click({ actionId: 'capstan_approve', value: id!, user: 'U0BOB', message: review });
    const last = await passUntil(
      clock,
      (p, ms) => h.slack.waitFor(p, ms),
      () =>
        h.slack
          .channelMessages('C0PROD')
          .find(
            (m) => m.ts === review.ts && /: (outcome unknown|failed|succeeded|rolled back)/i.test(m.text),
          ),
      { timeoutMs: 20_000 },
    );
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(last.text).toMatch(/: outcome unknown$/);
    expect(JSON.stringify(last.blocks)).toMatch(
      /Outcome unknown: AWS could not be read .*cloudformation:DescribeStacks/,
    );
    expect(n).toBeGreaterThan(odd.length);
    expect(faults).toEqual([]);
  });
});

describe('what the Slack Web API answers wrong', () => {
  const pages: SlackFault[] = [
    { status: 200, raw: '<html><body>Service Unavailable</body></html>' },
    { status: 503, raw: '<html>maintenance</html>' },
    { status: 200, raw: '', contentType: 'application/json' },
    { status: 200, raw: '{"ok":true}', contentType: 'application/json' },
    { status: 200, raw: '[]', contentType: 'application/json' },
  ];

  it('a parent message answered with error pages, empty bodies and no ts is posted once Slack answers, and the rollout is reported to the end', async () => {
    // Within the retry budget (5 attempts in all): every odd answer but the last, in turn, to the parent's post.
    for (const p of pages.slice(0, 4)) h.slack.failNext('chat.postMessage', p);
    await deploy();
    const done = await dev((m) => /: succeeded$/.test(m.text));
    expect(h.slack.callsOf('chat.postMessage:raw')).toHaveLength(4);
    expect(h.slack.channelMessages('C0DEV').filter((m) => m.text.includes(' 1.2.3 to dev'))).toEqual([done]);
    expect(faults).toEqual([]);
  });

  it('odd answers to the Home tab, user groups and user look-ups leave Capstan serving', async () => {
    for (const method of ['views.publish', 'usergroups.list', 'usergroups.users.list', 'users.info'])
      for (const p of pages) h.slack.failNext(method, p);
    await h.event({ type: 'app_home_opened', user: 'U0ALICE', tab: 'home' });
    await h.slack.waitFor(() => h.slack.callsOf('views.publish:raw')[0]);
    const r = await h.command('todobackend 1.2.3 to prod', { channel: 'C0PROD' });
    expect((await responseTo(h.slack, r.responseUrl)) as object).toBeDefined();
    expect(faults).toEqual([]);
    expect((await h.command('help')).body).toContain('Capstan: /deploy commands');
  });
});
