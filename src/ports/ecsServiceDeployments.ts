import type { ServiceLocation } from './ecs.js';

/** One pause (or Lambda) hook of a service deployment, as DescribeServiceDeployments gives it. */
export interface LifecycleHook {
  readonly hookId: string;
  /** PAUSE or AWS_LAMBDA. */
  readonly targetType?: string | undefined;
  /** AWAITING_ACTION, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT. */
  readonly status: string;
  readonly expiresAt?: number | undefined;
  /** What ECS does when nobody decides in time: CONTINUE or ROLLBACK. */
  readonly timeoutAction?: string | undefined;
}

/**
 * A service deployment of a BLUE_GREEN, LINEAR or CANARY service (or any service since ECS keeps
 * them): the identity Capstan follows. Strings are ECS's own words, kept open (the SDK's stage enum
 * lacks values its documentation uses).
 */
export interface ServiceDeployment {
  readonly arn: string;
  /** PENDING, IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED. */
  readonly status: string;
  readonly statusReason?: string | undefined;
  /** RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, …, BAKE_TIME, CLEAN_UP. */
  readonly lifecycleStage?: string | undefined;
  readonly hooks: readonly LifecycleHook[];
  readonly createdAt?: number | undefined;
  readonly updatedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
  readonly targetRevisionArn?: string | undefined;
  readonly productionWeight?: number | undefined;
  readonly testWeight?: number | undefined;
  readonly running?: number | undefined;
  readonly requested?: number | undefined;
  /** The deployment's own configuration: its strategy and bake time. */
  readonly strategy?: string | undefined;
  readonly bakeTimeMinutes?: number | undefined;
  readonly stepBakeTimeMinutes?: number | undefined;
  readonly rollback?:
    { readonly reason?: string | undefined; readonly startedAt?: number | undefined } | undefined;
  /** The deployment's CloudWatch alarms (deploymentConfiguration.alarms) that went off: `alarms.triggeredAlarmNames`. */
  readonly triggeredAlarms?: readonly string[] | undefined;
}

export interface ServiceDeploymentBrief {
  readonly arn: string;
  readonly status: string;
  readonly createdAt?: number | undefined;
  readonly targetRevisionArn?: string | undefined;
}

export type HookAction = 'CONTINUE' | 'ROLLBACK';

/** ECS's service deployments: how BLUE_GREEN, LINEAR and CANARY services are followed and decided. */
export interface EcsServiceDeployments {
  /**
   * UpdateService to a task definition: the deployment id ECS names (when its answer has one) and
   * `currentServiceDeployment`, which may or may not be the deployment this call started yet.
   */
  update(
    loc: ServiceLocation,
    service: string,
    taskDefinitionArn: string,
  ): Promise<{ readonly serviceDeploymentArn?: string | undefined }>;
  /** The service's deployments created after `createdAfter` (ms), newest first. */
  list(
    loc: ServiceLocation,
    service: string,
    createdAfter: number,
  ): Promise<readonly ServiceDeploymentBrief[]>;
  /** `missing`: ARNs ECS no longer knows (kept 90 days). */
  describe(
    region: string,
    arns: readonly string[],
  ): Promise<{ readonly deployments: readonly ServiceDeployment[]; readonly missing: readonly string[] }>;
  /** ContinueServiceDeployment: valid only while the hook is AWAITING_ACTION. */
  decide(region: string, arn: string, hookId: string, action: HookAction): Promise<void>;
  /** StopServiceDeployment with stopType ROLLBACK: ECS rolls back, even when rollback is not configured. */
  stop(region: string, arn: string): Promise<void>;
}
