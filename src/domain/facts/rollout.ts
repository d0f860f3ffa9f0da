import { z } from 'zod';

/** What the use cases report about a rollout (src/views/facts/rollout.ts words them). */

/** Capstan restarted and picked the rollout (or its rollback) up again. */
export const rolloutResumed = z.object({
  kind: z.literal('rollout.resumed'),
  phase: z.enum(['rollout', 'rollback']),
});

export const RolloutFact = z.discriminatedUnion('kind', [rolloutResumed]);
export type RolloutFact = z.infer<typeof RolloutFact>;
