import { z } from 'zod';
import { type StopCause, stopCause } from '../../domain/facts/ecs.js';
import { verifyPlatformAlarms } from '../../domain/facts/verify.js';
import { serviceDeploymentTrackSchema } from './progressive/schemas.js';
import { revisionSourceSchema, taskDefinitionDocumentSchema } from '../shared/taskDefinition.js';

/** What apply() registers and points the service at, exactly as reviewed. Kept in the ledger. */
export const planSchema = z.object({
  next: taskDefinitionDocumentSchema,
  /** The revision the service ran when the plan was made: apply refuses if that changed. */
  currentArn: z.string(),
  /** The container's image in `next`: `<repository>@<digest>`. */
  image: z.string(),
});
export type EcsPlan = z.infer<typeof planSchema>;

/** What Capstan follows on ECS: one deployment, by id, of one task definition. Kept in the ledger. */
export const trackSchema = z.object({
  taskDefinitionArn: z.string(),
  /** What the service ran before Capstan's change: ECS rolling back goes back to it. */
  previousTaskDefinitionArn: z.string().optional(),
  /** Unknown only while waiting for ECS's own rollback deployment to appear. */
  ecsDeploymentId: z.string().optional(),
  /** Service events newer than this go to the thread. */
  lastEventAt: z.number(),
  seenStoppedTasks: z.array(z.string()),
  running: z.number(),
  desired: z.number(),
  failedTasks: z.number(),
  /** Running tasks of the deployments Capstan does not follow: old ones draining is progress. */
  oldRunning: z.number().optional(),
  /** The most tasks of the followed deployment seen running: only a new high is progress. */
  best: z.number().optional(),
  /** The followed deployment's rolloutState at the last look: a change is a stage ECS reports. */
  stage: z.string().optional(),
  /**
   * Why the latest stopped task of the followed revision stopped: the cause of a failure. Tracks
   * recorded before it was a fact kept it as text, read back as ECS's reason.
   */
  stopCause: z.union([stopCause, z.string().transform((reason): StopCause => ({ reason }))]).optional(),
  /** Tasks of the followed revision whose containers exited with an error or failed to start. */
  crashes: z.number().optional(),
  /** ECS failed it in words that leave open whether its alarms, set to roll back, did: one look was given to ECS's rollback. */
  awaitedEcsRollback: z.boolean().optional(),
  /** Set for BLUE_GREEN, LINEAR and CANARY services: the service deployment followed by ARN. */
  sd: serviceDeploymentTrackSchema.optional(),
});
export type EcsTrack = Readonly<z.infer<typeof trackSchema>>;

/** check()'s reads, handed to prepare() in memory: the running revision and the image to run. */
export const contextSchema = revisionSourceSchema.extend({
  /** The service's own alarm rollback (deploymentConfiguration.alarms), shown with the change. */
  platformAlarms: verifyPlatformAlarms.optional(),
});
export type EcsContext = z.infer<typeof contextSchema>;
