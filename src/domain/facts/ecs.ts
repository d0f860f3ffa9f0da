import { z } from 'zod';
import { EcsProgressiveFact } from './ecsProgressive.js';

/**
 * What the ECS strategy reports, and the image refusals every target shares (src/views/facts/ecs.ts
 * words them). Names, ids and ARNs as AWS gives them; AWS's own words unescaped.
 */

/** The tag is not in the repository: `recent` are the tags pushed last (newest first), maybe none. */
export const ecrImageNotFound = z.object({
  kind: z.literal('ecr.imageNotFound'),
  repository: z.string(),
  region: z.string(),
  tag: z.string(),
  recent: z.array(z.string()),
});

/** One container of a stopped task that adds to ECS's reason: its own reason, or else its exit code. */
export const containerStop = z.object({
  name: z.string(),
  /** The container's reason, when ECS's stoppedReason does not already say it (outside text). */
  reason: z.string().optional(),
  exitCode: z.number().optional(),
});
export type ContainerStop = z.infer<typeof containerStop>;

/** Why a task stopped: ECS's stoppedReason, and what its containers add to it. */
export const stopCause = z.object({
  /** ECS's stoppedReason (outside text); absent when ECS gave none. */
  reason: z.string().optional(),
  containers: z.array(containerStop).optional(),
});
export type StopCause = z.infer<typeof stopCause>;

/** A task of the revision Capstan follows stopped. */
export const ecsTaskStopped = stopCause.extend({
  kind: z.literal('ecs.taskStopped'),
  /** The task id (the last part of its ARN). */
  id: z.string(),
});

/** Why the latest stopped task stopped, said as the cause of a failure. */
export const ecsTaskStopCause = stopCause.extend({ kind: z.literal('ecs.taskStopCause') });

/** Where a service is: named in refusals and in what no longer exists. */
const service = { service: z.string(), cluster: z.string(), region: z.string() };

export const ecsServiceNotFound = z.object({ kind: z.literal('ecs.serviceNotFound'), ...service });
export const ecsServiceNotActive = z.object({
  kind: z.literal('ecs.serviceNotActive'),
  ...service,
  status: z.string(),
});
/** The cluster is not ACTIVE; `status` absent when DescribeClusters does not know it. */
export const ecsClusterNotActive = z.object({
  kind: z.literal('ecs.clusterNotActive'),
  cluster: z.string(),
  region: z.string(),
  status: z.string().optional(),
});
/** A rollout of the service is under way (not Capstan's rollback of it). */
export const ecsServiceBusy = z.object({
  kind: z.literal('ecs.serviceBusy'),
  ...service,
  deploymentId: z.string(),
});
/** The service runs another task definition than when the change was reviewed. */
export const ecsServiceChanged = z.object({
  kind: z.literal('ecs.serviceChanged'),
  ...service,
  /** Task definition ARNs. */
  runsNow: z.string(),
  reviewed: z.string(),
});
/** The task definition has no container of the name capstan.yml gives. */
export const ecsContainerNotFound = z.object({
  kind: z.literal('ecs.containerNotFound'),
  /** The task definition as the refusal names it: its ARN, or `family:revision`. */
  taskDefinition: z.string(),
  container: z.string(),
  available: z.array(z.string()),
});
/** DescribeServices answered for the cluster but not for this service (`reason`: ECS's, outside text). */
export const ecsDescribeFailed = z.object({
  kind: z.literal('ecs.describeFailed'),
  ...service,
  /** ECS's reason (outside text); absent when DescribeServices answered nothing about the service. */
  reason: z.string().optional(),
});

/** Capstan registered a revision and pointed the service at it. */
export const ecsDeploymentStarted = z.object({
  kind: z.literal('ecs.deploymentStarted'),
  service: z.string(),
  taskDefinitionArn: z.string(),
  /** The container's image: `<repository URI>@<digest>`. */
  image: z.string(),
  deploymentId: z.string(),
});
/** A service event (outside text, as ECS wrote it). */
export const ecsServiceEvent = z.object({ kind: z.literal('ecs.serviceEvent'), message: z.string() });
/** The service's tasks, for status. */
export const ecsTaskCount = z.object({
  kind: z.literal('ecs.taskCount'),
  running: z.number(),
  desired: z.number(),
  pending: z.number(),
});
/** The service is no longer ACTIVE (`status`), or no longer exists (no status). */
export const ecsServiceGone = z.object({
  kind: z.literal('ecs.serviceGone'),
  ...service,
  status: z.string().optional(),
});
export const ecsClusterGone = z.object({
  kind: z.literal('ecs.clusterGone'),
  cluster: z.string(),
  region: z.string(),
});

/**
 * The service's own CloudWatch alarms (deploymentConfiguration.alarms) failed the deployment: those
 * ECS's words name, or every alarm of the service when they name none (`named` false: one of them,
 * which is not known).
 */
export const ecsAlarmsWentOff = z.object({ names: z.array(z.string()), named: z.boolean() });
export type EcsAlarmsWentOff = z.infer<typeof ecsAlarmsWentOff>;

/** ECS marked the followed deployment FAILED, with its rolloutStateReason (outside text) when it gave one. */
export const ecsRolloutFailed = z.object({
  kind: z.literal('ecs.rolloutFailed'),
  reason: z.string().optional(),
  /** Its alarms failed it: they are named first. */
  alarms: ecsAlarmsWentOff.optional(),
});
/**
 * The followed deployment is gone and what runs is not somebody else's: ECS replaced it (rolled it
 * back). `event`: the service event that says why (outside text, as ECS wrote it); `runsNow`: the
 * task definition ARN of the deployment that is PRIMARY now.
 */
export const ecsDeploymentReplaced = z.object({
  kind: z.literal('ecs.deploymentReplaced'),
  deploymentId: z.string(),
  event: z.string().optional(),
  runsNow: z.string().optional(),
  /** Its alarms failed it (ECS rolled back on them): they are named first. */
  alarms: ecsAlarmsWentOff.optional(),
});
/** ECS's own account of a failed rollout. */
export const ecsFailure = z.discriminatedUnion('kind', [ecsRolloutFailed, ecsDeploymentReplaced]);
export type EcsFailure = z.infer<typeof ecsFailure>;

/** Capstan's judgement without a circuit breaker: tasks of the new revision keep failing to run. */
export const ecsTasksKeepStopping = z.object({
  kind: z.literal('ecs.tasksKeepStopping'),
  failedTasks: z.number(),
  cause: stopCause.optional(),
});
/** Capstan's judgement: containers start and exit again, which no circuit breaker counts. */
export const ecsTasksKeepExiting = z.object({
  kind: z.literal('ecs.tasksKeepExiting'),
  crashes: z.number(),
  cause: stopCause.optional(),
});

/** For the thread: ECS failed the rollout and does not roll back (the cause is the failure's reason). */
export const ecsGaveUp = z.object({ kind: z.literal('ecs.gaveUp'), failure: ecsFailure });
/** For the thread: ECS rolls back by itself; Capstan follows that rollback. */
export const ecsRollingBack = z.object({ kind: z.literal('ecs.rollingBack'), failure: ecsFailure });

export const EcsFact = z.discriminatedUnion('kind', [
  ecrImageNotFound,
  ecsTaskStopped,
  ecsTaskStopCause,
  ecsServiceNotFound,
  ecsServiceNotActive,
  ecsClusterNotActive,
  ecsServiceBusy,
  ecsServiceChanged,
  ecsContainerNotFound,
  ecsDescribeFailed,
  ecsDeploymentStarted,
  ecsServiceEvent,
  ecsTaskCount,
  ecsServiceGone,
  ecsClusterGone,
  ecsRolloutFailed,
  ecsDeploymentReplaced,
  ecsTasksKeepStopping,
  ecsTasksKeepExiting,
  ecsGaveUp,
  ecsRollingBack,
  ...EcsProgressiveFact.options,
]);
export type EcsFact = z.infer<typeof EcsFact>;
