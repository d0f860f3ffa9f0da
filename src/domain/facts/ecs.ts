import { z } from 'zod';

/** What the ECS strategies report (src/views/facts/ecs.ts words them). */

/** A task of the new revision stopped. */
export const ecsTaskStopped = z.object({
  kind: z.literal('ecs.taskStopped'),
  /** The task id (the last part of its ARN). */
  id: z.string(),
  /** ECS's stop reason, or the container's (outside text). */
  reason: z.string(),
  exitCode: z.number().optional(),
  container: z.string().optional(),
});

export const EcsFact = z.discriminatedUnion('kind', [ecsTaskStopped]);
export type EcsFact = z.infer<typeof EcsFact>;
