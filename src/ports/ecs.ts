import type { TaskDefinitionDocument } from '../domain/taskDefinition.js';

export interface ServiceLocation {
  readonly region: string;
  readonly cluster: string;
}

export interface EcsDeployment {
  readonly id: string;
  /** PRIMARY, ACTIVE or INACTIVE. */
  readonly status: string;
  readonly taskDefinition: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly failedTasks: number;
  readonly rolloutState?: string | undefined;
  readonly rolloutStateReason?: string | undefined;
  readonly createdAt?: number | undefined;
  readonly updatedAt?: number | undefined;
}

export interface ServiceEvent {
  readonly id: string;
  readonly at: number;
  readonly message: string;
}

export interface EcsService {
  readonly name: string;
  readonly status: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly taskDefinition: string;
  readonly deployments: readonly EcsDeployment[];
  /** deploymentConfiguration.deploymentCircuitBreaker */
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
  /** deploymentConfiguration.alarms: ECS fails (and with `rollback`, rolls back) a deployment when one goes off. */
  readonly alarms?:
    { readonly enable: boolean; readonly rollback: boolean; readonly names: readonly string[] } | undefined;
  /** deploymentConfiguration.strategy: ROLLING (or absent), BLUE_GREEN, LINEAR, CANARY. */
  readonly strategy?: string | undefined;
  /**
   * Newest first, as ECS returns them; the newest 20 of ECS's 100 (SERVICE_EVENTS_KEPT in the
   * adapter): what happened since the look before, seconds ago, and the few `status` shows.
   */
  readonly events: readonly ServiceEvent[];
}

export interface StoppedTask {
  readonly arn: string;
  readonly taskDefinitionArn: string;
  readonly stoppedReason?: string | undefined;
  readonly stoppedAt?: number | undefined;
  readonly containers: readonly {
    readonly name: string;
    readonly reason?: string | undefined;
    readonly exitCode?: number | undefined;
  }[];
}

/**
 * The service events a look needs, of the newest 20: those after `after` (ms; older ones were shown
 * already), and older ones naming one of `mentioning` (the deployment followed: its failure is read
 * from them). Others may be left out of the answer, so nothing is built for them.
 */
export interface EventsWanted {
  readonly after: number;
  readonly mentioning: readonly string[];
}

export interface Ecs {
  /**
   * At most 10 services a call (the API's limit); `missing` lists names ECS does not know, `failed`
   * the services ECS could not describe for another reason (that service's error, not the call's).
   */
  describeServices(
    loc: ServiceLocation,
    services: readonly string[],
    options?: { readonly events?: EventsWanted | undefined },
  ): Promise<{
    readonly services: readonly EcsService[];
    readonly missing: readonly string[];
    /** `reason`: ECS's own (outside text); absent when the answer said nothing about that service. */
    readonly failed?: readonly { readonly name: string; readonly reason?: string | undefined }[] | undefined;
  }>;
  clusterStatus(loc: ServiceLocation): Promise<string | undefined>;
  describeTaskDefinition(region: string, taskDefinition: string): Promise<TaskDefinitionDocument>;
  registerTaskDefinition(region: string, doc: TaskDefinitionDocument): Promise<string>;
  /** Points the service at a task definition; returns the id of the deployment this starts. */
  updateService(loc: ServiceLocation, service: string, taskDefinitionArn: string): Promise<string>;
  /**
   * Recently stopped tasks of the service started from `taskDefinitionArn`. These reads share one
   * rate budget over every service (a few calls a second): a routine read that finds none left
   * this time reads nothing and answers none, to be read on a later look; an `urgent` read (the
   * cause of a failure) skips the per-service share and may use a reserve.
   */
  stoppedTasks(
    loc: ServiceLocation,
    service: string,
    taskDefinitionArn: string,
    options?: { readonly urgent?: boolean },
  ): Promise<readonly StoppedTask[]>;
}
