import { DescribeServicesCommand, type Deployment } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, startHarness } from '../support/harness.js';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { EVENTS_QUEUE, FakeSqs, ecsDeploymentEvent } from './fakeSqs.js';

// Polled once an hour: whatever shows an end within the test did so because of an event.
const YAML = `${TEST_YAML.replace('interval: 20ms', 'interval: 1h')}
events:
  sqsQueueUrl: ${EVENTS_QUEUE}
`;

let h: Harness;
let aws: FakeEcs;
let sqs: FakeSqs;

beforeEach(async () => {
  aws = new FakeEcs();
  sqs = new FakeSqs();
  h = await startHarness({ yaml: YAML, slack: { users: USERS, groups: GROUPS } });
});
afterEach(async () => {
  await h.stop();
  aws.restore();
  sqs.restore();
});

const looks = () => aws.ecs.commandCalls(DescribeServicesCommand).length;

function parent(version: string, until: RegExp, timeoutMs = 5000): Promise<StoredMessage> {
  return h.slack.waitFor(
    () =>
      h.slack
        .channelMessages('C0DEV')
        .find((m) => m.text.includes(` ${version} to dev`) && until.test(m.text)),
    timeoutMs,
  );
}

/** Starts a deploy whose rollout only moves when the test says so; resolves once Slack shows it rolling out. */
async function deployStuck(version = '1.2.3'): Promise<Deployment> {
  aws.behaviour.set(version, 'stuck');
  expect((await h.command(`todobackend ${version}`)).status).toBe(200);
  await parent(version, /: rolling out/);
  return aws.service.deployments!.find((d) => d.status === 'PRIMARY')!;
}

/** ECS reaches the end of the deployment (what the next DescribeServices will say). */
function completeInEcs(d: Deployment): void {
  aws.service = {
    ...aws.service,
    runningCount: 2,
    deployments: [{ ...d, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' }],
  };
}

const deletedAll = (ids: string[]) => h.slack.waitFor(() => ids.every((id) => sqs.deleted.includes(id)));

const event = (id: string, eventName: Parameters<typeof ecsDeploymentEvent>[0]['eventName'], d: Deployment) =>
  ecsDeploymentEvent({ id, eventName, cluster: 'todo-dev', service: 'todobackend-dev', deploymentId: d.id! });

describe('AWS events through the queue', () => {
  it("an ECS deployment state change shows the rollout's end at once, without waiting for the poll interval", async () => {
    const d = await deployStuck();
    const before = looks();
    completeInEcs(d);
    const id = sqs.send(event('ev-completed', 'SERVICE_DEPLOYMENT_COMPLETED', d));

    await parent('1.2.3', /: succeeded$/);
    expect(looks() - before).toBe(1);
    await deletedAll([id]);
  });

  it('decides nothing by itself: an event that AWS does not bear out leaves the rollout as AWS says it is', async () => {
    const d = await deployStuck();
    // ECS has not finished; a late or misrouted "completed" or "failed" only makes Capstan look.
    const ids = [
      sqs.send(event('ev-early', 'SERVICE_DEPLOYMENT_COMPLETED', d)),
      sqs.send(event('ev-stale-failure', 'SERVICE_DEPLOYMENT_FAILED', d)),
    ];
    await deletedAll(ids);
    const msg = h.slack.channelMessages('C0DEV').find((m) => m.text.includes(' 1.2.3 to dev'))!;
    expect(msg.text).toMatch(/: rolling out/);
    expect(looks()).toBeGreaterThan(1);

    completeInEcs(d);
    sqs.send(event('ev-completed', 'SERVICE_DEPLOYMENT_COMPLETED', d));
    await parent('1.2.3', /: succeeded$/);
  });

  it('duplicate and out-of-order events after the end cause no further look and no second outcome', async () => {
    const d = await deployStuck();
    completeInEcs(d);
    sqs.send(event('ev-completed', 'SERVICE_DEPLOYMENT_COMPLETED', d));
    const done = await parent('1.2.3', /: succeeded$/);
    const lookedBefore = looks();

    const ids = [
      // SQS delivered it twice; the "in progress" that ECS sent first arrives last.
      sqs.send(event('ev-completed', 'SERVICE_DEPLOYMENT_COMPLETED', d)),
      sqs.send(event('ev-in-progress', 'SERVICE_DEPLOYMENT_IN_PROGRESS', d)),
      sqs.send(event('ev-completed', 'SERVICE_DEPLOYMENT_COMPLETED', d)),
    ];
    await deletedAll(ids);

    expect(looks()).toBe(lookedBefore);
    const now = h.slack.channelMessages('C0DEV').filter((m) => m.text.includes(' 1.2.3 to dev'));
    expect(now).toHaveLength(1);
    expect(now[0]!.ts).toBe(done.ts);
    expect(now[0]!.text).toMatch(/: succeeded$/);
  });

  it("an event about another cluster, region or service's tasks starting looks at nothing", async () => {
    const d = await deployStuck();
    const before = looks();
    completeInEcs(d);
    const ids = [
      sqs.send(
        ecsDeploymentEvent({
          id: 'ev-other-cluster',
          eventName: 'SERVICE_DEPLOYMENT_COMPLETED',
          cluster: 'billing-prod',
          service: 'todobackend-dev',
          deploymentId: 'ecs-svc/1',
        }),
      ),
      sqs.send(
        ecsDeploymentEvent({
          id: 'ev-other-region',
          eventName: 'SERVICE_DEPLOYMENT_COMPLETED',
          cluster: 'todo-dev',
          service: 'todobackend-dev',
          deploymentId: d.id!,
          region: 'eu-west-1',
        }),
      ),
      sqs.send({
        version: '0',
        id: 'ev-task-running',
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        account: '123456789012',
        time: '2026-11-20T10:00:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:ecs:us-east-1:123456789012:task/todo-dev/0123456789abcdef'],
        detail: {
          clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/todo-dev',
          group: 'service:todobackend-dev',
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          version: 3,
        },
      }),
    ];
    await deletedAll(ids);

    expect(looks()).toBe(before);
    const msg = h.slack.channelMessages('C0DEV').find((m) => m.text.includes(' 1.2.3 to dev'))!;
    expect(msg.text).toMatch(/: rolling out/);
  });

  it('deletes messages that can never be read, and goes on with the next ones', async () => {
    const d = await deployStuck();
    const junk = [
      sqs.send('not json {'),
      sqs.send({ hello: 'world' }),
      sqs.send({ Type: 'Notification', Message: 'plain text, not an event' }),
      sqs.send({ id: 'x', 'detail-type': 'ECS Deployment State Change', source: 'aws.ecs', detail: 'nope' }),
    ];
    await deletedAll(junk);

    completeInEcs(d);
    sqs.send(event('ev-completed', 'SERVICE_DEPLOYMENT_COMPLETED', d));
    await parent('1.2.3', /: succeeded$/);
  });
});
