import { beforeEach, describe, expect, it } from 'vitest';
import { CapstanError } from '../../src/domain/errors.js';
import type { Fact } from '../../src/domain/facts/index.js';
import type { TaskDefinitionDocument } from '../../src/domain/taskDefinition.js';
import type { Registry } from '../../src/ports/registry.js';
import { createEcsStrategy } from '../../src/targets/ecs/index.js';
import { newTrack } from '../../src/targets/ecs/evaluate.js';
import { seal } from '../../src/targets/seal.js';
import type { Observation, TargetStrategy } from '../../src/targets/strategy.js';
import { sayError, sayFact as say } from '../../src/views/facts/index.js';
import { ManualClock } from '../fakes/ports.js';
import { MemoryEcs, REPO, environment, registry, registryWithout, steady } from './memoryEcs.js';

const dev = environment('dev');
const where = { service: 'svc-dev', cluster: 'todo', region: 'us-east-1' };
const CURRENT: TaskDefinitionDocument = {
  taskDefinition: { family: 'todo', containerDefinitions: [{ name: 'app', image: `${REPO}:1.0.0` }] },
  tags: [],
};

let ecs: MemoryEcs;
let clock: ManualClock;
const strategy = (r: Registry = registry): TargetStrategy =>
  seal(createEcsStrategy({ ecs, registry: r, now: () => clock.now() }));

beforeEach(() => {
  ecs = new MemoryEcs();
  clock = new ManualClock();
  ecs.taskDefinitions.set('td:41', CURRENT);
  ecs.services.set('svc-dev', steady('svc-dev', 'ecs-svc/OLD', 'td:41'));
});

/** The fact a refusal carries, and its words. */
async function refusal(
  action: Promise<unknown>,
): Promise<{ code: string; fact: Fact | undefined; said: string }> {
  const e: unknown = await action.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof CapstanError)) throw new Error(`expected a refusal, got ${String(e)}`);
  return { code: e.code, fact: e.fact, said: sayError(e) };
}

async function observeOne(
  data = newTrack('td:42', 'ecs-svc/NEW', clock.now(), 'td:41'),
): Promise<Observation> {
  const item = { id: 'dep-1', env: dev, phase: 'rollout' as const, data, startedAt: clock.now() };
  const seen = await strategy().observe([item]);
  return seen.get('dep-1')!;
}

describe('ECS refusals are facts, worded in the views', () => {
  it('a tag that is not in ECR names the repository and the newest tags', async () => {
    expect(await refusal(strategy(registryWithout(['1.2.3', '1.2.2'])).check(dev, '9.9.9'))).toEqual({
      code: 'image_not_found',
      fact: {
        kind: 'ecr.imageNotFound',
        repository: 'todo',
        region: 'us-east-1',
        tag: '9.9.9',
        recent: ['1.2.3', '1.2.2'],
      },
      said: 'There is no image tagged `9.9.9` in ECR repository todo (us-east-1). Most recently pushed: `1.2.3`, `1.2.2`.',
    });
  });

  it('a cluster or a service that is not ACTIVE, or a service that is not there', async () => {
    ecs.cluster = undefined;
    expect(await refusal(strategy().check(dev, '1.1.0'))).toMatchObject({
      code: 'invalid_state',
      fact: { kind: 'ecs.clusterNotActive', cluster: 'todo', region: 'us-east-1' },
      said: 'ECS cluster todo (us-east-1) is missing, not ACTIVE.',
    });
    ecs.cluster = 'ACTIVE';
    ecs.services.set('svc-dev', { ...steady('svc-dev', 'ecs-svc/OLD', 'td:41'), status: 'DRAINING' });
    expect(await refusal(strategy().check(dev, '1.1.0'))).toMatchObject({
      code: 'invalid_state',
      fact: { kind: 'ecs.serviceNotActive', ...where, status: 'DRAINING' },
      said: 'ECS service svc-dev is DRAINING, not ACTIVE.',
    });
    ecs.services.clear();
    expect(await refusal(strategy().check(dev, '1.1.0'))).toMatchObject({
      code: 'not_found',
      fact: { kind: 'ecs.serviceNotFound', ...where },
      said: 'ECS service svc-dev was not found in cluster todo (us-east-1).',
    });
  });

  it('a rollout under way refuses a deploy, not the rollback of it', async () => {
    const busy = steady('svc-dev', 'ecs-svc/OLD', 'td:41');
    ecs.services.set('svc-dev', {
      ...busy,
      deployments: busy.deployments.map((d) => ({ ...d, id: 'ecs-svc/BUSY', rolloutState: 'IN_PROGRESS' })),
    });
    expect(await refusal(strategy().check(dev, '1.1.0'))).toMatchObject({
      code: 'conflict',
      fact: { kind: 'ecs.serviceBusy', ...where, deploymentId: 'ecs-svc/BUSY' },
      said: 'ECS service svc-dev is already rolling out ecs-svc/BUSY; wait until it finishes.',
    });
    await expect(strategy().check(dev, '1.1.0', { rollingBack: true })).resolves.toMatchObject({
      fromVersion: '1.0.0',
    });
  });

  it('a service that moved since the review refuses the change and registers nothing', async () => {
    const s = strategy();
    const prepared = await s.prepare(dev, {
      requestId: 'dep-1',
      version: '1.1.0',
      requestedBy: 'U0ALICE',
      checked: await s.check(dev, '1.1.0'),
    });
    ecs.services.set(
      'svc-dev',
      steady('svc-dev', 'ecs-svc/OTHER', 'arn:aws:ecs:us-east-1:1:task-definition/todo:43'),
    );
    const apply = s.apply(dev, {
      requestId: 'dep-1',
      version: '1.1.0',
      plan: prepared.plan,
      actor: 'U0ALICE',
    });
    expect(await refusal(apply)).toMatchObject({
      code: 'conflict',
      fact: { kind: 'ecs.serviceChanged', ...where, reviewed: 'td:41' },
      said: 'ECS service svc-dev changed since this was reviewed: it now runs todo:43, not td:41. Request the deploy again.',
    });
    expect(ecs.registered).toEqual([]);
  });
});

describe('what the ECS strategy says while it changes and follows a service', () => {
  it('the change started: the revision, the image and the deployment, as a fact', async () => {
    const s = strategy();
    const prepared = await s.prepare(dev, {
      requestId: 'dep-1',
      version: '1.1.0',
      requestedBy: 'U0ALICE',
      checked: await s.check(dev, '1.1.0'),
    });
    const started = await s.apply(dev, {
      requestId: 'dep-1',
      version: '1.1.0',
      plan: prepared.plan,
      actor: 'U0ALICE',
    });
    expect(started.lines).toEqual([
      {
        kind: 'ecs.deploymentStarted',
        service: 'svc-dev',
        taskDefinitionArn: 'td:42',
        image: `${REPO}@sha256:${'a'.repeat(64)}`,
        deploymentId: 'ecs-svc/NEW',
      },
    ]);
    expect(started.lines.map(say)).toEqual([
      `Registered \`td:42\` with \`todo@sha256:${'a'.repeat(64)}\`; ECS deployment \`ecs-svc/NEW\` started on service \`svc-dev\`.`,
    ]);
  });

  it('service events and stopped tasks go to the thread as facts; a failed read of stopped tasks is one too', async () => {
    const service = steady('svc-dev', 'ecs-svc/NEW', 'td:42');
    ecs.services.set('svc-dev', {
      ...service,
      events: [{ id: 'e1', at: clock.now() + 1, message: '(service svc-dev) has started 1 tasks: <&>' }],
      deployments: service.deployments.map((d) => ({
        ...d,
        runningCount: 0,
        failedTasks: 1,
        rolloutState: 'IN_PROGRESS',
      })),
    });
    ecs.stopped = [
      {
        arn: 'arn:aws:ecs:us-east-1:1:task/todo/abc',
        taskDefinitionArn: 'td:42',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'app', exitCode: 1 }],
      },
    ];
    const seen = await observeOne();
    expect(seen.lines).toEqual([
      { kind: 'ecs.serviceEvent', message: '(service svc-dev) has started 1 tasks: <&>' },
      {
        kind: 'ecs.taskStopped',
        id: 'abc',
        reason: 'Essential container in task exited',
        containers: [{ name: 'app', exitCode: 1 }],
      },
    ]);
    expect(seen.lines.map(say)).toEqual([
      ':information_source: (service svc-dev) has started 1 tasks: &lt;&amp;&gt;',
      ':x: Task `abc` stopped: Essential container in task exited (app: exit code 1)',
    ]);

    ecs.stopped = new Error('AccessDenied: ecs:ListTasks');
    const unread = await observeOne();
    expect(unread.lines.map(say)).toEqual([
      ':information_source: (service svc-dev) has started 1 tasks: &lt;&amp;&gt;',
      ':warning: Could not read stopped tasks: AccessDenied: ecs:ListTasks',
    ]);
  });

  it('a service or cluster that is gone ends the rollout, named; a service ECS cannot describe is unreadable', async () => {
    ecs.services.set('svc-dev', { ...steady('svc-dev', 'ecs-svc/NEW', 'td:42'), status: 'INACTIVE' });
    expect(await observeOne()).toMatchObject({
      kind: 'missing',
      what: { kind: 'ecs.serviceGone', ...where, status: 'INACTIVE' },
    });
    ecs.services.clear();
    const gone = await observeOne();
    expect(gone).toMatchObject({ kind: 'missing', what: { kind: 'ecs.serviceGone', ...where } });
    if (gone.kind === 'missing')
      expect(say(gone.what)).toBe('ECS service svc-dev in cluster todo (us-east-1) no longer exists');

    ecs.failed.set('svc-dev', 'ACCESS_DENIED');
    const unread = await observeOne();
    expect(unread.kind).toBe('unreadable');
    if (unread.kind === 'unreadable' && unread.error instanceof CapstanError) {
      expect(unread.error.fact).toEqual({ kind: 'ecs.describeFailed', ...where, reason: 'ACCESS_DENIED' });
      expect(sayError(unread.error)).toBe(
        'ECS could not describe service svc-dev in cluster todo (us-east-1): ACCESS_DENIED',
      );
    } else {
      throw new Error('expected a refusal with a fact');
    }

    // What the adapter says when DescribeServices answers ClusterNotFoundException.
    ecs.describing = new CapstanError('not_found', {
      kind: 'aws.notFound',
      resource: 'ECS cluster todo',
      region: 'us-east-1',
    });
    const cluster = await observeOne();
    expect(cluster).toMatchObject({
      kind: 'missing',
      what: { kind: 'ecs.clusterGone', cluster: 'todo', region: 'us-east-1' },
    });
    if (cluster.kind === 'missing')
      expect(say(cluster.what)).toBe('ECS cluster todo (us-east-1) no longer exists');
  });
});

describe('status reads ECS as facts', () => {
  it('tasks running and pending; a missing service and one ECS cannot describe are refusals with facts', async () => {
    const qa = environment('qa');
    const web = environment('web');
    ecs.services.set('svc-dev', {
      ...steady('svc-dev', 'ecs-svc/OLD', 'td:41'),
      desiredCount: 2,
      pendingCount: 1,
    });
    ecs.failed.set('svc-web', 'ACCESS_DENIED');
    const read = await strategy().read([dev, qa, web], false);
    const reading = read.get(dev);
    if (!reading || reading instanceof Error) throw new Error('expected a reading');
    expect(reading.facts).toEqual([{ kind: 'ecs.taskCount', running: 1, desired: 2, pending: 1 }]);
    expect(reading.facts.map(say)).toEqual(['tasks 1/2 running, 1 pending']);
    const missing = read.get(qa);
    const failed = read.get(web);
    if (!(missing instanceof CapstanError) || !(failed instanceof CapstanError))
      throw new Error('expected refusals');
    expect(sayError(missing)).toBe('ECS service svc-qa was not found in cluster todo (us-east-1).');
    expect(sayError(failed)).toBe(
      'ECS could not describe service svc-web in cluster todo (us-east-1): ACCESS_DENIED',
    );
  });
});
