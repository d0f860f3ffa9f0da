import { z } from 'zod';

/**
 * What a progressive ECS rollout (a service deployment of a BLUE_GREEN, LINEAR or CANARY service)
 * reports: src/views/facts/ecsProgressive.ts words them. Stage names, statuses and reasons are ECS's
 * own (outside text, unescaped).
 */

/** Capstan's UpdateService started a service deployment; `arn` absent until ECS lists it. */
export const ecsServiceDeploymentStarted = z.object({
  kind: z.literal('ecs.serviceDeploymentStarted'),
  service: z.string(),
  strategy: z.string(),
  taskDefinitionArn: z.string(),
  image: z.string(),
  arn: z.string().optional(),
});

/** The deployment reached a new lifecycle stage (or a linear/canary step): said once in the thread. */
export const ecsStageReached = z.object({
  kind: z.literal('ecs.stageReached'),
  stage: z.string(),
  productionPercent: z.number().optional(),
  testPercent: z.number().optional(),
  /** A bake: when ECS ends it. */
  until: z.number().optional(),
});

/** A pause hook waits for a decision; ECS decides `timeoutAction` at `expiresAt` otherwise. */
export const ecsHookAwaiting = z.object({
  kind: z.literal('ecs.hookAwaiting'),
  stage: z.string(),
  timeoutAction: z.string().optional(),
  expiresAt: z.number().optional(),
});

/** A pause hook no longer waits, decided elsewhere (the console, the CLI) or by its timeout. */
export const ecsHookEnded = z.object({
  kind: z.literal('ecs.hookEnded'),
  stage: z.string(),
  /** SUCCEEDED, FAILED, TIMED_OUT… as ECS says. */
  status: z.string(),
  timeoutAction: z.string().optional(),
});

/** Someone decided at a pause from Slack: Capstan called ContinueServiceDeployment (or StopServiceDeployment). */
export const ecsHookDecided = z.object({
  kind: z.literal('ecs.hookDecided'),
  by: z.string(),
  action: z.enum(['continue', 'rollback']),
  stage: z.string().optional(),
});

/**
 * The service deployment ended without success, or ECS rolls it back: `status` as ECS says
 * (ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED, STOPPED),
 * with ECS's reasons when it gives them.
 */
export const ecsServiceDeploymentFailed = z.object({
  kind: z.literal('ecs.serviceDeploymentFailed'),
  status: z.string(),
  reason: z.string().optional(),
  rollbackReason: z.string().optional(),
  /** The deployment's own CloudWatch alarms that went off (ECS's deploymentConfiguration.alarms): named first. */
  alarms: z.array(z.string()).optional(),
});

/** ECS no longer knows the followed service deployment (its history keeps 90 days). */
export const ecsServiceDeploymentGone = z.object({
  kind: z.literal('ecs.serviceDeploymentGone'),
  arn: z.string(),
});

/** No rollout is paused or in flight on ECS for a Roll back to act on. */
export const ecsNothingToRollBack = z.object({
  kind: z.literal('ecs.nothingToRollBack'),
  status: z.string().optional(),
});

export const EcsProgressiveFact = z.discriminatedUnion('kind', [
  ecsServiceDeploymentStarted,
  ecsStageReached,
  ecsHookAwaiting,
  ecsHookEnded,
  ecsHookDecided,
  ecsServiceDeploymentFailed,
  ecsServiceDeploymentGone,
  ecsNothingToRollBack,
]);
export type EcsProgressiveFact = z.infer<typeof EcsProgressiveFact>;
