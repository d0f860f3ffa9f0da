import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { ACCOUNT } from '../fixtures/ecs.js';
import type { FakeEcs } from './fakeEcs.js';

/** One stage of a scripted service deployment; a pause holds it until decided or timed out, a bake for its minutes. */
export interface Step {
  readonly stage: string;
  readonly prod?: number;
  readonly test?: number;
  readonly pause?: { readonly minutes: number; readonly timeoutAction: 'CONTINUE' | 'ROLLBACK' };
  readonly bakeMinutes?: number;
  /** Nothing moves past this step (tasks never become healthy). */
  readonly stuck?: boolean;
  /** ECS rolls back by itself on reaching this step (an alarm), with this reason. */
  readonly alarm?: string;
  /** With `alarm`: the deployment's alarms ECS reports triggered (alarms.triggeredAlarmNames). */
  readonly triggered?: readonly string[];
}

/** BLUE_GREEN with a pause hook after test traffic and a 10-minute bake. */
export const blueGreen = (timeoutAction: 'CONTINUE' | 'ROLLBACK' = 'ROLLBACK'): Step[] => [
  { stage: 'SCALE_UP' },
  { stage: 'TEST_TRAFFIC_SHIFT', test: 100, prod: 0 },
  { stage: 'POST_TEST_TRAFFIC_SHIFT', test: 100, prod: 0, pause: { minutes: 60, timeoutAction } },
  { stage: 'PRODUCTION_TRAFFIC_SHIFT', test: 100, prod: 100 },
  { stage: 'BAKE_TIME', prod: 100, bakeMinutes: 10 },
  { stage: 'CLEAN_UP', prod: 100 },
];

/** LINEAR in two steps of 50 % with a 5-minute bake after each. */
export const linear = (): Step[] => [
  { stage: 'SCALE_UP' },
  { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 50, bakeMinutes: 5 },
  { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 100, bakeMinutes: 5 },
  { stage: 'BAKE_TIME', prod: 100, bakeMinutes: 5 },
  { stage: 'CLEAN_UP', prod: 100 },
];

/** CANARY: 10 % of production traffic for a 5-minute canary bake, then the rest at once. */
export const canary = (): Step[] => [
  { stage: 'SCALE_UP' },
  { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 10, bakeMinutes: 5 },
  { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 100 },
  { stage: 'BAKE_TIME', prod: 100, bakeMinutes: 10 },
  { stage: 'CLEAN_UP', prod: 100 },
];

interface Sd {
  readonly arn: string;
  readonly createdAt: number;
  readonly td: string;
  readonly previous: string | undefined;
  status: string;
  at: number;
  stageStart: number;
  hooks: { hookId: string; step: number; status: string; expiresAt: number; timeoutAction: string }[];
  rollbackReason?: string;
  triggered?: readonly string[];
  statusReason?: string;
}

const fail = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });

/**
 * ECS service deployments of a BLUE_GREEN, LINEAR or CANARY service, at the SDK client's send() (the FakeEcs's
 * mock): UpdateService starts one, each DescribeServiceDeployments moves it one step of its script
 * on the FakeEcs's clock, and pause hooks wait for ContinueServiceDeployment or their timeout.
 */
export class FakeServiceDeployments {
  readonly all: Sd[] = [];
  private seq = 0;
  /** Set: DescribeServiceDeployments leaves deployments where they are (a console decision is scripted meanwhile). */
  frozen = false;
  /** Awaited before each DescribeServiceDeployments is answered (a test holds a look here). */
  beforeDescribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly aws: FakeEcs,
    public steps: Step[],
    strategy: 'BLUE_GREEN' | 'LINEAR' | 'CANARY' = 'BLUE_GREEN',
  ) {
    aws.strategy = strategy;
    aws.afterUpdate = () => {
      const previous = aws.service.deployments?.find((d) => d.status === 'ACTIVE')?.taskDefinition;
      const sd = this.start(aws.service.taskDefinition ?? '', previous);
      aws.service.currentServiceDeployment = sd.arn;
    };
    const { ecs } = aws;
    ecs.on(ListServiceDeploymentsCommand).callsFake((input: { createdAt?: { after?: Date } }) => ({
      serviceDeployments: this.all
        .filter((d) => d.createdAt >= (input.createdAt?.after?.getTime() ?? 0))
        .map((d) => ({ serviceDeploymentArn: d.arn, status: d.status, createdAt: new Date(d.createdAt) })),
    }));
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .callsFake(async (input: { serviceDeploymentArns: string[] }) => {
        await this.beforeDescribe?.();
        return this.described(input);
      });
    ecs
      .on(ContinueServiceDeploymentCommand)
      .callsFake((input: { serviceDeploymentArn: string; hookId: string; action?: string }) =>
        this.decide(input.serviceDeploymentArn, input.hookId, input.action ?? 'CONTINUE'),
      );
    ecs.on(StopServiceDeploymentCommand).callsFake((input: { serviceDeploymentArn: string }) => {
      const d = this.all.find((x) => x.arn === input.serviceDeploymentArn);
      if (!d) throw fail('ServiceDeploymentNotFoundException', 'Service deployment not found.');
      if (d.status !== 'IN_PROGRESS' && d.status !== 'PENDING')
        throw fail('ConflictException', `The service deployment is ${d.status}.`);
      d.status = 'ROLLBACK_REQUESTED';
      d.rollbackReason = 'Stopped by request (StopServiceDeployment).';
      return { serviceDeploymentArn: d.arn };
    });
  }

  private described(input: { serviceDeploymentArns: string[] }) {
    return {
      serviceDeployments: this.all
        .filter((d) => input.serviceDeploymentArns.includes(d.arn))
        .map((d) => (this.frozen ? d : this.step(d)))
        .map((d) => this.answer(d)),
      failures: input.serviceDeploymentArns
        .filter((a) => !this.all.some((d) => d.arn === a))
        .map((arn) => ({ arn, reason: 'MISSING' })),
    };
  }

  private now(): number {
    return this.aws.now();
  }

  start(td: string, previous: string | undefined): Sd {
    this.seq += 1;
    const sd: Sd = {
      arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service-deployment/${this.aws.cluster}/${this.aws.serviceName}/sd${this.seq}`,
      createdAt: this.now(),
      td,
      previous,
      status: 'PENDING',
      at: -1,
      stageStart: this.now(),
      hooks: [],
    };
    for (const d of this.all) if (d.status === 'IN_PROGRESS' || d.status === 'PENDING') d.status = 'STOPPED';
    this.all.push(sd);
    return sd;
  }

  /** The deployment now being followed (the newest). */
  get current(): Sd {
    return this.all.at(-1)!;
  }

  /** A decision at the pause as the console or the CLI makes it. */
  decide(arn: string, hookId: string, action: string): { serviceDeploymentArn: string } {
    const d = this.all.find((x) => x.arn === arn);
    if (!d) throw fail('ServiceDeploymentNotFoundException', 'Service deployment not found.');
    const hook = d.hooks.find((h) => h.hookId === hookId);
    if (!hook || hook.status !== 'AWAITING_ACTION' || d.status !== 'IN_PROGRESS')
      throw fail('InvalidParameterException', `Hook ${hookId} is not awaiting action.`);
    hook.status = 'SUCCEEDED';
    if (action === 'ROLLBACK') {
      d.status = 'ROLLBACK_REQUESTED';
      d.rollbackReason = 'Rolled back at a lifecycle hook by request.';
    }
    return { serviceDeploymentArn: arn };
  }

  private enter(d: Sd, i: number): void {
    d.at = i;
    d.stageStart = this.now();
    const s = this.steps[i];
    if (!s) {
      d.status = 'SUCCESSFUL';
      this.aws.service.deployments = (this.aws.service.deployments ?? [])
        .filter((x) => x.taskDefinition === d.td)
        .map((x) => ({ ...x, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 }));
      return;
    }
    if (s.alarm) {
      d.status = 'ROLLBACK_IN_PROGRESS';
      d.rollbackReason = s.alarm;
      d.triggered = s.triggered;
      return;
    }
    if (s.pause) {
      d.hooks.push({
        hookId: `ecs-pause-${this.all.indexOf(d) + 1}-${i}`,
        step: i,
        status: 'AWAITING_ACTION',
        expiresAt: this.now() + s.pause.minutes * 60_000,
        timeoutAction: s.pause.timeoutAction,
      });
    }
  }

  private step(d: Sd): Sd {
    switch (d.status) {
      case 'PENDING':
        d.status = 'IN_PROGRESS';
        this.enter(d, 0);
        return d;
      case 'ROLLBACK_REQUESTED':
        d.status = 'ROLLBACK_IN_PROGRESS';
        return d;
      case 'ROLLBACK_IN_PROGRESS':
        d.status = 'ROLLBACK_SUCCESSFUL';
        if (d.previous) this.aws.service.taskDefinition = d.previous;
        this.aws.service.deployments = (this.aws.service.deployments ?? [])
          .filter((x) => x.taskDefinition === d.previous)
          .map((x) => ({ ...x, status: 'PRIMARY', rolloutState: 'COMPLETED' }));
        return d;
      case 'IN_PROGRESS':
        break;
      default:
        return d;
    }
    const s = this.steps[d.at]!;
    const hook = d.hooks.find((h) => h.step === d.at);
    if (s.pause && hook) {
      if (hook.status === 'AWAITING_ACTION' && this.now() >= hook.expiresAt) {
        hook.status = 'TIMED_OUT';
        if (hook.timeoutAction === 'ROLLBACK') {
          d.status = 'ROLLBACK_IN_PROGRESS';
          d.rollbackReason = 'A lifecycle hook timed out.';
          return d;
        }
      }
      if (hook.status === 'AWAITING_ACTION') return d;
    }
    if (s.stuck) return d;
    if (s.bakeMinutes !== undefined && this.now() < d.stageStart + s.bakeMinutes * 60_000) return d;
    this.enter(d, d.at + 1);
    return d;
  }

  private answer(d: Sd): ServiceDeployment {
    const s = this.steps[Math.max(0, Math.min(d.at, this.steps.length - 1))];
    return {
      serviceDeploymentArn: d.arn,
      status: d.status as ServiceDeployment['status'],
      statusReason: d.statusReason,
      lifecycleStage: (d.at >= 0 ? s?.stage : undefined) as ServiceDeployment['lifecycleStage'],
      lifecycleHookDetails: d.hooks.map((h) => ({
        hookId: h.hookId,
        targetType: 'PAUSE',
        status: h.status as 'AWAITING_ACTION',
        expiresAt: new Date(h.expiresAt),
        timeoutAction: h.timeoutAction as 'ROLLBACK',
      })),
      createdAt: new Date(d.createdAt),
      targetServiceRevision: {
        arn: `${d.arn.replace('service-deployment', 'service-revision')}`,
        requestedTaskCount: 2,
        runningTaskCount: d.at >= 0 ? 2 : 0,
        requestedProductionTrafficWeight: s?.prod,
        requestedTestTrafficWeight: s?.test,
      },
      deploymentConfiguration: {
        strategy: this.aws.strategy,
        bakeTimeInMinutes: 10,
        ...(this.aws.strategy === 'CANARY'
          ? { canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 } }
          : { linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 5 } }),
      },
      ...(d.rollbackReason
        ? { rollback: { reason: d.rollbackReason, startedAt: new Date(this.now()) } }
        : {}),
      ...(d.triggered
        ? {
            alarms: {
              status: 'TRIGGERED' as const,
              alarmNames: [...d.triggered],
              triggeredAlarmNames: [...d.triggered],
            },
          }
        : {}),
    };
  }
}
