import { z } from 'zod';

/**
 * Facts every target and use case may report. A fact is data about what happened, never words:
 * src/views/facts/ turns each kind into Slack text (and escapes what came from outside, once).
 */

/** A read or call to AWS that failed for this rollout alone; the rollout goes on. */
export const awsCallFailed = z.object({
  kind: z.literal('aws.callFailed'),
  /** IAM action, e.g. `ecs:ListTasks`. */
  action: z.string().optional(),
  /** What it acted on, e.g. "stopped tasks of ECS service web". */
  what: z.string(),
  /** What AWS said (outside text). */
  message: z.string(),
});

export const CommonFact = z.discriminatedUnion('kind', [awsCallFailed]);
export type CommonFact = z.infer<typeof CommonFact>;
