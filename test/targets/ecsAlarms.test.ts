import { describe, expect, it } from 'vitest';
import type { EcsService } from '../../src/ports/ecs.js';
import { alarmsFailedIt, alarmsMayRollBack, ecsRollsBack } from '../../src/targets/ecs/alarms.js';

const service = (over: Partial<EcsService> = {}): EcsService => ({
  name: 'web',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  taskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/todo:42',
  deployments: [],
  circuitBreaker: { enable: true, rollback: true },
  alarms: { enable: true, rollback: false, names: ['todo-5xx', 'todo-5xx-latency'] },
  events: [],
  ...over,
});

describe("whether an ECS service's own alarms failed the deployment", () => {
  it('names the alarms ECS names, each by its whole name', () => {
    expect(alarmsFailedIt(service(), 'alarm todo-5xx-latency went off', false)).toEqual({
      names: ['todo-5xx-latency'],
      named: true,
    });
  });

  it("the circuit breaker's words are its failure; words that say neither are the breaker's while it could have", () => {
    expect(alarmsFailedIt(service(), 'ECS deployment circuit breaker: tasks failed to start.', false)).toBe(
      undefined,
    );
    expect(alarmsFailedIt(service(), 'Deployment failed.', false)).toBeUndefined();
    const breakerOff = service({ circuitBreaker: { enable: false, rollback: false } });
    expect(alarmsFailedIt(breakerOff, 'Deployment failed.', false)).toEqual({
      names: ['todo-5xx', 'todo-5xx-latency'],
      named: false,
    });
  });

  it('a named alarm, or the word "alarm", wins over the circuit breaker’s words', () => {
    expect(
      alarmsFailedIt(service(), 'ECS deployment circuit breaker: alarm todo-5xx in ALARM state.', false),
    ).toEqual({ names: ['todo-5xx'], named: true });
    expect(alarmsFailedIt(service(), 'ECS deployment circuit breaker: alarms detected.', false)).toEqual({
      names: ['todo-5xx', 'todo-5xx-latency'],
      named: false,
    });
  });

  it('words given to the breaker or to neither leave open an alarm rollback only when the alarms roll back', () => {
    const rollsBack = service({ alarms: { enable: true, rollback: true, names: ['todo-5xx'] } });
    expect(alarmsMayRollBack(rollsBack, undefined)).toBe(true);
    expect(alarmsMayRollBack(rollsBack, { names: ['todo-5xx'], named: true })).toBe(false);
    expect(alarmsMayRollBack(service(), undefined)).toBe(false);
    expect(alarmsMayRollBack(service({ alarms: undefined }), undefined)).toBe(false);
  });

  it('a rollback is the alarms’ only when they are set to roll back', () => {
    const rollsBack = service({ alarms: { enable: true, rollback: true, names: ['todo-5xx'] } });
    const breakerStays = { ...rollsBack, circuitBreaker: { enable: true, rollback: false } };
    expect(alarmsFailedIt(breakerStays, undefined, true)).toEqual({ names: ['todo-5xx'], named: true });
    expect(alarmsFailedIt(service(), 'alarm todo-5xx', true)).toBeUndefined();
    expect(alarmsFailedIt(service({ alarms: undefined }), 'alarm todo-5xx', false)).toBeUndefined();
  });

  it('ECS rolls back as it says, or as the mechanism that failed it is set to', () => {
    const alarms = { names: ['todo-5xx'], named: true };
    expect(ecsRollsBack(service(), 'alarm todo-5xx', alarms)).toBe(false);
    expect(ecsRollsBack(service(), 'alarm todo-5xx: rolling back to ecs-svc/1', alarms)).toBe(true);
    expect(ecsRollsBack(service(), 'circuit breaker', undefined)).toBe(true);
  });
});
