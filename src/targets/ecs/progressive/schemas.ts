import { z } from 'zod';

/** The strategies ECS deploys with service deployments Capstan follows by ARN (ROLLING keeps deployments[]). */
export const PROGRESSIVE = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);

/** A pause hook waiting for a decision, as last seen. */
export const hookSchema = z.object({
  hookId: z.string(),
  stage: z.string(),
  timeoutAction: z.string().optional(),
  expiresAt: z.number().optional(),
});
export type AwaitingHook = z.infer<typeof hookSchema>;

/**
 * What Capstan follows of a progressive ECS rollout: one service deployment, by ARN. Kept in the
 * ledger inside the ECS track (`sd`), so a restarted Capstan carries on with the same buttons.
 */
export const serviceDeploymentTrackSchema = z.object({
  strategy: z.string(),
  /** When Capstan asked for it (ms): only a deployment created after that can be Capstan's. */
  since: z.number(),
  /** Unknown until ECS lists the deployment Capstan's UpdateService started. */
  arn: z.string().optional(),
  /** UpdateService's `currentServiceDeployment`: preferred among the candidates. */
  hinted: z.string().optional(),
  status: z.string().optional(),
  stage: z.string().optional(),
  productionPercent: z.number().optional(),
  testPercent: z.number().optional(),
  /** When Capstan first saw the current stage (or step): a bake ends bakeTime after it. */
  stageSince: z.number().optional(),
  hook: hookSchema.optional(),
  /**
   * ECS rolls this deployment back itself (StopServiceDeployment, a hook's ROLLBACK, its alarms):
   * a rollback look that sees it SUCCESSFUL saw no rollback. Unset on Capstan's own redeploy, whose
   * SUCCESSFUL is the rollback done.
   */
  byEcs: z.boolean().optional(),
  /** Pause hooks already seen decided (so each ending is said once). */
  ended: z.array(z.string()).optional(),
});
export type ServiceDeploymentTrack = z.infer<typeof serviceDeploymentTrackSchema>;
