import { describe, expect, it } from 'vitest';
import type { Environment } from '../../src/domain/catalog.js';
import type { DeploymentGroup } from '../../src/ports/codedeploy.js';
import type { EcsService } from '../../src/ports/ecs.js';
import {
  alarmNameOf,
  codeDeployPlatformAlarms,
  ecsPlatformAlarms,
  mentionsAlarm,
} from '../../src/targets/shared/platformAlarms.js';

const env = (verify?: readonly string[]) =>
  ({
    app: 'todobackend',
    name: 'prod',
    ...(verify && { verify: { alarms: verify, bakeMs: 60_000, onAlarm: 'rollback' } }),
  }) as unknown as Environment;

const service = (alarms: EcsService['alarms']) => ({ alarms }) as EcsService;
const group = (alarms: DeploymentGroup['alarms'], events: string[] = []) =>
  ({ alarms, autoRollback: { enabled: events.length > 0, events } }) as unknown as DeploymentGroup;

describe("a platform's own alarm rollback, as a fact", () => {
  it('ECS: only when enabled with alarms; rollback as configured; what verify.alarms also watches', () => {
    expect(ecsPlatformAlarms(env(), service(undefined))).toBeUndefined();
    expect(
      ecsPlatformAlarms(env(), service({ enable: false, rollback: true, names: ['a'] })),
    ).toBeUndefined();
    expect(ecsPlatformAlarms(env(), service({ enable: true, rollback: true, names: [] }))).toBeUndefined();
    expect(
      ecsPlatformAlarms(
        env(['a', 'lat-*']),
        service({ enable: true, rollback: false, names: ['a', 'b', 'lat-p99'] }),
      ),
    ).toEqual({
      kind: 'verify.platformAlarms',
      platform: 'ECS',
      alarms: ['a', 'b', 'lat-p99'],
      rollback: false,
      alsoVerified: ['a', 'lat-p99'],
    });
  });

  it('CodeDeploy: rolls back only when its automatic rollback includes DEPLOYMENT_STOP_ON_ALARM', () => {
    expect(codeDeployPlatformAlarms(env(), group({ enabled: true, names: ['a'] }))).toMatchObject({
      platform: 'CodeDeploy',
      rollback: false,
    });
    expect(
      codeDeployPlatformAlarms(env(), group({ enabled: true, names: ['a'] }, ['DEPLOYMENT_FAILURE'])),
    ).toMatchObject({ rollback: false });
    const f = codeDeployPlatformAlarms(
      env([]),
      group({ enabled: true, names: ['a'], ignorePollFailure: true }, ['DEPLOYMENT_STOP_ON_ALARM']),
    );
    expect(f).toMatchObject({ rollback: true, ignoresPollFailure: true, alsoVerified: [] });
    expect(codeDeployPlatformAlarms(env(), group({ enabled: false, names: ['a'] }))).toBeUndefined();
  });

  it('reads an alarm in AWS words only as a whole name, alone or ending its ARN', () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:1:alarm:todo-5xx-latency';
    expect(alarmNameOf(arn)).toBe('todo-5xx-latency');
    expect(mentionsAlarm(`Received ALARM state from rollback trigger ${arn}`, 'todo-5xx')).toBe(false);
    expect(mentionsAlarm(`Received ALARM state from rollback trigger ${arn}`, 'todo-5xx-latency')).toBe(true);
    expect(mentionsAlarm('Activated alarms: <todo-5xx>', 'todo-5xx')).toBe(true);
    expect(
      mentionsAlarm('triggers [arn:aws:cloudwatch:r:1:alarm:a, arn:aws:cloudwatch:r:1:alarm:b]', 'b'),
    ).toBe(true);
    expect(mentionsAlarm('alarm todo-5xx.', 'todo-5xx')).toBe(true);
    expect(mentionsAlarm(undefined, 'a')).toBe(false);
  });
});
