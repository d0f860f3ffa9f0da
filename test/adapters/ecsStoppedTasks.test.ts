import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEcsAdapter } from '../../src/adapters/aws/ecs.js';
import { stoppedTasksBudget } from '../../src/compose/aws.js';

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());
// Test files share a worker without isolation: the real send comes back for the next file.
afterAll(() => ecs.restore());

const loc = { region: 'us-east-1', cluster: 'c1' };

describe('ECS adapter: stopped-task reads share one rate budget', () => {
  it('1,000 rollouts reading every 4th look make no more than a few ListTasks calls a second', async () => {
    let now = 0;
    // The budget Capstan composes, at the default polling interval of 5 s.
    const budget = stoppedTasksBudget({ now: () => now, pollIntervalMs: 5000 });
    const adapter = createEcsAdapter(() => new ECSClient({ region: 'us-east-1' }), {
      stoppedTasksBudget: budget,
    });
    const calls: number[] = [];
    ecs.on(ListTasksCommand).callsFake(() => {
      calls.push(now);
      return { taskArns: ['arn:aws:ecs:us-east-1:1:task/c1/t1'] };
    });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:us-east-1:1:task/c1/t1',
          taskDefinitionArn: 'td:1',
          stoppedReason: 'Essential container exited',
        },
      ],
    });
    const answered: number[] = [];
    // Ticks of 5 s: each tick a quarter of the 1,000 services asks.
    for (let tick = 0; tick < 24; tick++) {
      const asking = Array.from({ length: 250 }, (_, i) => `svc-${(i * 4 + (tick % 4)) % 1000}`);
      const found = await Promise.all(asking.map((s) => adapter.stoppedTasks(loc, s, 'td:1')));
      answered.push(...found.map((f) => f.length));
      now += 5000;
    }
    const perSecond = new Map<number, number>();
    for (const at of calls)
      perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    // Never more than the burst (10, one kept for urgent reads) in any second, and 2 a second over the 2 minutes.
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(9);
    expect(calls.length).toBeLessThanOrEqual(10 + 2 * 120);
    expect(calls.length).toBeGreaterThan(0);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(calls.length);
    // What was read is answered; what was skipped reads nothing and answers none.
    expect(answered.filter((n) => n === 1)).toHaveLength(calls.length);
  });

  it('without a budget every read goes to ECS', async () => {
    const adapter = createEcsAdapter(() => new ECSClient({ region: 'us-east-1' }));
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    await Promise.all(Array.from({ length: 50 }, (_, i) => adapter.stoppedTasks(loc, `svc-${i}`, 'td:1')));
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(50);
  });
});
