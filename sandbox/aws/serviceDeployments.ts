import { AwsError } from './errors.js';
import { ACCOUNT, REGION, type SimEcs } from './ecs.js';

type Strategy = 'BLUE_GREEN' | 'LINEAR';

interface Stage {
  readonly stage: string;
  readonly prod?: number;
  readonly test?: number;
  /** A pause hook here waits for ContinueServiceDeployment or its timeout. */
  readonly pause?: boolean;
  readonly bake?: boolean;
}

/** BLUE_GREEN with a pause hook after test traffic and a bake; LINEAR in two steps of 50 %. */
const STAGES: Record<Strategy, readonly Stage[]> = {
  BLUE_GREEN: [
    { stage: 'SCALE_UP' },
    { stage: 'TEST_TRAFFIC_SHIFT', test: 100, prod: 0 },
    { stage: 'POST_TEST_TRAFFIC_SHIFT', test: 100, prod: 0, pause: true },
    { stage: 'PRODUCTION_TRAFFIC_SHIFT', test: 100, prod: 100 },
    { stage: 'BAKE_TIME', prod: 100, bake: true },
    { stage: 'CLEAN_UP', prod: 100 },
  ],
  LINEAR: [
    { stage: 'SCALE_UP' },
    { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 50, bake: true },
    { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 100, bake: true },
    { stage: 'BAKE_TIME', prod: 100, bake: true },
    { stage: 'CLEAN_UP', prod: 100 },
  ],
};

interface SimServiceDeployment {
  arn: string;
  cluster: string;
  service: string;
  strategy: Strategy;
  taskDefinition: string;
  previous: string;
  status: string;
  at: number;
  since: number;
  createdAt: number;
  finishedAt?: number;
  rollbackReason?: string;
  hooks: { hookId: string; step: number; status: string; expiresAt: number; timeoutAction: string }[];
}

const secs = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/**
 * ECS service deployments for the sandbox's BLUE_GREEN and LINEAR services: UpdateService starts
 * one, each tick moves it a stage, a pause hook waits for Continue (or times out and rolls back),
 * a bake waits `bakeMs`. Times are short so a newcomer sees it all in a minute or two.
 */
export class SimServiceDeployments {
  readonly all: SimServiceDeployment[] = [];
  /** How long a pause hook waits before ECS rolls back by itself. */
  pauseMs = 10 * 60_000;
  /** A bake, and each linear step's bake. */
  bakeMs = 20_000;
  /** What ECS does when a pause hook times out. */
  timeoutAction: 'ROLLBACK' | 'CONTINUE' = 'ROLLBACK';

  constructor(private readonly ecs: SimEcs) {
    ecs.onProgressiveUpdate = (cluster, service, strategy, td, previous) =>
      this.start(cluster, service, strategy as Strategy, td, previous);
  }

  private start(cluster: string, service: string, strategy: Strategy, td: string, previous: string): string {
    for (const d of this.all)
      if (d.service === service && (d.status === 'IN_PROGRESS' || d.status === 'PENDING'))
        d.status = 'STOPPED';
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${cluster}/${service}/sd${this.all.length + 1}`;
    const t = Date.now();
    this.all.push({
      arn,
      cluster,
      service,
      strategy,
      taskDefinition: td,
      previous,
      status: 'PENDING',
      at: -1,
      since: t,
      createdAt: t,
      hooks: [],
    });
    return arn;
  }

  /** Lets every pause hook waiting now reach its timeout (the sandbox's way of letting time pass). */
  expirePauses(): void {
    const now = Date.now();
    for (const d of this.all) for (const h of d.hooks) if (h.status === 'AWAITING_ACTION') h.expiresAt = now;
  }

  tick(): void {
    const now = Date.now();
    for (const d of this.all) this.step(d, now);
  }

  private enter(d: SimServiceDeployment, i: number, now: number): void {
    d.at = i;
    d.since = now;
    const s = STAGES[d.strategy][i];
    if (!s) {
      d.status = 'SUCCESSFUL';
      d.finishedAt = now;
      this.ecs.settle(d.service, d.taskDefinition);
    } else if (s.pause) {
      const hookId = `ecs-pause-${d.arn.split('/').pop()}-${i}`;
      d.hooks.push({
        hookId,
        step: i,
        status: 'AWAITING_ACTION',
        expiresAt: now + this.pauseMs,
        timeoutAction: this.timeoutAction,
      });
    }
  }

  private step(d: SimServiceDeployment, now: number): void {
    if (d.status === 'PENDING') {
      d.status = 'IN_PROGRESS';
      return this.enter(d, 0, now);
    }
    if (d.status === 'ROLLBACK_REQUESTED') {
      d.status = 'ROLLBACK_IN_PROGRESS';
      return;
    }
    if (d.status === 'ROLLBACK_IN_PROGRESS') {
      d.status = 'ROLLBACK_SUCCESSFUL';
      d.finishedAt = now;
      this.ecs.settle(d.service, d.previous);
      return;
    }
    if (d.status !== 'IN_PROGRESS') return;
    const s = STAGES[d.strategy][d.at]!;
    const hook = d.hooks.find((h) => h.step === d.at);
    if (hook?.status === 'AWAITING_ACTION') {
      if (now < hook.expiresAt) return;
      hook.status = 'TIMED_OUT';
      if (hook.timeoutAction === 'ROLLBACK') {
        d.status = 'ROLLBACK_IN_PROGRESS';
        d.rollbackReason = 'The pause hook timed out.';
        return;
      }
    }
    if (s.bake && now < d.since + this.bakeMs) return;
    this.enter(d, d.at + 1, now);
  }

  private find(arn: string): SimServiceDeployment {
    const d = this.all.find((x) => x.arn === arn);
    if (!d) throw new AwsError('ServiceDeploymentNotFoundException', `Service deployment ${arn} not found.`);
    return d;
  }

  ListServiceDeployments(input: { cluster?: string; service: string; createdAt?: { after?: number } }) {
    const after = (input.createdAt?.after ?? 0) * 1000;
    return {
      serviceDeployments: this.all
        .filter((d) => input.service.endsWith(d.service) && d.createdAt >= after)
        .reverse()
        .map((d) => ({ serviceDeploymentArn: d.arn, status: d.status, createdAt: secs(d.createdAt) })),
    };
  }

  DescribeServiceDeployments(input: { serviceDeploymentArns: string[] }) {
    const found = this.all.filter((d) => input.serviceDeploymentArns.includes(d.arn));
    return {
      serviceDeployments: found.map((d) => {
        const s = STAGES[d.strategy][Math.max(0, Math.min(d.at, STAGES[d.strategy].length - 1))];
        return {
          serviceDeploymentArn: d.arn,
          status: d.status,
          lifecycleStage: d.at >= 0 ? s?.stage : undefined,
          createdAt: secs(d.createdAt),
          finishedAt: secs(d.finishedAt),
          lifecycleHookDetails: d.hooks.map((h) => ({
            hookId: h.hookId,
            targetType: 'PAUSE',
            status: h.status,
            expiresAt: secs(h.expiresAt),
            timeoutAction: h.timeoutAction,
          })),
          targetServiceRevision: {
            arn: d.arn.replace('service-deployment', 'service-revision'),
            requestedTaskCount: 2,
            runningTaskCount: d.at >= 0 ? 2 : 0,
            requestedProductionTrafficWeight: s?.prod,
            requestedTestTrafficWeight: s?.test,
          },
          deploymentConfiguration: {
            strategy: d.strategy,
            bakeTimeInMinutes: this.bakeMs / 60_000,
            linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: this.bakeMs / 60_000 },
          },
          ...(d.rollbackReason ? { rollback: { reason: d.rollbackReason } } : {}),
        };
      }),
      failures: input.serviceDeploymentArns
        .filter((a) => !found.some((d) => d.arn === a))
        .map((arn) => ({ arn, reason: 'MISSING' })),
    };
  }

  ContinueServiceDeployment(input: { serviceDeploymentArn: string; hookId: string; action?: string }) {
    const d = this.find(input.serviceDeploymentArn);
    const hook = d.hooks.find((h) => h.hookId === input.hookId);
    if (!hook || hook.status !== 'AWAITING_ACTION' || d.status !== 'IN_PROGRESS')
      throw new AwsError('InvalidParameterException', `Hook ${input.hookId} is not awaiting action.`);
    hook.status = 'SUCCEEDED';
    if (input.action === 'ROLLBACK') {
      d.status = 'ROLLBACK_REQUESTED';
      d.rollbackReason = 'Rolled back at the pause hook.';
    }
    return { serviceDeploymentArn: d.arn };
  }

  StopServiceDeployment(input: { serviceDeploymentArn: string; stopType?: string }) {
    const d = this.find(input.serviceDeploymentArn);
    if (d.status !== 'IN_PROGRESS' && d.status !== 'PENDING')
      throw new AwsError('ConflictException', `The service deployment is ${d.status}.`);
    d.status = 'ROLLBACK_REQUESTED';
    d.rollbackReason = 'Stopped with StopServiceDeployment (ROLLBACK).';
    return { serviceDeploymentArn: d.arn };
  }
}
