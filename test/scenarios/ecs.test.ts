import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sayWhy } from '../../src/views/why.js';
import { REPO_URI, taskDefinition, tdArn } from '../fixtures/ecs.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';
import {
  ECS_ENVS,
  ECS_SAME_CLUSTER_ENV,
  World,
  awsError,
  body,
  lostConnection,
  throttling,
  yamlWith,
} from './scenario.js';

let w: World;
let aws: FakeEcs;
let qa: FakeEcs;
let clock: SkipClock;

beforeEach(() => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  qa = new FakeEcs('todobackend-qa', { cluster: 'todo-qa', joining: aws });
});
afterEach(async () => {
  await w?.stop();
  aws.restore();
});

const start = async (extra = '') => {
  w = await World.start(yamlWith(ECS_ENVS, extra), clock);
};

/** UpdateService calls on a cluster (Capstan's own, and its rollbacks). */
const updates = (cluster = 'todo-dev') =>
  aws.ecs
    .commandCalls(UpdateServiceCommand)
    .filter((c) => (c.args[0].input as { cluster?: string }).cluster === cluster).length;

async function deploy(version: string, env = 'dev') {
  const answer = await w.command(`todobackend ${version} to ${env}`, env === 'dev' ? 'C0DEV' : 'C0QA');
  expect(answer).toContain(`*todobackend* \`${version}\``);
}

async function deployOk(version: string) {
  await deploy(version);
  return w.parent('C0DEV', version, 'dev', /: succeeded$/);
}

/** A revision someone registered and rolled out by hand (the console, a pipeline). */
function foreignDeploy(f: FakeEcs, version: string): string {
  const arn = tdArn('todobackend', 99);
  aws.taskDefs.set(arn, taskDefinition(99, `${REPO_URI}@${digestOf(version)}`, version));
  f.startDeployment(arn);
  return arn;
}

describe('ECS: judged by the deployment Capstan started, never by how the service looks', () => {
  it('a new deployment of the same revision (someone forced one) is still Capstan’s rollout, followed to its end', async () => {
    await start();
    aws.behaviour.set('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /rolling out/);
    const forced = aws.startDeployment(aws.service.taskDefinition!).service.deployments![0]!.id!;
    aws.behaviour.set('1.2.3', 'success');

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    expect(body(done)).toContain('`1.2.2` → `1.2.3`');
    const d = await w.last('dev');
    expect(d.state).toBe('succeeded');
    expect((d.tracking?.data as { ecsDeploymentId: string }).ecsDeploymentId).toBe(forced);
    expect(updates()).toBe(1);
  });

  it('a service steady again on the previous revision is "rolled back by ECS", never a success, and Capstan starts no second rollback', async () => {
    await start();
    aws.behaviour.set('1.2.4-broken', 'disappear');
    await deploy('1.2.4-broken');
    const done = await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolled back by ECS$/);
    expect(body(done)).toContain('ECS replaced deployment');
    expect(w.states('C0DEV', '1.2.4-broken', 'dev')).not.toContain('succeeded');
    const d = await w.last('dev');
    expect(d.state).toBe('rolled_back');
    expect(d.tracking?.rolledBackBy).toBe('ECS');
    expect(updates()).toBe(1);
  });
});

describe('ECS: every rollout ends', () => {
  it('nothing moves: failed at the deadline and rolled back; a rollback that stalls too ends "rollback failed" with both causes', async () => {
    await start();
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'stuck');
    aws.behaviour.set('1.2.3', 'stuck');
    await deploy('1.2.4-broken');

    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rollback failed$/);
    expect(body(done)).toMatch(
      /no progress for 1s \(0\/2 done\); the rollback failed too: no progress for 1s/,
    );
    expect(body(done)).toContain('What runs now is unknown');
    w.expectPath('C0DEV', '1.2.4-broken', 'dev', [
      'checking',
      'rolling out',
      'rolling back',
      'rollback failed',
    ]);
    const d = await w.last('dev');
    expect(d.state).toBe('rollback_failed');
    expect(d.finishedAt).toBeDefined();
    expect(updates()).toBe(3);
  });

  it('the service deleted under a rollout ends it as failed, naming the service; nothing is rolled back', async () => {
    await start();
    aws.behaviour.set('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /rolling out/);
    aws.gone = 'service';

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: failed$/);
    expect(body(done)).toContain(
      'ECS service todobackend-dev in cluster todo-dev (us-east-1) no longer exists',
    );
    const d = await w.last('dev');
    expect(d.state).toBe('failed');
    expect(sayWhy(d)).toContain('todobackend-dev');
    expect(updates()).toBe(1);
  });

  it('the cluster deleted under a rollout ends it as failed, naming the cluster; nothing is rolled back', async () => {
    await start();
    aws.behaviour.set('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /rolling out/);
    aws.gone = 'cluster';

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: (failed|outcome unknown)$/);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain('ECS cluster todo-dev (us-east-1) no longer exists');
    const d = await w.last('dev');
    expect(d.state).toBe('failed');
    expect(updates()).toBe(1);
  });

  it('AWS unreadable past the deadline: "outcome unknown" with the last thing seen and the error; Capstan keeps checking and the truth replaces it', async () => {
    // Short leases: the coordinator goes round many times while the outcome is unknown.
    await start('replicas:\n  leaseFor: 900ms');
    let unreadable = true;
    let lookedAt = 0;
    aws.beforeDescribe = () => {
      if (updates() === 0) return;
      lookedAt = clock.now();
      // One look gets through (1/2 running), then AWS cannot be read.
      if (unreadable && aws.service.deployments?.[0]?.runningCount === 1) throw throttling();
    };
    await deploy('1.2.3');

    const unknown = await w.parentLater('C0DEV', '1.2.3', 'dev', /: outcome unknown$/);
    const shownAt = clock.now();
    expect(body(unknown)).toContain('Last seen: rolling out 1/2');
    expect(body(unknown)).toContain('AWS is throttling ecs:DescribeServices');
    expect(body(unknown)).toContain('Capstan keeps checking');
    expect((await w.last('dev')).state).toBe('outcome_unknown');

    // Still checking well after the coordinator went round several times.
    await w.passUntil(() => lookedAt > shownAt + 1000);
    unreadable = false;

    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    expect(done.ts).toBe(unknown.ts);
    expect(w.states('C0DEV', '1.2.3', 'dev').slice(-2)).toEqual(['outcome unknown', 'succeeded']);
    expect((await w.last('dev')).state).toBe('succeeded');
    expect(updates()).toBe(1);
  });

  it('a look at AWS that never answers still ends the rollout at its deadline, and the truth replaces "outcome unknown" once AWS answers', async () => {
    await start();
    const hang = w.gate();
    aws.beforeDescribe = () => (updates() > 0 ? hang.wait() : undefined);
    await deploy('1.2.3');

    const unknown = await w.parentLater('C0DEV', '1.2.3', 'dev', /: outcome unknown$/);
    expect(body(unknown)).toContain('Last seen: rolling out');
    expect((await w.last('dev')).state).toBe('outcome_unknown');

    aws.beforeDescribe = undefined;
    hang.open();
    await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    expect((await w.last('dev')).state).toBe('succeeded');
  });
});

describe("ECS: someone else's deploy", () => {
  it('another revision replacing Capstan’s deployment is "superseded by" it and never rolled back over', async () => {
    await start();
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'stuck');
    await deploy('1.2.4-broken');
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /rolling out/);
    foreignDeploy(aws, '1.2.1');

    const done = await w.parent('C0DEV', '1.2.4-broken', 'dev', /: superseded$/);
    expect(body(done)).toContain('Superseded by todobackend:99');
    expect(body(done)).toContain('Capstan did not roll back over it');
    expect(w.states('C0DEV', '1.2.4-broken', 'dev')).not.toContain('rolling back');
    const d = await w.last('dev');
    expect(d.state).toBe('superseded');
    expect(d.rollbackVersion).toBeUndefined();
    expect(updates()).toBe(2);
  });

  it("someone else's deploy during Capstan's own rollback: superseded, and Capstan stops there", async () => {
    await start();
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await deploy('1.2.4-broken');
    aws.behaviour.set('1.2.3', 'stuck'); // the rollback to 1.2.3 hangs until someone steps in
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolling back/);
    await w.until(() => updates() === 3);
    foreignDeploy(aws, '1.2.1');

    const done = await w.parent('C0DEV', '1.2.4-broken', 'dev', /: superseded$/);
    expect(body(done)).toContain('Superseded by todobackend:99');
    expect((await w.last('dev')).state).toBe('superseded');
    expect(updates()).toBe(3);
  });
});

describe('ECS: reconciled before concluding', () => {
  it('UpdateService answers with an error although the deployment started: Capstan follows it and says so', async () => {
    await start();
    aws.afterUpdate = () => {
      throw lostConnection();
    };
    await deploy('1.2.3');

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    await w.threadHas(done, 'but the change took effect');
    expect(w.thread(done)).toContain('AWS answered with an error');
    expect((await w.last('dev')).state).toBe('succeeded');
    expect(updates()).toBe(1);
  });

  it('UpdateService took effect but its retry was throttled: Capstan finds its deployment in the service and follows it', async () => {
    await start();
    aws.afterUpdate = () => {
      throw throttling();
    };
    await deploy('1.2.3');

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: (succeeded|failed)$/);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'but the change took effect');
    expect(updates()).toBe(1);
  });

  it('UpdateService fails and nothing changed: failed in AWS’s words, and "rolling out" was never shown', async () => {
    await start();
    aws.beforeUpdate = () => {
      throw awsError('InvalidParameterException', 'Task definition does not support launch_type FARGATE.');
    };
    await deploy('1.2.3');

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: failed$/);
    expect(body(done)).toContain('Task definition does not support launch_type FARGATE.');
    w.expectPath('C0DEV', '1.2.3', 'dev', ['checking', 'failed']);
    const d = await w.last('dev');
    expect(d.state).toBe('failed');
    expect(d.tracking).toBeUndefined();
  });

  it('Capstan\'s own rollback: UpdateService errors although the rollback started; it is followed to "rolled back"', async () => {
    await start();
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker');
    let calls = 0;
    aws.afterUpdate = () => {
      calls += 1;
      if (calls === 2) throw lostConnection(); // the rollback's UpdateService
    };
    await deploy('1.2.4-broken');

    const done = await w.parent(
      'C0DEV',
      '1.2.4-broken',
      'dev',
      /: (rolled back to 1\.2\.3|rollback failed)$/,
    );
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect((await w.last('dev')).state).toBe('rolled_back');
    expect(updates()).toBe(3);
  });
});

describe('ECS: a crash loop is a failure', () => {
  it.each([
    { breaker: false, label: 'without a circuit breaker' },
    { breaker: true, label: 'with a circuit breaker that does not count tasks that ran' },
  ])('containers that start and keep exiting fail the deploy $label', async ({ breaker }) => {
    await start();
    await deployOk('1.2.3');
    aws.circuitBreaker = { enable: breaker, rollback: false };
    aws.behaviour.set('1.2.4-broken', 'crash_loop');
    await deploy('1.2.4-broken');

    const done = await w.parent(
      'C0DEV',
      '1.2.4-broken',
      'dev',
      /: (rolled back to 1\.2\.3|failed|rollback failed)$/,
      10_000,
    );
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect(body(done)).toContain('containers of the new revision keep exiting');
    await w.threadHas(
      done,
      /Task `task\d+` stopped: Essential container in task exited \(app: exit code 1\)/,
    );
    expect((await w.last('dev')).state).toBe('rolled_back');
  });
});

describe('ECS: progress is anything that moves', () => {
  it('old tasks draining for longer than the timeout is progress, not a stall', async () => {
    await start();
    aws.behaviour.set('1.2.3', 'stuck');
    let t0 = 0;
    aws.beforeDescribe = () => {
      const [fresh, old] = aws.service.deployments ?? [];
      if (updates() === 0 || !fresh || fresh.rolloutState !== 'IN_PROGRESS') return;
      t0 ||= clock.now();
      // New tasks are all up at once; the old ones drain one every 300 ms, 1.5 s in all (the timeout is 1 s).
      const left = Math.max(0, 5 - Math.floor((clock.now() - t0) / 300));
      if (left === 0) {
        aws.service.deployments = [{ ...fresh, runningCount: 2, rolloutState: 'COMPLETED' }];
        return;
      }
      aws.service.deployments = [
        { ...fresh, runningCount: 2, pendingCount: 0 },
        ...(old ? [{ ...old, runningCount: left }] : []),
      ];
    };
    await deploy('1.2.3');

    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: (succeeded|rolled back to .*|failed)$/, {
      stepMs: 100,
    });
    expect(done.text).toMatch(/: succeeded$/);
    expect(clock.now() - t0).toBeGreaterThan(1000);
    expect(updates()).toBe(1);
  });
});

describe('ECS: no state shown before it is true', () => {
  it('"rolling out" appears only once UpdateService has returned', async () => {
    await start();
    const held = w.gate();
    aws.afterUpdate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);
    await w.parent('C0DEV', '1.2.3', 'dev', /: checking$/);

    const releasedAt = Date.now();
    held.open();
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    const shown = w.shown('C0DEV', '1.2.3', 'dev');
    expect(shown[0]?.text).toMatch(/: checking$/);
    const early = shown.filter((s) => /: (rolling out|succeeded)/.test(s.text) && s.at < releasedAt);
    expect(early).toEqual([]);
  });

  it('a failed rollout goes checking → rolling out → rolling back → rolled back, and is never shown as a success', async () => {
    await start();
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await deploy('1.2.4-broken');
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolled back to 1\.2\.3$/);

    w.expectPath('C0DEV', '1.2.4-broken', 'dev', [
      'checking',
      'rolling out',
      'rolling back',
      'rolled back to 1.2.3',
    ]);
  });
});

describe('ECS: one sick cluster never delays the others', () => {
  it('a throttled cluster backs off on its own: the other cluster’s deploy ends on time, the sick one ends "outcome unknown", then the truth', async () => {
    await start();
    let sick = true;
    qa.beforeDescribe = () => {
      if (sick && updates('todo-qa') > 0) throw throttling();
    };
    await deploy('1.2.3', 'qa');
    await w.parent('C0QA', '1.2.3', 'qa', /rolling out/);

    const started = Date.now();
    await deploy('1.2.3', 'dev');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/, 5_000);
    expect(Date.now() - started).toBeLessThan(3_000);

    await w.parentLater('C0QA', '1.2.3', 'qa', /: outcome unknown$/);
    sick = false;
    await w.parentLater('C0QA', '1.2.3', 'qa', /: succeeded$/);
    expect((await w.last('qa')).state).toBe('succeeded');
    expect((await w.last('dev')).state).toBe('succeeded');
  });

  it('a cluster whose reads hang holds up no other cluster', async () => {
    await start();
    const hang = w.gate();
    qa.beforeDescribe = () => (updates('todo-qa') > 0 ? hang.wait() : undefined);
    await deploy('1.2.3', 'qa');
    await w.until(() => hang.reached);

    await deploy('1.2.3', 'dev');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/, 5_000);
    expect(w.current('C0QA', '1.2.3', 'qa').text).not.toMatch(/: succeeded$/);

    qa.beforeDescribe = undefined;
    hang.open();
    await w.parentLater('C0QA', '1.2.3', 'qa', /: succeeded$/);
  });
});

describe('ECS: a warning is not progress', () => {
  it('a service that cannot place its tasks and says so on every look fails at the deadline and is rolled back', async () => {
    await start();
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'unplaceable');
    await deploy('1.2.4-broken');

    const done = await w.parentLater(
      'C0DEV',
      '1.2.4-broken',
      'dev',
      /: (rolled back to 1\.2\.3|failed|rollback failed)$/,
    );
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect(body(done)).toContain('no progress for 1s (0/2 done)');
    // The warning reached the thread, once with its count rather than once per look.
    const thread = await w.threadHas(done, 'was unable to place a task');
    expect(thread.match(/was unable to place a task/g)).toHaveLength(1);
    expect(updates()).toBe(3);
  });
});

describe('ECS: cause first, also when the circuit breaker decides', () => {
  it('tasks that cannot pull their image and a breaker that rolls back: the parent names the pull error, the thread the breaker', async () => {
    await start();
    await deployOk('1.2.3');
    aws.circuitBreaker = { enable: true, rollback: true };
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker_ecs_rollback');
    await deploy('1.2.4-broken');

    const done = await w.parent('C0DEV', '1.2.4-broken', 'dev', /: (rolled back.*|failed|rollback failed)$/);
    expect(done.text).toMatch(/: rolled back by ECS$/);
    const why = done.blocks?.map((b) => JSON.stringify(b)).find((b) => b.includes('*Why:*')) ?? '';
    expect(why).toContain('CannotPullContainerError: pull image manifest has been retried 5 time(s)');
    expect(why).not.toContain('circuit breaker');
    expect(sayWhy(await w.last('dev'))).toMatch(/^CannotPullContainerError: /);
    const thread = await w.threadHas(done, 'ECS deployment circuit breaker: rolling back to deploymentId');
    expect(updates()).toBe(2);

    // No doubled punctuation, and a stopped-task line is never shown again beside its "×N".
    expect(thread).not.toContain('.).');
    const stopLines = thread.split('\n').filter((l) => l.includes('stopped: CannotPullContainerError'));
    expect(stopLines).toHaveLength(1);
    expect(stopLines[0]).toMatch(/ ×\d+$/);
  });

  it('a breaker that does not roll back: failed with the pull error as the reason, the breaker in the thread', async () => {
    await start();
    await deployOk('1.2.3');
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await deploy('1.2.4-broken');

    const done = await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolled back to 1\.2\.3$/);
    expect(body(done)).toContain('CannotPullContainerError');
    expect(sayWhy(await w.last('dev'))).toMatch(/^CannotPullContainerError: /);
    await w.threadHas(done, 'ECS deployment circuit breaker: task failed to start.');
  });
});

describe("ECS: one service's trouble never decides another's", () => {
  it('DescribeServices fails for one service of a batch: that rollout alone is "outcome unknown" in ECS’s words; the other service’s rollout succeeds', async () => {
    const web = new FakeEcs('todobackend-web', { cluster: 'todo-dev', joining: aws });
    w = await World.start(yamlWith(`${ECS_ENVS}${ECS_SAME_CLUSTER_ENV}`), clock);
    aws.behaviour.set('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /rolling out/);
    expect(await w.command('todobackend 1.2.3 to web', 'C0WEB')).toContain('`1.2.3`');
    await w.parent('C0WEB', '1.2.3', 'web', /rolling out/);
    web.failure = 'ACCESS_DENIED';
    aws.behaviour.set('1.2.3', 'success');

    const dev = await w.parent(
      'C0DEV',
      '1.2.3',
      'dev',
      /: (succeeded|failed|outcome unknown|rolled back.*)$/,
    );
    expect(dev.text).toMatch(/: succeeded$/);
    const other = await w.parentLater(
      'C0WEB',
      '1.2.3',
      'web',
      /: (succeeded|failed|outcome unknown|rolled back.*)$/,
    );
    expect(other.text).toMatch(/: outcome unknown$/);
    expect(body(other)).toContain('ECS could not describe service todobackend-web in cluster todo-dev');
    expect(body(other)).toContain('ACCESS_DENIED');
    expect(body(other)).not.toContain('no longer exists');
    expect((await w.last('dev')).state).toBe('succeeded');
  });
});
